// The aggregator's connection to an MQTT broker (notify.mqtt_url), through
// which the notifier (notifier.h) publishes alerts (mqtt_alert.h).
//
// One persistent connection, MQTT 3.1.1 with a clean session, driven by a
// thread of the publisher's own that runs mosquitto_loop() (libmosquitto in
// "external thread" mode: mosquitto_threaded_set). Why a thread rather than
// the notifier's thread: the connection must stay up between deliveries, or
// the broker would drop it after the keep-alive and fire our last will,
// telling Home Assistant the alerts are unavailable while nothing is wrong.
// Why not mosquitto_loop_start(): its thread gives up for good on errors it
// deems fatal (a failed name lookup, TLS, a refused login), and a broker that
// is not resolvable at boot would then never be reached; this thread retries
// every failure, backing off from broker.reconnect.initial_ms (doubling) to
// broker.reconnect.max_ms, and gives up on a connection without CONNACK after
// connect_timeout_ms.
//
// Availability: the will is <topic_prefix>/status "offline" (retained,
// QoS 1), so the broker says so when the aggregator vanishes; on every
// connect the thread publishes "online" there, and a clean stop publishes
// "offline" before disconnecting.
//
// Delivery: Publish() sends each message retained with QoS 1 and returns OK
// only once the broker has acknowledged every one (PUBACK), so a
// notification counts as delivered only when the broker has it. A Publish()
// that fails (not connected in time, connection lost, no PUBACK within the
// timeout) is repeated by the notifier after its back-off; libmosquitto may
// also resend the unacknowledged messages itself after reconnecting. Either
// way a topic's last message is the newest state: the messages are retained
// states, so receiving one twice changes nothing.
//
// Thread-safety: Publish() may be called from any one thread at a time;
// Start() and the destructor from the owning thread.
//
// REQUIRES: SIGPIPE is ignored in the process (the aggregator's main does):
// libmosquitto writes to a plain socket with write(2).
#ifndef WATTLINE_AGGREGATOR_NOTIFY_MQTT_PUBLISHER_H_
#define WATTLINE_AGGREGATOR_NOTIFY_MQTT_PUBLISHER_H_

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "aggregator/notify/mqtt_publisher_options.h"
#include "common/status.h"

struct mosquitto;

namespace wattline::aggregator {

class MqttPublisher {
 public:
  // Checks `options`, makes the client (reading the TLS files) and starts
  // the connection thread; does not wait for the broker. An empty client id
  // gets DefaultMqttClientId().
  // Errors: CheckMqttPublisherOptions's; NewMosquitto's (a TLS file that
  // cannot be read; out of memory).
  static Result<std::unique_ptr<MqttPublisher>> Start(MqttPublisherOptions options);

  // Publishes "offline", disconnects (waiting at most a second for each) and
  // stops the thread.
  ~MqttPublisher();
  MqttPublisher(const MqttPublisher&) = delete;
  MqttPublisher& operator=(const MqttPublisher&) = delete;

  // Publishes `messages` in order (retained, QoS 1) and waits until the
  // broker acknowledged them all, waiting for a connection first if there is
  // none; everything within `timeout_ms`.
  // Errors: kUnavailable (not connected in time, with the last connection
  // error; the connection lost; no PUBACK in time), or MosquittoStatus's for
  // a message libmosquitto refuses (kInvalidArgument for a bad topic).
  Status Publish(const std::vector<MqttMessage>& messages, int64_t timeout_ms);

  const MqttPublisherOptions& options() const { return options_; }

 private:
  explicit MqttPublisher(MqttPublisherOptions options);
  void Run();
  // One connection from connect to loss; whether CONNACK came.
  bool RunConnection();
  std::string Where() const;
  // `status` with libmosquitto's logged reason added when `rc` is a TLS
  // error ("certificate verify failed"). REQUIRES: mutex_ held.
  Status WithTlsReason(int rc, Status status) const;

  static void OnConnectCb(mosquitto* mosq, void* self, int rc);
  static void OnDisconnectCb(mosquitto* mosq, void* self, int rc);
  static void OnPublishCb(mosquitto* mosq, void* self, int mid);
  static void OnLogCb(mosquitto* mosq, void* self, int level, const char* line);

  const MqttPublisherOptions options_;
  const std::string status_topic_;
  mosquitto* mosq_ = nullptr;
  std::mutex mutex_;
  std::condition_variable changed_;
  // Under mutex_.
  bool connected_ = false;
  uint64_t connections_ = 0;  // CONNACKs so far: a waiter tells a reconnect apart
  bool stopping_ = false;
  Status last_error_;     // why the connection is not up, for Publish()'s errors
  Status attempt_error_;  // what the callbacks learnt during this attempt
  std::set<int> acked_;   // message ids acknowledged since the last Publish() began
  std::string log_error_;  // libmosquitto's last error line: OpenSSL's reason for a TLS error
  std::thread thread_;
};

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_NOTIFY_MQTT_PUBLISHER_H_
