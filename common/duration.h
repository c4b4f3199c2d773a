// Durations as people write them in configs and Prometheus writes them in
// queries: "500ms", "5s", "1m30s", "2h", "1d", "1w", "1y".
#ifndef WATTLINE_COMMON_DURATION_H_
#define WATTLINE_COMMON_DURATION_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace wattline {

// Prometheus's syntax: one or more <integer><unit> with units ms s m h d w y,
// largest first, each unit at most once ("1h30m"); a day is 24 h, a week 7 d,
// a year 365 d. "0" alone is zero. InvalidArgument otherwise, or on overflow.
Result<int64_t> ParseDurationMs(std::string_view text);

// The shortest text ParseDurationMs reads back to `ms`, e.g. "1m30s".
std::string FormatDurationMs(int64_t ms);

}  // namespace wattline

#endif  // WATTLINE_COMMON_DURATION_H_
