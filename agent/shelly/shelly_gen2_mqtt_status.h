// What a Shelly Gen2+ meter publishes over MQTT (DEVICES.md B.5), turned into
// samples: the known status of each component, kept and merged.
//
//   <prefix>/events/rpc           JSON-RPC notifications:
//       NotifyFullStatus  every component, complete: replaces what is known;
//       NotifyStatus      partial: only changed keys (some unchanged ones may
//                         be missing, a key that disappeared is null); it is
//                         overlaid on the known status of the component
//                         (JSON merge patch, RFC 7396: objects merge key by
//                         key, null removes the key, anything else replaces);
//       NotifyEvent       ignored: the per-minute emdata "data" records it
//                         carries repeat what em:0 and emdata:0 already
//                         report live, and history after an outage comes from
//                         EMData.GetData (agent/shelly/shelly_emdata_backfill.h).
//   <prefix>/status/<component>   the entire status of one component (the
//                         device's `status_ntf` option): replaces what is known.
//
// After each update of a component, the merged status goes, as JSON, through
// the same parser the HTTP source uses (ParseShellyStatus() in
// agent/shelly/shelly_gen2_parser.h, by ParseShellyStatusComponent() in
// agent/shelly/shelly_gen2_status_json.h), so the series and their names are
// identical whichever transport a meter uses. An update that would make the
// known status of a component larger than such a document
// (kMaxShellyDocumentBytes, as text) is refused.
// Because of the merge, an absent key never reads as zero: a key that was
// never reported produces no sample, and a known key keeps its last value
// until the device says otherwise.
//
// Components: the metering ones ParseShellyStatus() knows (em, emdata, em1,
// em1data, switch, pm1, any id), with its labels (phase, and channel where
// the parser adds one). Every other component (sys, wifi, temperature:0,
// input:0, ...) is ignored and not stored.
//
// Timestamps: a notification's params.ts (Unix seconds, fractional) when it
// is a number after 2017-01-01; before NTP sync a device reports time since
// boot, and a status/<component> message has no time at all, so then the
// arrival time. A component emits only when its timestamp is later than the
// one it last emitted, so a change reported twice (status/<component> and
// NotifyStatus) is shipped once and each series stays in time order. (A
// device whose clock runs ahead of the agent's therefore has its
// status/<component> messages, stamped on arrival, skipped while NotifyStatus
// keeps coming; the values are the same.)
//
// Retained messages (delivered on subscribing, of unknown age) update the
// known status but emit nothing.
//
// Thread-safety: not thread-safe; the owning source uses it on the loop thread.
#ifndef WATTLINE_AGENT_SHELLY_SHELLY_GEN2_MQTT_STATUS_H_
#define WATTLINE_AGENT_SHELLY_SHELLY_GEN2_MQTT_STATUS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "agent/sources/sample.h"
#include "common/status.h"

namespace wattline::agent {

// Frames larger than this are refused before parsing (MQTT messages are at
// most MqttClient::kMaxMessageBytes anyway; a Pro 3EM's full status is a few
// KiB).
inline constexpr size_t kMaxShellyFrameBytes = 256 * 1024;

class ShellyGen2MqttStatus {
 public:
  // REQUIRES: `device` (the `device` label) is not empty.
  explicit ShellyGen2MqttStatus(std::string device);
  ~ShellyGen2MqttStatus();
  ShellyGen2MqttStatus(const ShellyGen2MqttStatus&) = delete;
  ShellyGen2MqttStatus& operator=(const ShellyGen2MqttStatus&) = delete;

  // A message on <prefix>/events/rpc. Appends the samples of every updated
  // component to `*out`. A frame whose method is not a status notification
  // is OK and appends nothing.
  // Errors: InvalidArgument when the frame is not a JSON object with a
  // "method", its params are not an object, or a known component's status is
  // malformed (other components of the frame are still applied);
  // Unavailable when a meter reports power_meter_failure. The first error is
  // returned.
  // REQUIRES: out != nullptr.
  Status OnRpcFrame(std::string_view payload, bool retained, int64_t arrival_ms, Samples* out);

  // A message on <prefix>/status/<component>, `component` being the last
  // topic level ("em:0"). Errors as for OnRpcFrame().
  Status OnComponentStatus(std::string_view component, std::string_view payload, bool retained,
                           int64_t arrival_ms, Samples* out);

  // Forgets every known status, for a device that went offline: what it
  // reports after it comes back is not relative to what it sent before.
  void Clear();

  // How many components have a known status (for tests).
  size_t known_components() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_SHELLY_SHELLY_GEN2_MQTT_STATUS_H_
