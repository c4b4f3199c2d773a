// Durations as Prometheus writes them (prometheus/common model.ParseDuration),
// used by PromQL ([5m], offset 1h), the API's step and timeout parameters, and
// every duration option in the config files:
//
//   duration = "0" | { number unit }+      number = [0-9]+
//   unit     = "y" | "w" | "d" | "h" | "m" | "s" | "ms"
//
// Units appear at most once each, from the largest to the smallest: 1h30m,
// not 30m1h. A year is 365 days, a week 7 days.
//
// Thread-safety: pure functions.
#ifndef WATTLINE_COMMON_DURATION_H_
#define WATTLINE_COMMON_DURATION_H_

#include <cstdint>
#include <string_view>

#include "common/status.h"

namespace wattline {

// The duration in milliseconds. Like Prometheus it is limited to what fits
// in int64 nanoseconds (about 292 years).
// Errors (InvalidArgument, Prometheus's texts): empty duration string;
// not a valid duration string: "1h1h"; unknown unit "hs" in duration "1hs";
// duration out of range.
Result<int64_t> ParseDurationMs(std::string_view text);

}  // namespace wattline

#endif  // WATTLINE_COMMON_DURATION_H_
