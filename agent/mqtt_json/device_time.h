// Timestamps that devices put in their MQTT payloads: Tasmota's "Time"
// ("2022-01-11T21:57:38", local time without a zone), Zigbee2MQTT's
// "last_seen" ("2026-07-27T09:41:41+02:00", or Unix milliseconds), and plain
// Unix seconds.
//
// Accepted text (ISO 8601, extended format):
//   YYYY-MM-DD('T'|' ')hh:mm:ss[.fraction][zone]
//   zone: 'Z' | ('+'|'-')hh:mm | ('+'|'-')hhmm | ('+'|'-')hh
// Years 1970..9999. A fraction keeps its first three digits (ms). Text
// without a zone is read in the DeviceTimeZone given.
//
// Thread-safety: pure, any thread (local time goes through mktime(), which
// reads the process's TZ setting).
#ifndef WATTLINE_AGENT_MQTT_JSON_DEVICE_TIME_H_
#define WATTLINE_AGENT_MQTT_JSON_DEVICE_TIME_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace wattline::agent {

// The zone of device times that do not name one.
struct DeviceTimeZone {
  enum class Kind { kLocal, kUtc, kFixed };
  Kind kind = Kind::kLocal;
  int offset_minutes = 0;  // kFixed: east of UTC
};

// "local" (the agent's own zone, from TZ or /etc/localtime), "utc", or a
// fixed offset "+01:00" / "-05:30". InvalidArgument otherwise.
Result<DeviceTimeZone> ParseDeviceTimeZone(std::string_view text);
std::string DeviceTimeZoneName(const DeviceTimeZone& zone);

// ms since the Unix epoch. InvalidArgument when `text` is not the form above
// or names an impossible date or time (Feb 30, 25:00).
Result<int64_t> ParseIso8601Ms(std::string_view text, const DeviceTimeZone& zone_if_none);

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_MQTT_JSON_DEVICE_TIME_H_
