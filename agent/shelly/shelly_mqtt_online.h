// Device availability over MQTT, for the Shelly MQTT sources (Gen1 and Gen2+).
//
// Shelly devices set a retained last will on `<prefix>/online` and publish
// "true" there when they connect; the broker publishes the will, "false",
// when the device drops off (DEVICES.md A.2, B.5). The sources turn this into
// device_online{device} (agent/sources/device_online.h). ShellyOnlineTracker
// repeats the known state (every `availability_interval`, default
// kDeviceOnlineRepeatMs) while connected to the broker, and forgets it when
// the broker connection drops (then nobody knows; the retained message comes
// again after the reconnect).
//
// Thread-safety: ParseShellyOnlinePayload is pure; ShellyOnlineTracker is
// loop-thread only.
#ifndef WATTLINE_AGENT_SHELLY_SHELLY_MQTT_ONLINE_H_
#define WATTLINE_AGENT_SHELLY_SHELLY_MQTT_ONLINE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "agent/loop/timer.h"
#include "agent/sources/device_online.h"
#include "agent/sources/source.h"
#include "common/clock.h"
#include "common/status.h"

namespace wattline::agent {

// "true" or "false" (surrounding ASCII white space ignored); InvalidArgument
// for anything else.
Result<bool> ParseShellyOnlinePayload(std::string_view payload);

class MqttClient;

// The availability of one Shelly on MQTT, as device_online samples.
class ShellyOnlineTracker {
 public:
  // `client` and `clock` outlive the tracker; `sink` gets the samples.
  ShellyOnlineTracker(uv_loop_t* loop, const MqttClient* client, const Clock* clock,
                      SampleSink sink, std::string device, int64_t repeat_ms);

  // Starts or stops repeating the known state.
  Status Start();
  void Stop();

  // A message on <prefix>/online: ships device_online at once and returns
  // the state. InvalidArgument (nothing shipped, state unchanged) for a
  // payload other than true/false.
  Result<bool> OnPayload(std::string_view payload);

  std::optional<bool> online() const { return online_; }

 private:
  void Repeat();

  const MqttClient* client_;
  const Clock* clock_;
  SampleSink sink_;
  std::string device_;
  int64_t repeat_ms_;
  Timer timer_;
  std::optional<bool> online_;
};

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_SHELLY_SHELLY_MQTT_ONLINE_H_
