// A generic JSON webhook (notify.webhook_url), in the shape of
// Alertmanager's webhook (version 4), so receivers written for it work:
//
//   POST <webhook_url>
//   {"version": "4", "receiver": "wattline", "status": "firing",
//    "externalURL": "http://wattline:9780",
//    "alerts": [{"status": "firing",            // or "resolved"
//                "labels": {"alertname": "HighPower", "device": "oven"},
//                "annotations": {"summary": "oven draws 3 kW"},
//                "startsAt": "2026-01-01T00:05:00Z",
//                "endsAt": "2026-01-01T00:09:00Z",   // resolved, or valid until
//                "generatorURL": "http://wattline:9780/graph?g0.expr=..."}]}
//
// "status" of the whole is "firing" when any alert in it is. Up to 64
// alerts a request; a receiver that answers other than 2xx gets them again
// (notifier.h), so it should accept one alert twice alike.
//
// Thread-safety: pure functions; PostWebhook blocks on the network.
#ifndef WATTLINE_AGGREGATOR_NOTIFY_WEBHOOK_H_
#define WATTLINE_AGGREGATOR_NOTIFY_WEBHOOK_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "aggregator/rules/alerting_rule.h"
#include "common/status.h"

namespace wattline::aggregator {

// One alert of the "alerts" list, as JSON.
std::string WebhookAlert(const Alert& alert, std::string_view expr, const AlertContext& context);

// POSTs `alerts` (WebhookAlert's objects) in one message to `url`. Errors
// as PostJson's (json_post.h).
Status PostWebhook(const std::string& url, const std::string& external_url,
                   const std::vector<std::string>& alerts, int64_t timeout_ms);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_NOTIFY_WEBHOOK_H_
