#include "agent/mqtt/mqtt_subscriber.h"

#include <utility>

namespace wattline::agent {

MqttSubscriber::MqttSubscriber(MqttClient* client, std::vector<std::string> filters,
                               MqttHandler handler)
    : client_(client),
      filters_(std::move(filters)),
      handler_(std::make_shared<const MqttHandler>(std::move(handler))) {}

MqttSubscriber::~MqttSubscriber() { *started_ = false; }

void MqttSubscriber::Start() {
  *started_ = true;
  if (subscribed_) return;
  subscribed_ = true;
  for (const std::string& filter : filters_) {
    client_->Subscribe(filter,
                       [started = started_, handler = handler_](const MqttMessage& message) {
                         if (*started) (*handler)(message);
                       });
  }
}

void MqttSubscriber::Stop() { *started_ = false; }

}  // namespace wattline::agent
