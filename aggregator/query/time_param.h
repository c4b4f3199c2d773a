// The time-valued parameters of Prometheus's HTTP query API, read as
// web/api/v1/api.go reads them (parseTime, parseDuration):
//
//   time, start, end   RFC 3339 ("2023-11-14T22:13:20Z", "...20.123+01:00";
//                      fraction and zone as Go's time.RFC3339Nano allows) or
//                      Unix seconds as a float ("1700000000.123")
//   step, timeout      seconds as a float ("15", "0.5") or a duration
//                      ("15s", "1m30s", "500ms", "1d", "1w", "1y"; duration.h)
//
// Everything is kept in milliseconds, the precision of PromQL's engine:
// float seconds are rounded to the millisecond as Prometheus rounds them;
// RFC 3339 fractions and float durations are truncated.
//
// Thread-safety: pure functions.
#ifndef WATTLINE_AGGREGATOR_QUERY_TIME_PARAM_H_
#define WATTLINE_AGGREGATOR_QUERY_TIME_PARAM_H_

#include <cstdint>
#include <string_view>

#include "common/status.h"

namespace wattline::aggregator {

// Milliseconds since the Unix epoch.
// Error: InvalidArgument `cannot parse "x" to a valid timestamp` (also for
// NaN, infinities and times whose milliseconds overflow int64).
Result<int64_t> ParseTimeParam(std::string_view text);

// Milliseconds; may be zero or negative (the caller decides whether that is
// allowed). Errors: InvalidArgument `cannot parse "x" to a valid duration`,
// or `cannot parse "x" to a valid duration. It overflows int64`.
Result<int64_t> ParseDurationParam(std::string_view text);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_QUERY_TIME_PARAM_H_
