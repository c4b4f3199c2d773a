// Alertmanager's v2 API (POST /api/v2/alerts), as Prometheus 2.42's
// notifier sends to it: each alert with its labels (the aggregator's
// external labels added where the alert has none of that name), its
// annotations, startsAt (when it fired), endsAt (when it resolved, or
// while firing its valid-until: Alertmanager resolves it by itself if the
// aggregator goes quiet) and a generatorURL back to its expression.
//
// Thread-safety: pure functions; PostAlertmanagerAlerts blocks on the
// network.
#ifndef WATTLINE_AGGREGATOR_NOTIFY_ALERTMANAGER_H_
#define WATTLINE_AGGREGATOR_NOTIFY_ALERTMANAGER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "aggregator/rules/alerting_rule.h"
#include "common/status.h"

namespace wattline::aggregator {

// One alert as a JSON object of the v2 API's PostableAlert.
std::string AlertmanagerAlert(const Alert& alert, std::string_view expr,
                              const AlertContext& context);

// POSTs `alerts` (AlertmanagerAlert's objects) as one JSON array to
// `base_url` ("http://host:port", a path prefix allowed) + /api/v2/alerts.
// Errors: Unavailable (no connection, a timeout, a 5xx or 429: worth a
// retry), InvalidArgument (a bad URL; another 4xx: Alertmanager refused the
// body), each naming the URL and the answer.
Status PostAlertmanagerAlerts(const std::string& base_url, const std::vector<std::string>& alerts,
                              int64_t timeout_ms);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_NOTIFY_ALERTMANAGER_H_
