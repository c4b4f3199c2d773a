// A Zigbee2MQTT device's messages as samples (DEVICES.md C.1, C.2):
//
//   <base>/<friendly name>               state: a JSON object of fields
//   <base>/<friendly name>/availability  "online"/"offline" (legacy), or
//                                        {"state":"online"} (Z2M >= 1.24,
//                                        the only form since 2.0)
//
// State: each field the device's series (zigbee2mqtt_series.h) name becomes
// one sample labelled {__name__, device, + the series' phase/endpoint},
// value * scale. Without exposes, fields with known names are used. A field
// that is absent or null gives no sample (a missing reading is not zero);
// other fields (state, last_seen, update, ...) are ignored.
//
// Thread-safety: pure functions, any thread.
#ifndef WATTLINE_AGENT_ZIGBEE2MQTT_ZIGBEE2MQTT_STATE_MAPPER_H_
#define WATTLINE_AGENT_ZIGBEE2MQTT_ZIGBEE2MQTT_STATE_MAPPER_H_

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "agent/sources/sample.h"
#include "agent/zigbee2mqtt/zigbee2mqtt_series.h"
#include "common/status.h"

namespace wattline::agent {

// State messages larger than this are refused before parsing (a metering
// plug's state is about 500 bytes).
inline constexpr size_t kMaxZ2mStateBytes = 64 * 1024;

// Maps a state message. `series` is the device's list (SeriesForDevice), or
// nullptr for a device without exposes (SeriesForKnownField per field).
// Appends to `*out`, stamped `timestamp_ms`, labelled device=`device`.
//
// Availability becomes device_online{device} through DeviceOnlineSample()
// (agent/sources/device_online.h), the series Shelly's MQTT sources give.
//
// Returns InvalidArgument when `json` is over kMaxZ2mStateBytes, not JSON or
// not an object (then nothing is appended), or when a series' field holds
// something else than a number or null (a string, an object): the message
// names the first such field, and the other fields' samples are still
// appended. `*appended` (when not nullptr) gets the number of samples added.
// REQUIRES: out != nullptr; device not empty.
Status MapZ2mState(std::string_view json, const std::vector<Z2mFieldSeries>* series,
                   std::string_view device, int64_t timestamp_ms, Samples* out,
                   size_t* appended = nullptr);

// True for an availability payload meaning online, false for offline, in
// either form; InvalidArgument for anything else (over 1 KiB, other words,
// other JSON).
Result<bool> ParseZ2mAvailability(std::string_view payload);

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_ZIGBEE2MQTT_ZIGBEE2MQTT_STATE_MAPPER_H_
