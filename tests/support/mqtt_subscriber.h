// A libmosquitto subscriber for tests, on its own thread
// (mosquitto_loop_start): keeps every message under a topic filter, the
// retained ones flagged, so a test can see what a broker holds and what
// arrives.
//
// Thread-safety: messages() and Latest() may be called while messages arrive.
#ifndef WATTLINE_TESTS_SUPPORT_MQTT_SUBSCRIBER_H_
#define WATTLINE_TESTS_SUPPORT_MQTT_SUBSCRIBER_H_

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "tests/support/mosquitto_broker.h"

struct mosquitto;

namespace wattline::testing {

class MqttSubscriber {
 public:
  struct Message {
    std::string topic;
    std::string payload;
    bool retained = false;
  };

  // Connects to the broker's plain listener (with the broker's credentials,
  // if it has them) and subscribes to `filter` with QoS 1 once connected.
  MqttSubscriber(const MosquittoBroker& broker, const std::string& filter);
  ~MqttSubscriber();
  MqttSubscriber(const MqttSubscriber&) = delete;
  MqttSubscriber& operator=(const MqttSubscriber&) = delete;

  bool connected() const { return connected_; }
  std::vector<Message> messages();
  // The last message on each topic.
  std::map<std::string, std::string> Latest();

 private:
  const std::string filter_;
  mosquitto* mosq_ = nullptr;
  bool connected_ = false;
  std::mutex mutex_;
  std::vector<Message> messages_;
};

// What the broker holds retained under `filter`: a fresh subscriber's
// retained messages, read for a moment (300 ms) after it subscribed. Empty
// when it cannot connect.
std::map<std::string, std::string> RetainedMessages(const MosquittoBroker& broker,
                                                    const std::string& filter);

}  // namespace wattline::testing

#endif  // WATTLINE_TESTS_SUPPORT_MQTT_SUBSCRIBER_H_
