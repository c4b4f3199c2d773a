// What a recording rule stores for one evaluation, with Prometheus 2.42's
// semantics (rules/recording.go): each sample of the expression's result,
// named by the rule's `record` and with the rule's labels set (an empty
// value removes a label).
//
// Thread-safety: a pure function.
#ifndef WATTLINE_AGGREGATOR_RULES_RECORDING_RULE_H_
#define WATTLINE_AGGREGATOR_RULES_RECORDING_RULE_H_

#include <cstdint>

#include "aggregator/query/value.h"
#include "aggregator/rules/rule_file.h"
#include "common/status.h"

namespace wattline::aggregator {

// `result` renamed and relabelled. `limit` > 0: more series than that is an
// error. Errors (FailedPrecondition), as Prometheus words them: two series
// with one label set after the rule's labels; the limit.
Result<Vector> RecordingRuleOutput(const RuleSpec& rule, Vector result, int64_t limit = 0);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_RULES_RECORDING_RULE_H_
