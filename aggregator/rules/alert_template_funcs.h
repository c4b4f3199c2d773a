// The functions alert templates may call: Go's text/template builtins
// (alert_template_builtins.cc) and Prometheus's template functions
// (alert_template_prom_funcs.cc), each with its Go signature, and the names
// Wattline refuses. Private to aggregator/rules.
//
// Thread-safety: the tables are immutable; the functions are pure.
#ifndef WATTLINE_AGGREGATOR_RULES_ALERT_TEMPLATE_FUNCS_H_
#define WATTLINE_AGGREGATOR_RULES_ALERT_TEMPLATE_FUNCS_H_

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "aggregator/rules/alert_template_value.h"
#include "common/status.h"

namespace wattline::aggregator::alert_template {

// A parameter's Go type, which decides how an argument is checked.
enum class ParamType : uint8_t {
  kAny,    // interface{}: anything, nil included
  kValue,  // reflect.Value (the builtins): anything but nil
  kString,
};

// Returns the result, or the error Go's function returns (the caller puts
// "error calling NAME: " in front). `args` match the signature.
using FunctionImpl = Result<Value> (*)(std::vector<Value>& args);

struct Function {
  std::string_view name;
  std::array<ParamType, 3> fixed;  // the first fixed_count are used
  uint8_t fixed_count;
  bool variadic;  // then further arguments are of variadic_type
  ParamType variadic_type;
  FunctionImpl impl;  // null for and/or, which execution short-circuits
};

std::span<const Function> GoBuiltinFunctions();
std::span<const Function> PrometheusFunctions();

// The function named `name`, or null.
const Function* FindFunction(std::string_view name);

// Whether Prometheus or Go defines `name` but Wattline's templates do not
// offer it (query, first, ..., call, slice).
bool IsRefusedFunction(std::string_view name);

// The results of functions and variables are kept below this size, as the
// output is, so that a template cannot exhaust memory.
inline constexpr size_t kMaxOutputBytes = 1 << 20;

}  // namespace wattline::aggregator::alert_template

#endif  // WATTLINE_AGGREGATOR_RULES_ALERT_TEMPLATE_FUNCS_H_
