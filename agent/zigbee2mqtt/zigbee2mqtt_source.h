// `type: zigbee2mqtt`: Zigbee devices (metering plugs, sensors) through a
// Zigbee2MQTT bridge, read from the agent's shared MQTT connection.
//
// Subscribes to <base_topic>/# once. Topics are resolved with
// zigbee2mqtt_topics.h against the device list of bridge/devices (devices
// are keyed by IEEE address; the `device` label follows the friendly name,
// also across renames: bridge/devices republished, bridge/event
// device_renamed, bridge/response/device/rename). State messages become
// samples (zigbee2mqtt_state_mapper.h, units from the exposes) stamped with
// their arrival time; retained state messages are skipped, since their age
// is unknown (Zigbee2MQTT retains state only when configured to; the next
// report follows soon). Availability becomes device_online{device} 1/0 at
// once and again every `availability_interval` while it is known, so the
// series does not go stale between changes. It is 0 for every device while
// bridge/state says the bridge is offline, and forgotten while the broker
// connection is down (retained availability comes again on reconnect).
//
// Per-device health (DeviceHealth) for each included device in the list:
// polls = state and availability messages handled, errors by reason
// (malformed: payload not understood), last success = last state message
// understood.
//
// Thread-safety: loop thread only, as the MQTT client's handlers.
#ifndef WATTLINE_AGENT_ZIGBEE2MQTT_ZIGBEE2MQTT_SOURCE_H_
#define WATTLINE_AGENT_ZIGBEE2MQTT_ZIGBEE2MQTT_SOURCE_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/loop/timer.h"
#include "agent/mqtt/mqtt_subscriber.h"
#include "agent/sources/device_online.h"
#include "agent/sources/source.h"
#include "agent/zigbee2mqtt/zigbee2mqtt_devices.h"
#include "agent/zigbee2mqtt/zigbee2mqtt_series.h"
#include "agent/zigbee2mqtt/zigbee2mqtt_topics.h"
#include "common/clock.h"
#include "common/log.h"

namespace wattline::agent {

struct Zigbee2MqttOptions {
  std::string base_topic = "zigbee2mqtt";
  // Put before every device label.
  std::string device_prefix;
  // Friendly names or IEEE addresses. include empty: every device.
  std::vector<std::string> include;
  std::vector<std::string> exclude;
  // Friendly name or IEEE address -> device label (before the prefix). A
  // friendly name applies to whichever device has that name.
  std::map<std::string, std::string, std::less<>> rename;
  int64_t availability_interval_ms = kDeviceOnlineRepeatMs;
};

class Zigbee2MqttSource final : public Source {
 public:
  // Devices beyond this many are ignored, and logged.
  static constexpr size_t kMaxDevices = 1000;

  // `loop`, `client` and `clock` outlive the source.
  Zigbee2MqttSource(uv_loop_t* loop, Zigbee2MqttOptions options, MqttClient* client,
                    const Clock* clock, SampleSink sink);

  // Subscribes (once) and starts the availability timer. Errors: from the
  // timer.
  Status Start() override;
  // Messages arriving after Stop() are ignored (the client keeps the
  // subscription; it has no unsubscribe).
  void Stop() override;
  // "zigbee2mqtt <base_topic>".
  const std::string& name() const override { return name_; }
  void AppendHealth(std::vector<DeviceHealth>* out) const override;

 private:
  struct Device {
    std::string ieee_address;  // "" while known only by its topic
    std::string friendly_name;
    std::string label;
    bool included = true;
    // From the exposes; nullopt: no definition (known names are used).
    std::optional<std::vector<Z2mFieldSeries>> series;
    std::optional<bool> online;
    DeviceHealth health;
  };

  void OnMessage(const MqttMessage& message);
  void OnDeviceList(std::string_view payload);
  void OnRename(std::optional<Z2mRename> rename);
  void OnBridgeState(std::string_view payload);
  void OnState(std::string_view friendly_name, const MqttMessage& message);
  void OnAvailability(std::string_view friendly_name, const MqttMessage& message);
  void RepeatAvailability();
  // The device of `friendly_name`; before the device list is known, made on
  // first sight (nullptr when there are kMaxDevices already).
  Device* FindOrLearn(std::string_view friendly_name);
  void Configure(Device& device) const;
  void EmitOnline(const std::vector<Device*>& devices);
  void LogBridgeError(const std::string& what, const Status& status);

  uv_loop_t* loop_;
  Zigbee2MqttOptions options_;
  MqttClient* client_;
  const Clock* clock_;
  SampleSink sink_;
  std::string name_;
  Timer availability_timer_;
  MqttSubscriber subscriber_;
  bool list_known_ = false;
  bool bridge_online_ = true;
  // Key: the IEEE address, or "?" + friendly name for a device seen before
  // the device list.
  std::map<std::string, Device, std::less<>> devices_;
  std::map<std::string, std::string, std::less<>> key_by_name_;
  Z2mFriendlyNames names_;
  LogThrottle error_log_;
  LogThrottle bridge_log_;
  LogThrottle overflow_log_;
};

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_ZIGBEE2MQTT_ZIGBEE2MQTT_SOURCE_H_
