// PromQL's functions by name, with the argument and result types the parser
// checks calls against (Prometheus 2's promql/parser/functions.go), and
// Wattline's own extensions for energy (docs/promql.md, "Extensions").
//
// Thread-safety: the table is immutable.
#ifndef WATTLINE_AGGREGATOR_QUERY_FUNCTION_TABLE_H_
#define WATTLINE_AGGREGATOR_QUERY_FUNCTION_TABLE_H_

#include <string_view>
#include <vector>

namespace wattline::aggregator {

enum class ValueType;

struct Function {
  std::string_view name;
  std::vector<ValueType> arg_types;
  // 0: exactly arg_types; n > 0: the last n arguments may be left out;
  // -1: the last argument's type repeats any number of times (label_join).
  int variadic = 0;
  ValueType return_type;
  // Not in Prometheus: documented as Wattline's extensions.
  bool extension = false;
};

// The function called `name`, or nullptr.
const Function* FindFunction(std::string_view name);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_QUERY_FUNCTION_TABLE_H_
