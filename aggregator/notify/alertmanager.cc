#include "aggregator/notify/alertmanager.h"

#include <httplib.h>

#include <nlohmann/json.hpp>

#include "common/rfc3339.h"

namespace wattline::aggregator {
namespace {

using Json = nlohmann::json;

// Prometheus's strutil.TableLinkForExpression.
std::string GraphLink(std::string_view external_url, std::string_view expr) {
  return std::string(external_url) +
         "/graph?g0.expr=" + httplib::detail::encode_query_param(std::string(expr)) + "&g0.tab=1";
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
  // scheme://host[:port][/prefix]
  const size_t scheme_end = base_url.find("://");
  if (scheme_end == std::string::npos || base_url.compare(0, scheme_end, "http") != 0) {
    return Status::InvalidArgument("alertmanager URL \"" + base_url +
                                   "\" is not http://host:port[/prefix]");
  }
  const size_t path_start = base_url.find('/', scheme_end + 3);
  const std::string origin = base_url.substr(0, path_start);
  std::string prefix = path_start == std::string::npos ? "" : base_url.substr(path_start);
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  std::string body = "[";
  for (size_t i = 0; i < alerts.size(); ++i) body += (i ? "," : "") + alerts[i];
  body += "]";
  httplib::Client client(origin);
  const time_t seconds = static_cast<time_t>(timeout_ms / 1000);
  const time_t micros = static_cast<time_t>(timeout_ms % 1000 * 1000);
  client.set_connection_timeout(seconds, micros);
  client.set_read_timeout(seconds, micros);
  client.set_write_timeout(seconds, micros);
  const std::string url = base_url + "/api/v2/alerts";
  httplib::Result result = client.Post(prefix + "/api/v2/alerts", body, "application/json");
  if (!result) {
    return Status::Unavailable("cannot post to " + url + ": " + httplib::to_string(result.error()));
  }
  if (result->status / 100 == 2) return Status::Ok();
  const std::string answer =
      "POST " + url + " answered " + std::to_string(result->status) + ": " + result->body;
  if (result->status / 100 == 5 || result->status == 429) return Status::Unavailable(answer);
  return Status::InvalidArgument(answer);
}

}  // namespace wattline::aggregator
