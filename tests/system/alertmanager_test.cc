// Alerts reach a real Alertmanager (Debian's prometheus-alertmanager,
// started on a run-time port): a firing alert is listed active with its
// labels, annotations and generator URL; its resolution ends it there; and
// alerts queued while Alertmanager was down are delivered once it is up,
// across a restart of the sender.
#include "aggregator/notify/alertmanager.h"

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aggregator/notify/notification_queue.h"
#include "aggregator/notify/notifier.h"
#include "common/clock.h"
#include "common/testing/temp_dir.h"
#include "tests/support/alertmanager_process.h"
#include "tests/support/child_process.h"

namespace wattline::testing {
namespace {

using aggregator::Alert;
using aggregator::AlertState;
using Json = nlohmann::json;

class AlertmanagerDelivery : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string missing = AlertmanagerProcess::Missing();
    if (!missing.empty()) GTEST_SKIP() << "SKIPPED: " << missing;
  }

  void StartAlertmanager() {
    Status started = alertmanager_.Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
  }

  Json AlertsNamed(const std::string& name) { return alertmanager_.AlertsNamed(name); }
  std::string Url() const { return alertmanager_.url(); }

  static Alert Firing(const std::string& device, int64_t now_ms) {
    Alert alert;
    alert.state = AlertState::kFiring;
    alert.labels = {{"alertname", "HighPower"}, {"device", device}, {"severity", "page"}};
    alert.annotations = {{"summary", device + " draws 3 kW"}};
    alert.value = 3000;
    alert.active_at_ms = now_ms - 300'000;
    alert.fired_at_ms = now_ms - 60'000;
    alert.last_sent_ms = now_ms;
    alert.valid_until_ms = now_ms + 4 * 60'000;
    return alert;
  }

  TempDir dir_;
  SystemClock clock_;
  AlertmanagerProcess alertmanager_;
};

TEST_F(AlertmanagerDelivery, AFiringAlertIsActiveThereAndItsResolutionEndsIt) {
  StartAlertmanager();
  const aggregator::AlertContext context{{{"site", "home"}}, "http://wattline:9780"};
  const int64_t now_ms = clock_.NowUnixMs();
  Status sent = aggregator::PostAlertmanagerAlerts(
      Url(), {aggregator::AlertmanagerAlert(Firing("oven", now_ms), "power_watts > 1800", context)},
      5000);
  ASSERT_TRUE(sent.ok()) << sent.ToString();
  Json alerts = AlertsNamed("HighPower");
  ASSERT_EQ(alerts.size(), 1u) << alerts.dump();
  EXPECT_EQ(
      alerts[0]["labels"],
      Json::parse(R"({"alertname":"HighPower","device":"oven","severity":"page","site":"home"})"));
  EXPECT_EQ(alerts[0]["annotations"]["summary"], "oven draws 3 kW");
  EXPECT_EQ(alerts[0]["status"]["state"], "active");
  EXPECT_EQ(alerts[0]["generatorURL"],
            "http://wattline:9780/graph?g0.expr=power_watts%20%3E%201800&g0.tab=1");

  Alert resolved = Firing("oven", now_ms);
  resolved.state = AlertState::kInactive;
  resolved.resolved_at_ms = now_ms - 1000;
  sent = aggregator::PostAlertmanagerAlerts(
      Url(), {aggregator::AlertmanagerAlert(resolved, "power_watts > 1800", context)}, 5000);
  ASSERT_TRUE(sent.ok()) << sent.ToString();
  // Alertmanager lists an ended alert no longer (nor as active).
  EXPECT_TRUE(WaitFor([&] { return AlertsNamed("HighPower").empty(); }, 5000))
      << AlertsNamed("HighPower").dump();
}

TEST_F(AlertmanagerDelivery, AlertsQueuedWhileItIsDownArriveAfterARestart) {
  const aggregator::AlertContext context{{}, ""};
  const int64_t now_ms = clock_.NowUnixMs();
  aggregator::NotifierOptions options;
  options.alertmanager_url = Url();
  options.timeout_ms = 1000;
  {
    auto queue = aggregator::NotificationQueue::Open(dir_.File("notifications.db"));
    ASSERT_TRUE(queue.ok()) << queue.status().ToString();
    ASSERT_TRUE(
        (*queue)
            ->Enqueue(aggregator::kAlertmanagerReceiver,
                      {aggregator::AlertmanagerAlert(Firing("oven", now_ms), "x", context),
                       aggregator::AlertmanagerAlert(Firing("kettle", now_ms), "x", context)},
                      now_ms)
            .ok());
    aggregator::Notifier notifier(options, queue->get(), &clock_);
    EXPECT_EQ(notifier.DeliverDue(now_ms), 0) << "Alertmanager is not up";
    EXPECT_EQ(*(*queue)->Pending(), 2);
    EXPECT_EQ((*queue)->Counts().retried, 2u);
  }
  // The aggregator restarts, and Alertmanager comes up.
  StartAlertmanager();
  auto queue = aggregator::NotificationQueue::Open(dir_.File("notifications.db"));
  ASSERT_TRUE(queue.ok()) << queue.status().ToString();
  EXPECT_EQ(*(*queue)->Pending(), 2) << "kept across the restart";
  aggregator::Notifier notifier(options, queue->get(), &clock_);
  ASSERT_TRUE(WaitFor([&] { return AlertsNamed("HighPower").size() == 2; }, 10000))
      << AlertsNamed("HighPower").dump();
  EXPECT_TRUE(WaitFor([&] { return *(*queue)->Pending() == 0; }, 5000));
}

}  // namespace
}  // namespace wattline::testing
