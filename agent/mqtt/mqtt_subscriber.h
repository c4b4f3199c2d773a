// A source's subscriptions on the agent's shared MqttClient, with the
// Start/Stop a Source needs.
//
// The client has no unsubscribe and keeps every handler for its lifetime,
// which may be longer than the source's. So the source does not hand the
// client its own handler: it owns an MqttSubscriber, which subscribes once
// (the client resends subscriptions on every reconnect; subscribing again on
// each Start would deliver every message twice) and passes messages on only
// while started and alive. Messages arriving after Stop() or after the
// subscriber is destroyed are dropped.
//
// Thread-safety: loop thread only, as the client's handlers.
#ifndef WATTLINE_AGENT_MQTT_MQTT_SUBSCRIBER_H_
#define WATTLINE_AGENT_MQTT_MQTT_SUBSCRIBER_H_

#include <memory>
#include <string>
#include <vector>

#include "agent/mqtt/mqtt_client.h"

namespace wattline::agent {

class MqttSubscriber {
 public:
  // `client` outlives the subscriber. `handler` gets every message on one of
  // `filters` while started (see MqttClient::Subscribe for matching, QoS 1).
  // REQUIRES: the filters are valid (MqttClient::Subscribe logs and ignores
  // an invalid one).
  MqttSubscriber(MqttClient* client, std::vector<std::string> filters, MqttHandler handler);
  ~MqttSubscriber();
  MqttSubscriber(const MqttSubscriber&) = delete;
  MqttSubscriber& operator=(const MqttSubscriber&) = delete;

  // Subscribes (the first time only) and passes messages on from now.
  void Start();
  // Messages from now on are dropped; Start() passes them on again.
  void Stop();
  bool started() const { return *started_; }

 private:
  MqttClient* client_;
  std::vector<std::string> filters_;
  // Shared with the handlers the client keeps; false once stopped or gone.
  std::shared_ptr<bool> started_ = std::make_shared<bool>(false);
  std::shared_ptr<const MqttHandler> handler_;
  bool subscribed_ = false;
};

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_MQTT_MQTT_SUBSCRIBER_H_
