// Alert label and annotation templates: the part of Go's text/template that
// Prometheus's alert templates use (docs/rules.md, "Templates").
//
//   {{ $labels.agent }} has been silent for {{ $value | humanizeDuration }}
//   {{ if gt $value 250.0 }}over{{ else }}under{{ end }} the limit
//   {{ range $name, $v := $labels }}{{ $name }}={{ $v }} {{ end }}
//
// As in Prometheus, $labels, $externalLabels, $externalURL and $value are
// defined before the text (and . holds .Labels, .ExternalLabels,
// .ExternalURL and .Value). Supported: text and actions with {{- -}}
// trimming and comments; pipelines with |; variables (:= and =); string,
// raw string, number, true, false and nil literals; field and map-key
// chains; parentheses; if / else if / else, with / else and range over a
// map (sorted by key) with end; Go's and, or, not, len, index, eq, ne, lt,
// le, gt, ge, print, printf, println, html, js and urlquery; Prometheus's
// humanize, humanize1024, humanizeDuration, humanizePercentage,
// humanizeTimestamp, title, toUpper, toLower, match, reReplaceAll,
// stripPort and safeHtml. Not supported (refused when parsed, so
// check-rules names them): the functions that run queries (query, first,
// label, value, strvalue, sortByLabel), args, pathPrefix, tableLink,
// define, template and block.
//
// Thread-safety: an AlertTemplate is immutable; Expand may run on several
// threads at once.
#ifndef WATTLINE_AGGREGATOR_RULES_ALERT_TEMPLATE_H_
#define WATTLINE_AGGREGATOR_RULES_ALERT_TEMPLATE_H_

#include <memory>
#include <string>
#include <string_view>

#include "common/labels.h"
#include "common/status.h"

namespace wattline::aggregator {

// What an alert's templates see.
struct AlertTemplateData {
  const Labels* labels = nullptr;           // the alert's labels
  const Labels* external_labels = nullptr;  // may be null: none
  std::string external_url;
  double value = 0;  // the alert's sample value
};

class AlertTemplate {
 public:
  struct Node;

  // The expanded text. Errors (InvalidArgument) as Go's: a function given
  // the wrong arguments, humanize of a string that is no number, ...
  Result<std::string> Expand(const AlertTemplateData& data) const;

 private:
  friend Result<AlertTemplate> ParseAlertTemplate(std::string_view text);
  std::shared_ptr<const Node> root_;
};

// Parses `text`. Errors: InvalidArgument, "LINE: message" as Go's
// template parser gives them (line 1 is the text's first).
Result<AlertTemplate> ParseAlertTemplate(std::string_view text);

// What Prometheus puts in place of a label or annotation whose template
// `name` ("__alert_" and the rule's name) failed with Expand's `message`:
// "<error expanding template: error executing template NAME: template:
// NAME:1:115: executing "NAME" at <humanize $labels.phase>: ...>".
std::string PrometheusTemplateError(std::string_view name, std::string_view message);

// Go's %v of a float64 (strconv 'g', shortest): 0.1, 1e+06, 1.5e-07, NaN,
// +Inf. $value prints this way.
std::string FormatGoFloatG(double value);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_RULES_ALERT_TEMPLATE_H_
