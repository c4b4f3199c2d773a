// The generic webhook (aggregator/notify/webhook.h) against a real HTTP
// receiver on a run-time port: the message has Alertmanager's webhook shape,
// and a receiver that fails gets the same alerts again after the back-off,
// nothing lost and nothing sent twice once it took them.
#include "aggregator/notify/webhook.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aggregator/notify/notification_queue.h"
#include "aggregator/notify/notifier.h"
#include "common/clock.h"
#include "common/testing/temp_dir.h"
#include "tests/support/child_process.h"
#include "tests/support/webhook_receiver.h"

namespace wattline::testing {
namespace {

using aggregator::Alert;
using aggregator::AlertState;
using Json = nlohmann::json;

// A clock that stands still, so the test decides when retries are due.
class StillClock final : public Clock {
 public:
  int64_t NowUnixMs() const override { return 1'767'225'600'000; }
  int64_t NowMonotonicMs() const override { return 0; }
};

TEST(Webhook, AFailingReceiverGetsTheAlertsAgainAfterTheBackOffInAlertmanagersShape) {
  WebhookReceiver receiver(/*failures=*/2);
  ASSERT_TRUE(receiver.bound());
  TempDir dir;
  StillClock clock;
  const int64_t now_ms = clock.NowUnixMs();
  auto queue = aggregator::NotificationQueue::Open(dir.File("notifications.db"));
  ASSERT_TRUE(queue.ok()) << queue.status().ToString();
  const aggregator::AlertContext context{{{"site", "home"}}, "http://wattline:9780"};
  Alert firing;
  firing.state = AlertState::kFiring;
  firing.labels = {{"alertname", "HighPower"}, {"device", "oven"}};
  firing.annotations = {{"summary", "oven draws 3 kW"}};
  firing.fired_at_ms = now_ms - 60'000;
  firing.valid_until_ms = now_ms + 240'000;
  Alert resolved = firing;
  resolved.state = AlertState::kInactive;
  resolved.labels[1].value = "kettle";
  resolved.resolved_at_ms = now_ms - 1000;
  ASSERT_TRUE((*queue)
                  ->Enqueue(aggregator::kWebhookReceiver,
                            {aggregator::WebhookAlert(firing, "power_watts > 1800", context),
                             aggregator::WebhookAlert(resolved, "power_watts > 1800", context)},
                            now_ms)
                  .ok());
  aggregator::NotifierOptions options;
  options.webhook_url = receiver.url();
  options.alert_context = context;
  aggregator::Notifier notifier(options, queue->get(), &clock);

  // The background round and ours: the first attempt fails, and nothing is
  // due again within the back-off (1 s).
  EXPECT_EQ(notifier.DeliverDue(now_ms), 0);
  EXPECT_EQ(notifier.DeliverDue(now_ms + 999), 0);
  EXPECT_EQ(receiver.requests(), 1);
  EXPECT_EQ(notifier.DeliverDue(now_ms + 1000), 0) << "the second failure";
  EXPECT_EQ(notifier.DeliverDue(now_ms + 2999), 0) << "the back-off doubled to 2 s";
  EXPECT_EQ(notifier.DeliverDue(now_ms + 3000), 2);
  EXPECT_EQ(notifier.DeliverDue(now_ms + 100'000), 0) << "nothing twice";
  EXPECT_EQ((*queue)->Counts().retried, 4u);
  EXPECT_EQ(*(*queue)->Pending(), 0);

  ASSERT_EQ(receiver.taken().size(), 1u);
  const Json message = Json::parse(receiver.taken()[0]);
  EXPECT_EQ(message["version"], "4");
  EXPECT_EQ(message["receiver"], "wattline");
  EXPECT_EQ(message["status"], "firing");
  EXPECT_EQ(message["externalURL"], "http://wattline:9780");
  ASSERT_EQ(message["alerts"].size(), 2u);
  EXPECT_EQ(message["alerts"][0]["status"], "firing");
  EXPECT_EQ(message["alerts"][0]["labels"],
            Json::parse(R"({"alertname":"HighPower","device":"oven","site":"home"})"));
  EXPECT_EQ(message["alerts"][0]["annotations"]["summary"], "oven draws 3 kW");
  EXPECT_EQ(message["alerts"][0]["endsAt"], "2026-01-01T00:04:00Z");
  EXPECT_EQ(message["alerts"][1]["status"], "resolved");
  EXPECT_EQ(message["alerts"][1]["endsAt"], "2025-12-31T23:59:59Z");
}

TEST(Webhook, AReceiverThatRefusesTheBodyHasItDroppedAndCountedNotRetried) {
  WebhookReceiver receiver(/*failures=*/1, /*failure_status=*/400);
  ASSERT_TRUE(receiver.bound());
  TempDir dir;
  StillClock clock;
  const int64_t now_ms = clock.NowUnixMs();
  auto queue = aggregator::NotificationQueue::Open(dir.File("notifications.db"));
  ASSERT_TRUE(queue.ok()) << queue.status().ToString();
  Alert firing;
  firing.state = AlertState::kFiring;
  firing.labels = {{"alertname", "HighPower"}};
  firing.fired_at_ms = now_ms;
  firing.valid_until_ms = now_ms + 240'000;
  const std::string body = aggregator::WebhookAlert(firing, "power_watts > 1800", {});
  ASSERT_TRUE((*queue)->Enqueue(aggregator::kWebhookReceiver, {body}, now_ms).ok());
  aggregator::NotifierOptions options;
  options.webhook_url = receiver.url();
  aggregator::Notifier notifier(options, queue->get(), &clock);

  notifier.DeliverDue(now_ms);
  EXPECT_EQ(receiver.requests(), 1);
  EXPECT_EQ((*queue)->Counts().rejected, 1u);
  EXPECT_EQ((*queue)->Counts().retried, 0u);
  EXPECT_EQ(*(*queue)->Pending(), 0) << "not kept for a retry";
  // No back-off either: the next alert goes at once.
  ASSERT_TRUE((*queue)->Enqueue(aggregator::kWebhookReceiver, {body}, now_ms).ok());
  notifier.DeliverDue(now_ms);
  EXPECT_EQ(receiver.taken().size(), 1u);
  EXPECT_EQ(*(*queue)->Pending(), 0);
}

}  // namespace
}  // namespace wattline::testing
