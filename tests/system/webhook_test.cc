// The generic webhook (aggregator/notify/webhook.h) against a real HTTP
// receiver on a run-time port: the message has Alertmanager's webhook shape,
// and a receiver that fails gets the same alerts again after the back-off,
// nothing lost and nothing sent twice once it took them.
#include "aggregator/notify/webhook.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "aggregator/notify/notification_queue.h"
#include "aggregator/notify/notifier.h"
#include "common/clock.h"
#include "common/testing/temp_dir.h"
#include "tests/support/child_process.h"
#include "tests/support/free_ports.h"

namespace wattline::testing {
namespace {

using aggregator::Alert;
using aggregator::AlertState;
using Json = nlohmann::json;

// Answers 500 to its first `failures` requests, 200 after; keeps the bodies
// it answered 200.
class Receiver {
 public:
  explicit Receiver(int failures) : failures_(failures) {
    PickFreePorts({&port_});
    server_.Post("/hook", [this](const httplib::Request& request, httplib::Response& response) {
      std::lock_guard<std::mutex> lock(mutex_);
      ++requests_;
      if (failures_ > 0) {
        --failures_;
        response.status = 500;
        return;
      }
      taken_.push_back(request.body);
      response.status = 200;
    });
    // Bound before the thread: requests queue until it listens.
    bound_ = server_.bind_to_port("127.0.0.1", port_);
    thread_ = std::thread([this] {
      if (bound_) server_.listen_after_bind();
    });
  }
  ~Receiver() {
    server_.stop();
    thread_.join();
  }
  bool bound() const { return bound_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
  std::vector<std::string> taken() {
    std::lock_guard<std::mutex> lock(mutex_);
    return taken_;
  }
  int requests() {
    std::lock_guard<std::mutex> lock(mutex_);
    return requests_;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  bool bound_ = false;
  std::thread thread_;
  std::mutex mutex_;
  int failures_;
  int requests_ = 0;
  std::vector<std::string> taken_;
};

// A clock that stands still, so the test decides when retries are due.
class StillClock final : public Clock {
 public:
  int64_t NowUnixMs() const override { return 1'767'225'600'000; }
  int64_t NowMonotonicMs() const override { return 0; }
};

TEST(Webhook, AFailingReceiverGetsTheAlertsAgainAfterTheBackOffInAlertmanagersShape) {
  Receiver receiver(/*failures=*/2);
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
  options.external_url = context.external_url;
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

}  // namespace
}  // namespace wattline::testing
