#include "aggregator/notify/alertmanager.h"

#include <nlohmann/json.hpp>

#include "aggregator/notify/json_post.h"
#include "common/rfc3339.h"

namespace wattline::aggregator {
namespace {

using Json = nlohmann::json;

// Prometheus's strutil.TableLinkForExpression.
std::string GraphLink(std::string_view external_url, std::string_view expr) {
  return std::string(external_url) + "/graph?g0.expr=" + EscapeQueryParam(std::string(expr)) +
         "&g0.tab=1";
}

}  // namespace

std::string AlertmanagerAlert(const Alert& alert, std::string_view expr,
                              const AlertContext& context) {
  Json labels = Json::object();
  for (const Label& label : alert.labels) labels[label.name] = label.value;
  for (const Label& label : context.external_labels) {
    if (!labels.contains(label.name)) labels[label.name] = label.value;
  }
  Json annotations = Json::object();
  for (const Label& annotation : alert.annotations) annotations[annotation.name] = annotation.value;
  const int64_t ends_ms = alert.resolved_at_ms != 0 ? alert.resolved_at_ms : alert.valid_until_ms;
  Json body = {{"labels", labels},
               {"annotations", annotations},
               {"startsAt", FormatRfc3339(alert.fired_at_ms)},
               {"endsAt", FormatRfc3339(ends_ms)},
               {"generatorURL", GraphLink(context.external_url, expr)}};
  return body.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Status PostAlertmanagerAlerts(const std::string& base_url, const std::vector<std::string>& alerts,
                              int64_t timeout_ms) {
  std::string body = "[";
  for (size_t i = 0; i < alerts.size(); ++i) body += (i ? "," : "") + alerts[i];
  body += "]";
  std::string url = base_url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  return PostJson(url + "/api/v2/alerts", body, timeout_ms);
}

}  // namespace wattline::aggregator
