// Zigbee2MQTT's device list and rename notices (DEVICES.md C.3):
//
//   <base>/bridge/devices             retained JSON array, republished on join,
//                                     leave, interview and rename
//   <base>/bridge/event               {"type":"device_renamed","data":{"from":..,"to":..}}
//   <base>/bridge/response/device/rename
//                                     {"data":{"from":..,"to":..},"status":"ok"}
//
// From bridge/devices only what the agent needs is kept: the IEEE address
// (the device's identity, which survives renames), the friendly name (the
// device label, and the topic its state is published on), and the numeric
// exposes with their units. The coordinator is left out (it publishes no
// state), and so are entries without an IEEE address or friendly name.
//
// Exposes: generic `numeric` exposes are collected from the top level and
// from the `features` of specific types (switch, light, climate, ...), whose
// features are flat properties of the state. `composite` and `list` exposes
// are not descended into: their values are nested objects or arrays in the
// state, not numbers under their property.
//
// Thread-safety: pure functions, any thread.
#ifndef WATTLINE_AGENT_ZIGBEE2MQTT_ZIGBEE2MQTT_DEVICES_H_
#define WATTLINE_AGENT_ZIGBEE2MQTT_ZIGBEE2MQTT_DEVICES_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace wattline::agent {

// A bridge/devices document larger than this is refused before parsing.
// 50 devices with their exposes and options are about 300 KiB.
inline constexpr size_t kMaxZ2mDeviceListBytes = 4 * 1024 * 1024;
// The other bridge messages read here are small.
inline constexpr size_t kMaxZ2mBridgeMessageBytes = 64 * 1024;

struct Z2mExpose {
  std::string property;  // the key in the state message, e.g. "power_l1"
  std::string name;      // what it measures, e.g. "power"
  std::string unit;      // "" when the expose has none
  std::string endpoint;  // "" when the expose has none, e.g. "l1"
  int access = 0;        // bitmask: 1 published, 2 settable, 4 gettable
};

struct Z2mDevice {
  std::string ieee_address;  // "0x00158d00018255df"
  std::string friendly_name;
  std::string model;  // definition.model; "" for an unsupported device
  // True when the device has a definition: its exposes then say what its
  // state holds. Unsupported devices (definition null) have none.
  bool has_definition = false;
  std::vector<Z2mExpose> numeric_exposes;
};

// Parses bridge/devices. InvalidArgument when `json` is over
// kMaxZ2mDeviceListBytes, not JSON, or not an array. Malformed entries (not
// an object, no address or name) and malformed exposes are skipped.
Result<std::vector<Z2mDevice>> ParseZ2mDeviceList(std::string_view json);

struct Z2mRename {
  std::string from;
  std::string to;
};

// Parses a bridge/event message: the rename, or nullopt for another event
// type. InvalidArgument when over kMaxZ2mBridgeMessageBytes or malformed.
Result<std::optional<Z2mRename>> ParseZ2mBridgeEvent(std::string_view json);

// Parses a bridge/response/device/rename message: the rename, or nullopt when
// the status is not "ok". InvalidArgument when oversized or malformed.
Result<std::optional<Z2mRename>> ParseZ2mRenameResponse(std::string_view json);

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_ZIGBEE2MQTT_ZIGBEE2MQTT_DEVICES_H_
