// Parsers for the status of Shelly Gen2/Gen3/Gen4 meters and metering
// switches: the components em, emdata (Pro 3EM and 3EM-63 in the "triphase"
// profile), em1, em1data (Pro 3EM "monophase", Pro EM, EM Gen3), switch (Plus
// and Pro 1PM/2PM/4PM, Plug S, 1PM Gen3/Gen4) and pm1 (PM Mini). See
// DEVICES.md B.1-B.3 and B.6.
//
// Input is either a bare component status (the `result` of GET
// /rpc/EM.GetStatus?id=0, /rpc/Switch.GetStatus?id=0, ...) or the result of
// Shelly.GetStatus, which holds every component of the device keyed by
// "<type>:<id>" in the same shape. A JSON-RPC frame ({"id":..,"src":..,
// "result":{..}}) must be unwrapped by the caller. Output is one Sample per
// numeric field, labels canonical.
//
// Mapping. em and emdata are per phase: x is a, b or c and becomes
// phase="x"; total_* becomes phase="total"; n_current becomes phase="n".
// Their labels are {__name__, device, phase}; for an id other than 0 (no
// device known has one) channel="<id>" is added so that two meters never
// share a series.
//   em       x_current, n_current, total_current   current_amperes
//            x_voltage                             voltage_volts
//            x_act_power, total_act_power          power_watts
//            x_aprt_power, total_aprt_power        apparent_power_volt_amperes
//            x_pf                                  power_factor
//            x_freq                                frequency_hertz
//   emdata   x_total_act_energy, total_act         energy_imported_watt_hours_total
//            x_total_act_ret_energy, total_act_ret energy_exported_watt_hours_total
// The others are channels: component em1:N is a single-phase meter of its
// own (in the Pro 3EM's monophase profile the three CTs may sit on one phase
// or on three, so "phase" would be a guess), switch:N is output N. Their
// labels are {__name__, device, channel="N"}.
//   em1      current                               current_amperes
//            voltage                               voltage_volts
//            act_power                             power_watts
//            aprt_power                            apparent_power_volt_amperes
//            pf                                    power_factor
//            freq                                  frequency_hertz
//   em1data  total_act_energy                      energy_imported_watt_hours_total
//            total_act_ret_energy                  energy_exported_watt_hours_total
//   switch,  apower                                power_watts
//   pm1      voltage                               voltage_volts
//            current                               current_amperes
//            pf                                    power_factor
//            freq                                  frequency_hertz
//            aenergy.total (Wh)                    energy_imported_watt_hours_total
//            ret_aenergy.total (Wh)                energy_exported_watt_hours_total
//            temperature.tC                        temperature_celsius
// aenergy.by_minute (mWh per minute) is not used: the total is the persisted
// counter. Components of other types (sys, wifi, temperature:0, input:0, ...)
// are ignored.
//
// Values are the JSON numbers as parsed to double, unrounded and with their
// sign (negative active power is export). A field that is null or absent
// produces no Sample: a phase without a CT reports null, and a missing value
// must never read as zero.
//
// Errors and flags. Per-phase arrays (a_errors, a_flags, n_errors, ...),
// user_calibrated_phase and a switch's `errors` (overtemp, overpower, ...:
// conditions, not faulty readings) are not turned into series. In em and
// em1, a component-level `errors` array containing "power_meter_failure"
// means none of that component's values can be trusted: the component is
// reported faulty and contributes nothing. Every other error string
// (phase_sequence, ct_type_not_set, no_load, strings from newer firmware, and
// all of emdata's `errors`) is opaque and ignored. An `errors` that is
// neither null nor an array is malformed.
//
// Fields this parser does not know are ignored, since newer firmware adds
// fields.
//
// All functions are pure and thread-safe, and throw on no input (allocation
// failure aside). On any error nothing is appended to `*out`.
#ifndef WATTLINE_AGENT_SHELLY_SHELLY_GEN2_PARSER_H_
#define WATTLINE_AGENT_SHELLY_SHELLY_GEN2_PARSER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/sources/sample.h"
#include "common/status.h"

namespace wattline::agent {

// Documents larger than this are refused before any parsing. A Pro 3EM's
// EM.GetStatus is about 1 KiB, its Shelly.GetStatus about 3 KiB, a Pro 4PM's
// about 5 KiB.
inline constexpr size_t kMaxShellyDocumentBytes = 64 * 1024;

// Parses an EM.GetStatus result and appends its Samples to `*out`, each
// stamped with `timestamp_ms` and labelled device=`device`.
//
// Returns:
//   InvalidArgument: `device` is empty; `json` is larger than
//     kMaxShellyDocumentBytes, not JSON, not an object, holds no known field
//     (an RPC error object {"code":..,"message":..} or a framed reply is not
//     taken for a meter that measured nothing), or a known field has a type
//     other than number or null (the message names the field); a number is
//     not finite.
//   Unavailable: the meter reports "power_meter_failure" in `errors`.
// REQUIRES: out != nullptr.
[[nodiscard]] Status ParseEmStatus(std::string_view json, std::string_view device,
                                   int64_t timestamp_ms, Samples* out);

// Parses an EMData.GetStatus result (energy counters in Wh) and appends its
// Samples to `*out`. Errors as for ParseEmStatus(), except that `errors` is
// never examined, so Unavailable is not returned.
// REQUIRES: out != nullptr.
[[nodiscard]] Status ParseEmDataStatus(std::string_view json, std::string_view device,
                                       int64_t timestamp_ms, Samples* out);

// Parses the bare status of component `key` ("em:0", "emdata:0", "em1:2",
// "em1data:2", "switch:1", "pm1:0"), as <Type>.GetStatus?id=<id> returns it
// and as an MQTT status/<key> topic carries it. Errors as for
// ParseEmStatus(); also InvalidArgument when `key` is not "<type>:<id>" of a
// type above.
// REQUIRES: out != nullptr.
[[nodiscard]] Status ParseShellyComponentStatus(std::string_view key, std::string_view json,
                                                std::string_view device, int64_t timestamp_ms,
                                                Samples* out);

// Parses a Shelly.GetStatus result: every metering component in it. A
// component that reports its own failure adds its key ("em:0") to `*faulty`
// and nothing to `*out`; the other components are still parsed.
//
// Returns InvalidArgument, appending nothing to either vector, when `device`
// is empty; `json` is over kMaxShellyDocumentBytes, not JSON or not an
// object; it holds no metering component (an RPC error object, or a device
// without metering); a metering component is not an object, or has a key
// whose id is not a number; a known field has the wrong type (the message
// names the component and field); or two components would produce the same
// series.
// REQUIRES: out != nullptr, faulty != nullptr.
[[nodiscard]] Status ParseShellyStatus(std::string_view json, std::string_view device,
                                       int64_t timestamp_ms, Samples* out,
                                       std::vector<std::string>* faulty);

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_SHELLY_SHELLY_GEN2_PARSER_H_
