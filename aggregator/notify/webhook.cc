#include "aggregator/notify/webhook.h"

#include <nlohmann/json.hpp>

#include "aggregator/notify/alertmanager.h"
#include "aggregator/notify/json_post.h"

namespace wattline::aggregator {

using Json = nlohmann::ordered_json;

std::string WebhookAlert(const Alert& alert, std::string_view expr, const AlertContext& context) {
  // Alertmanager's alert with its status in front.
  Json object = {{"status", alert.state == AlertState::kInactive ? "resolved" : "firing"}};
  object.update(Json::parse(AlertmanagerAlert(alert, expr, context)));
  return object.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Status PostWebhook(const std::string& url, const std::string& external_url,
                   const std::vector<std::string>& alerts, int64_t timeout_ms) {
  Json list = Json::array();
  bool firing = false;
  for (const std::string& text : alerts) {
    Json alert = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (alert.is_discarded()) continue;  // queued by this code: never
    firing |= alert.value("status", "") == "firing";
    list.push_back(std::move(alert));
  }
  const Json body = {{"version", "4"},
                     {"receiver", "wattline"},
                     {"status", firing ? "firing" : "resolved"},
                     {"externalURL", external_url},
                     {"alerts", std::move(list)}};
  return PostJson(url, body.dump(-1, ' ', false, Json::error_handler_t::replace), timeout_ms);
}

}  // namespace wattline::aggregator
