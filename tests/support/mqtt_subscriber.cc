#include "tests/support/mqtt_subscriber.h"

#include <mosquitto.h>

#include <chrono>
#include <thread>

namespace wattline::testing {

MqttSubscriber::MqttSubscriber(const MosquittoBroker& broker, const std::string& filter)
    : filter_(filter) {
  mosquitto_lib_init();
  mosq_ = mosquitto_new(nullptr, true, this);
  mosquitto_connect_callback_set(mosq_, [](mosquitto* m, void* self, int rc) {
    if (rc == 0) {
      mosquitto_subscribe(m, nullptr, static_cast<MqttSubscriber*>(self)->filter_.c_str(), 1);
    }
  });
  mosquitto_message_callback_set(
      mosq_, [](mosquitto*, void* self_ptr, const mosquitto_message* message) {
        auto* self = static_cast<MqttSubscriber*>(self_ptr);
        std::lock_guard<std::mutex> lock(self->mutex_);
        self->messages_.push_back({message->topic,
                                   std::string(static_cast<const char*>(message->payload),
                                               static_cast<size_t>(message->payloadlen)),
                                   message->retain});
      });
  if (!broker.options().username.empty()) {
    mosquitto_username_pw_set(mosq_, broker.options().username.c_str(),
                              broker.options().password.c_str());
  }
  connected_ =
      mosquitto_connect(mosq_, broker.host().c_str(), broker.port(), 10) == MOSQ_ERR_SUCCESS &&
      mosquitto_loop_start(mosq_) == MOSQ_ERR_SUCCESS;
}

MqttSubscriber::~MqttSubscriber() {
  mosquitto_disconnect(mosq_);
  mosquitto_loop_stop(mosq_, false);
  mosquitto_destroy(mosq_);
}

std::vector<MqttSubscriber::Message> MqttSubscriber::messages() {
  std::lock_guard<std::mutex> lock(mutex_);
  return messages_;
}

std::map<std::string, std::string> MqttSubscriber::Latest() {
  std::map<std::string, std::string> latest;
  for (const Message& m : messages()) latest[m.topic] = m.payload;
  return latest;
}

std::map<std::string, std::string> RetainedMessages(const MosquittoBroker& broker,
                                                    const std::string& filter) {
  MqttSubscriber reader(broker, filter);
  if (!reader.connected()) return {};
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  std::map<std::string, std::string> retained;
  for (const auto& m : reader.messages()) {
    if (m.retained) retained[m.topic] = m.payload;
  }
  return retained;
}

}  // namespace wattline::testing
