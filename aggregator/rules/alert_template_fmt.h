// Go's fmt package for template values: what print, println, printf and
// Prometheus's humanize functions write. Verbs: %v %s %q %d %b %o %O %x %X
// %c %U %e %E %f %F %g %G %t %T %%, with the flags + - # 0 and space, a
// width and a precision (numbers or *); Go's %!verb(type=value),
// %!d(MISSING) and %!(EXTRA ...) for mismatches. Not supported: argument
// indexes (%[1]d), which print as a bad verb, and Go syntax (%#v), which
// prints as %v. Private to aggregator/rules.
//
// Thread-safety: pure functions.
#ifndef WATTLINE_AGGREGATOR_RULES_ALERT_TEMPLATE_FMT_H_
#define WATTLINE_AGGREGATOR_RULES_ALERT_TEMPLATE_FMT_H_

#include <span>
#include <string>
#include <string_view>

#include "aggregator/rules/alert_template_value.h"

namespace wattline::aggregator::alert_template {

std::string Sprint(std::span<const Value> args);    // fmt.Sprint
std::string Sprintln(std::span<const Value> args);  // fmt.Sprintln
std::string Sprintf(std::string_view format, std::span<const Value> args);

// strconv.CanBackquote: whether `text` can be written as a `raw string`.
bool CanBackquote(std::string_view text);

// fmt.Sprintf("%.4g", value): four significant digits, Go's NaN/+Inf/-Inf.
std::string FormatFloat4g(double value);

}  // namespace wattline::aggregator::alert_template

#endif  // WATTLINE_AGGREGATOR_RULES_ALERT_TEMPLATE_FMT_H_
