// Go's strconv number parsing as text/template and Prometheus use it:
// ParseFloat (for convertToFloat and number literals) and the base-0
// ParseInt/ParseUint of number literals (0x, 0o, 0b and 0 prefixes, '_'
// between digits). Private to aggregator/rules.
//
// Thread-safety: pure functions.
#ifndef WATTLINE_AGGREGATOR_RULES_GO_STRCONV_H_
#define WATTLINE_AGGREGATOR_RULES_GO_STRCONV_H_

#include <cstdint>
#include <string_view>

#include "common/status.h"

namespace wattline::aggregator::alert_template {

// strconv.ParseFloat(text, 64). Errors: InvalidArgument with Go's text,
// `strconv.ParseFloat: parsing "abc": invalid syntax` or "...: value out
// of range". An underflow gives 0 (or a subnormal), as in Go.
Result<double> ParseFloat(std::string_view text);

// strconv.ParseUint(text, 0, 64) and strconv.ParseInt(text, 0, 64): false
// on bad syntax or overflow.
bool ParseUint0(std::string_view text, uint64_t* value);
bool ParseInt0(std::string_view text, int64_t* value);

}  // namespace wattline::aggregator::alert_template

#endif  // WATTLINE_AGGREGATOR_RULES_GO_STRCONV_H_
