#include "aggregator/notify/notifier.h"

#include <vector>

#include "aggregator/notify/alertmanager.h"
#include "aggregator/notify/mqtt_alert.h"
#include "aggregator/notify/webhook.h"
#include "common/doubling_delay.h"
#include "common/log.h"

namespace wattline::aggregator {

Notifier::Notifier(NotifierOptions options, NotificationQueue* queue, const Clock* clock,
                   std::unique_ptr<MqttPublisher> mqtt)
    : options_(std::move(options)), queue_(queue), clock_(clock), mqtt_(std::move(mqtt)) {
  const int64_t timeout = options_.timeout_ms;
  if (!options_.alertmanager_url.empty()) {
    receivers_.push_back(
        {kAlertmanagerReceiver, &AlertmanagerAlert, [this, timeout](const auto& bodies) {
           return PostAlertmanagerAlerts(options_.alertmanager_url, bodies, timeout);
         }});
  }
  if (!options_.webhook_url.empty()) {
    receivers_.push_back({kWebhookReceiver, &WebhookAlert, [this, timeout](const auto& bodies) {
                            return PostWebhook(options_.webhook_url,
                                               options_.alert_context.external_url, bodies,
                                               timeout);
                          }});
  }
  if (mqtt_ != nullptr) {
    receivers_.push_back({kMqttReceiver, &MqttAlert, [this, timeout](const auto& bodies) -> Status {
                            std::vector<MqttMessage> messages;
                            for (const std::string& body : bodies) {
                              auto alert = MqttAlertMessages(mqtt_->options(), body);
                              if (!alert.ok()) continue;  // queued by this code: never
                              for (MqttMessage& m : *alert) messages.push_back(std::move(m));
                            }
                            return mqtt_->Publish(messages, timeout);
                          }});
  }
  thread_ = std::thread([this] { Run(); });
}

Notifier::~Notifier() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void Notifier::Queue(std::string_view expr, const std::vector<Alert>& alerts) {
  for (const Receiver& receiver : receivers_) {
    std::vector<std::string> bodies;
    for (const Alert& alert : alerts) {
      bodies.push_back(receiver.body_of(alert, expr, options_.alert_context));
    }
    Status queued = queue_->Enqueue(receiver.name, bodies, clock_->NowUnixMs());
    if (!queued.ok()) LogError("notify", "alerts not queued: " + queued.message());
  }
  Wake();
}

std::vector<std::string> Notifier::ReceiverNames() const {
  std::vector<std::string> names;
  for (const Receiver& receiver : receivers_) names.push_back(receiver.name);
  return names;
}

void Notifier::Wake() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    woken_ = true;
  }
  wake_.notify_all();
}

int Notifier::DeliverDue(int64_t now_ms) {
  std::lock_guard<std::mutex> round(round_mutex_);
  int delivered = 0;
  for (Receiver& receiver : receivers_) delivered += DeliverDueTo(receiver, now_ms);
  return delivered;
}

int Notifier::DeliverDueTo(Receiver& receiver, int64_t now_ms) {
  int delivered = 0;
  for (;;) {
    Result<std::vector<QueuedNotification>> due =
        queue_->Due(receiver.name, now_ms, options_.batch);
    if (!due.ok()) {
      LogWarning("notify", "cannot read the notification queue: " + due.status().message());
      return delivered;
    }
    if (due->empty()) return delivered;
    std::vector<std::string> bodies;
    std::vector<int64_t> ids;
    for (QueuedNotification& item : *due) {
      bodies.push_back(std::move(item.body));
      ids.push_back(item.id);
    }
    Status sent = receiver.send(bodies);
    if (sent.code() == Status::Code::kFailedPrecondition) {
      LogWarning("notify", receiver.name + ": " + sent.message() + "; " +
                               std::to_string(ids.size()) + " alerts dropped, refused as they are");
      Status removed = queue_->Rejected(ids);
      if (!removed.ok()) {
        LogWarning("notify", "cannot remove refused alerts: " + removed.message());
        return delivered;
      }
      continue;
    }
    if (!sent.ok()) {
      ++receiver.failures_in_a_row;
      const int64_t backoff = DoublingDelayMs(options_.min_backoff_ms, options_.max_backoff_ms,
                                              receiver.failures_in_a_row);
      // Logged at the first failure in a row and then at most every ten.
      if (receiver.failures_in_a_row % 10 == 1) {
        LogWarning("notify", receiver.name + ": " + sent.message() + "; " +
                                 std::to_string(ids.size()) + " alerts kept, retried in " +
                                 std::to_string(backoff) + " ms");
      }
      Status kept = queue_->Failed(ids, now_ms + backoff);
      if (!kept.ok()) LogWarning("notify", "cannot note the failure: " + kept.message());
      return delivered;
    }
    receiver.failures_in_a_row = 0;
    Status done = queue_->Delivered(ids);
    if (!done.ok()) {
      // They will be sent again: receivers take an alert twice alike.
      LogWarning("notify", "cannot remove delivered alerts: " + done.message());
      return delivered;
    }
    delivered += static_cast<int>(ids.size());
  }
}

void Notifier::Run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    DeliverDue(clock_->NowUnixMs());
    lock.lock();
    // A second at most: retries come due without a wake.
    wake_.wait_for(lock, std::chrono::seconds(1), [this] { return woken_ || stopping_; });
    woken_ = false;
  }
}

}  // namespace wattline::aggregator
