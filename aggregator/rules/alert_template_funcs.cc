#include "aggregator/rules/alert_template_funcs.h"

#include <algorithm>

namespace wattline::aggregator::alert_template {

const Function* FindFunction(std::string_view name) {
  for (std::span<const Function> table : {GoBuiltinFunctions(), PrometheusFunctions()}) {
    for (const Function& function : table) {
      if (function.name == name) return &function;
    }
  }
  return nullptr;
}

bool IsRefusedFunction(std::string_view name) {
  // Prometheus 2.42's functions that run queries or need its web UI, the
  // ones added after it that its promtool knows, and Go's call and slice.
  static constexpr std::string_view kRefused[] = {
      "query",  "first",       "label",     "value",     "strvalue",    "sortByLabel",
      "args",   "pathPrefix",  "tableLink", "graphLink", "externalURL", "parseDuration",
      "toTime", "stripDomain", "call",      "slice",
  };
  return std::find(std::begin(kRefused), std::end(kRefused), name) != std::end(kRefused);
}

}  // namespace wattline::aggregator::alert_template
