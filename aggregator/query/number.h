// Numbers as Go's strconv.ParseFloat reads them, which is how Prometheus
// reads the API's time, step and timeout parameters (and, later, PromQL's
// number literals):
//
//   [+-] ( decimal | "0x" hex-mantissa "p" [+-] digits | "inf" | "infinity" | "nan" )
//
// decimal is digits with an optional '.' and an optional e/E exponent; the
// special words are case-insensitive. No spaces, no digit separators.
//
// Thread-safety: pure function.
#ifndef WATTLINE_AGGREGATOR_QUERY_NUMBER_H_
#define WATTLINE_AGGREGATOR_QUERY_NUMBER_H_

#include <optional>
#include <string>
#include <string_view>

namespace wattline::aggregator {

// The value, or nullopt when `text` is not a number or is beyond a double's
// range. (Go fails on overflow too; an underflow, which Go rounds to 0, is
// refused here as well.)
std::optional<double> ParseGoFloat(std::string_view text);

// `value` as Go's strconv.FormatFloat(value, 'f', -1, 64) writes it: the
// shortest digits that read back to the same double, never in exponent
// notation (1e21 is "1000000000000000000000"); "NaN", "+Inf", "-Inf".
std::string FormatGoFloat(double value);
// The same, appended to `out` (no allocation beyond its growth).
void AppendGoFloat(double value, std::string* out);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_QUERY_NUMBER_H_
