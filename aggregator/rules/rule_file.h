// Prometheus rule files (docs/rules.md), in Prometheus 2.42's format
// (model/rulefmt): groups of recording and alerting rules.
//
//   groups:
//     - name: energy           # unique in the file
//       interval: 1m           # optional; the aggregator's default otherwise
//       limit: 0               # optional; most series a rule may give, 0: any
//       rules:
//         - record: device:energy_watt_hours:increase1h
//           expr: sum by (device) (increase_exact(energy_imported_watt_hours_total[1h]))
//           labels: {source: rules}
//         - alert: AgentSilent
//           expr: time() - max by (agent) (timestamp(up)) > 300
//           for: 5m
//           keep_firing_for: 0s
//           labels: {severity: warning}
//           annotations: {summary: "{{ $labels.agent }} silent for {{ $value | humanizeDuration
//           }}"}
//
// Checked as promtool check rules checks a file: unknown fields, empty or
// repeated group names, a rule with both or neither of record and alert, an
// expression that does not parse, fields an alert has but a recording rule
// may not (annotations, for, keep_firing_for), a recording rule's name that
// is no metric name, label names (not __name__) and annotation names, and
// every label and annotation template of an alert (alert_template.h).
// Every error found is reported, each with its FILE:LINE:COLUMN, its group
// and its rule.
//
// Thread-safety: pure functions; a RuleFile is immutable once parsed.
#ifndef WATTLINE_AGGREGATOR_RULES_RULE_FILE_H_
#define WATTLINE_AGGREGATOR_RULES_RULE_FILE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "aggregator/query/ast.h"
#include "common/labels.h"
#include "common/status.h"

namespace wattline::aggregator {

struct RuleSpec {
  enum class Kind { kRecording, kAlerting };
  Kind kind = Kind::kRecording;
  std::string name;  // record: the metric name; alert: the alert name
  std::string expr;  // as written
  std::shared_ptr<const Expr> parsed;
  int64_t for_ms = 0;
  int64_t keep_firing_for_ms = 0;
  Labels labels;       // sorted by name; values may be templates (alerts)
  Labels annotations;  // sorted by name; alerts only
  std::string where;   // FILE:LINE:COLUMN of the rule, for messages
};

struct RuleGroupSpec {
  std::string name;
  int64_t interval_ms = 0;  // 0: the default interval
  int64_t limit = 0;        // 0: no limit
  std::vector<RuleSpec> rules;
  std::string where;
};

struct RuleFile {
  std::string source;  // the file name
  std::vector<RuleGroupSpec> groups;
};

// Parses and checks rule file `text`, named `source` in messages.
// Errors: InvalidArgument, one line per error found.
Result<RuleFile> ParseRuleFile(std::string_view text, std::string_view source);

// Reads and parses the rule file at `path` (at most 1 MiB).
Result<RuleFile> LoadRuleFile(const std::string& path);

// A rule's name and labels as one string, `HighPower{severity="page"}`: what
// identifies it across a reload or restart (as Prometheus's nameAndLabels).
std::string RuleIdentity(const RuleSpec& rule);

// The number of rules in `file`, over all its groups.
size_t RuleCount(const RuleFile& file);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_RULES_RULE_FILE_H_
