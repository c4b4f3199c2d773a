// Delivers the queued notifications (notification_queue.h) to their
// receivers on a thread of its own, so a slow or dead receiver never holds
// up rule evaluation. A batch the receiver refuses as it is (HTTP 400, 413,
// 422) is dropped and counted. A batch that fails otherwise stays queued and
// is tried again after a back-off that doubles with each failure in a row
// (1 s up to 5 minutes by default) and resets on a success; each receiver
// (Alertmanager, the webhook, MQTT) has its own, so one that is down does
// not delay the others.
//
// Thread-safety: all methods are thread-safe.
#ifndef WATTLINE_AGGREGATOR_NOTIFY_NOTIFIER_H_
#define WATTLINE_AGGREGATOR_NOTIFY_NOTIFIER_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "aggregator/notify/mqtt_publisher.h"
#include "aggregator/notify/notification_queue.h"
#include "aggregator/rules/alerting_rule.h"
#include "common/clock.h"
#include "common/status.h"

namespace wattline::aggregator {

inline constexpr char kAlertmanagerReceiver[] = "alertmanager";
inline constexpr char kWebhookReceiver[] = "webhook";
inline constexpr char kMqttReceiver[] = "mqtt";

struct NotifierOptions {
  std::string alertmanager_url;  // "" none
  std::string webhook_url;       // "" none
  // External labels and URL: in every alert, and the webhook message's
  // externalURL.
  AlertContext alert_context;
  int64_t min_backoff_ms = 1000;
  int64_t max_backoff_ms = 5 * 60 * 1000;
  int64_t timeout_ms = 10 * 1000;  // per request; for MQTT, per batch's PUBACKs
  int batch = 64;                  // alerts per request
};

class Notifier {
 public:
  // `queue` and `clock` outlive the notifier. With `mqtt`, the "mqtt"
  // receiver publishes through it (mqtt_alert.h); the notifier owns it and
  // stops it after its own thread.
  Notifier(NotifierOptions options, NotificationQueue* queue, const Clock* clock,
           std::unique_ptr<MqttPublisher> mqtt = nullptr);
  // Stops the thread; a request in flight finishes (or times out) first.
  ~Notifier();

  // Queues `alerts` (of a rule whose expression is `expr`) for every
  // receiver, each in the form it is sent, and wakes the thread. A queue
  // that cannot be written is logged: the rules carry on.
  void Queue(std::string_view expr, const std::vector<Alert>& alerts);

  // The receivers, by name, in the order they are served.
  std::vector<std::string> ReceiverNames() const;

  // Something was queued: deliver it now rather than at the next tick.
  void Wake();

  // One delivery round at `now_ms` on the calling thread (the thread calls
  // this): the number of notifications delivered. For tests too.
  int DeliverDue(int64_t now_ms);

 private:
  struct Receiver {
    std::string name;
    // One alert as this receiver is sent it (what its queue holds).
    std::string (*body_of)(const Alert&, std::string_view expr, const AlertContext&);
    std::function<Status(const std::vector<std::string>& bodies)> send;
    int64_t failures_in_a_row = 0;  // under round_mutex_
  };

  // Delivers what is due for one receiver; the number delivered.
  int DeliverDueTo(Receiver& receiver, int64_t now_ms);
  void Run();

  const NotifierOptions options_;
  NotificationQueue* const queue_;
  const Clock* const clock_;
  const std::unique_ptr<MqttPublisher> mqtt_;  // destroyed after thread_ is joined
  std::mutex round_mutex_;                     // one round at a time
  std::vector<Receiver> receivers_;            // fixed once constructed
  std::mutex mutex_;
  std::condition_variable wake_;
  bool woken_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_NOTIFY_NOTIFIER_H_
