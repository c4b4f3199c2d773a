// Whether a device is reachable, as one series every source that knows it
// ships the same way:
//
//   device_online{device}   1 online, 0 offline
//
// The Shelly MQTT sources derive it from the device's last will
// (agent/shelly/shelly_mqtt_online.h), the Zigbee2MQTT source from the
// bridge's availability topics (agent/zigbee2mqtt/zigbee2mqtt_source.h), so
// one alert rule covers every MQTT device. Sources ship it only while they
// know the state, repeating it every kDeviceOnlineRepeatMs (or the source's
// `availability_interval`) so the series does not go stale, and forget it
// when nobody knows (the broker connection is down): then it goes stale
// instead of lying.
//
// Thread-safety: pure functions.
#ifndef WATTLINE_AGENT_SOURCES_DEVICE_ONLINE_H_
#define WATTLINE_AGENT_SOURCES_DEVICE_ONLINE_H_

#include <cstdint>
#include <string_view>

#include "agent/sources/sample.h"

namespace wattline::agent {

inline constexpr std::string_view kDeviceOnlineMetric = "device_online";

// How often a known online state is repeated by default; below the 5 min
// query lookback so the series never looks stale while the state is known.
inline constexpr int64_t kDeviceOnlineRepeatMs = 60'000;

// device_online{device=`device`} = 1 or 0 at `timestamp_ms`.
// REQUIRES: `device` is not empty.
Sample DeviceOnlineSample(std::string_view device, bool online, int64_t timestamp_ms);

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_SOURCES_DEVICE_ONLINE_H_
