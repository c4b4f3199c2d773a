// Parsers for the status of a Shelly Gen2+ three-phase meter (Pro 3EM,
// 3EM-63 Gen3) in its default "triphase" profile: components em:0 and
// emdata:0. See DEVICES.md B.2 and B.3.
//
// Input is the bare `result` object, as HTTP GET /rpc/EM.GetStatus?id=0 and
// /rpc/EMData.GetStatus?id=0 return it; a JSON-RPC frame ({"id":..,"src":..,
// "result":{..}}) must be unwrapped by the caller. Output is one Sample per
// numeric field, labelled {__name__, device, phase}, labels canonical.
//
// Mapping (x is a, b or c and becomes phase="x"; total_* becomes
// phase="total"; n_current becomes phase="n"):
//   EM.GetStatus
//     x_current, n_current, total_current   current_amperes
//     x_voltage                             voltage_volts
//     x_act_power, total_act_power          power_watts
//     x_aprt_power, total_aprt_power        apparent_power_volt_amperes
//     x_pf                                  power_factor
//     x_freq                                frequency_hertz
//   EMData.GetStatus
//     x_total_act_energy, total_act         energy_imported_watt_hours_total
//     x_total_act_ret_energy, total_act_ret energy_exported_watt_hours_total
//
// Values are the JSON numbers as parsed to double, unrounded and with their
// sign (negative active power is export). A field that is null or absent
// produces no Sample: a phase without a CT reports null, and a missing value
// must never read as zero.
//
// Errors and flags. Per-phase arrays (a_errors, a_flags, n_errors, ...) and
// user_calibrated_phase are not turned into series. In EM.GetStatus, a
// meter-level `errors` array containing "power_meter_failure" means none of the
// values can be trusted, so ParseEmStatus() then returns Unavailable and
// appends nothing. Every other error string (phase_sequence, ct_type_not_set,
// no_load, strings from newer firmware, and all of EMData's `errors`) is
// opaque and ignored. A meter-level `errors` that is neither null nor an array
// is malformed.
//
// Fields this parser does not know are ignored, since newer firmware adds
// fields. A document holding none of the known fields is refused, so that an
// RPC error object ({"code":..,"message":..}) or a framed reply is not taken
// for a meter that measured nothing.
//
// Both functions are pure and thread-safe, and throw on no input (allocation
// failure aside).
#ifndef WATTLINE_AGENT_SHELLY_SHELLY_GEN2_PARSER_H_
#define WATTLINE_AGENT_SHELLY_SHELLY_GEN2_PARSER_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/sources/sample.h"
#include "common/status.h"

namespace wattline::agent {

// Documents larger than this are refused before any parsing. A Pro 3EM's
// EM.GetStatus is about 1 KiB.
inline constexpr size_t kMaxShellyDocumentBytes = 64 * 1024;

// Parses an EM.GetStatus result and appends its Samples to `*out`, each
// stamped with `timestamp_ms` and labelled device=`device`.
//
// Returns:
//   InvalidArgument: `device` is empty; `json` is larger than
//     kMaxShellyDocumentBytes, not JSON, not an object, holds no known field,
//     or a known field has a type other than number or null (the message names
//     the field); a number is not finite.
//   Unavailable: the meter reports "power_meter_failure" in `errors`.
// On any error nothing is appended to `*out`.
// REQUIRES: out != nullptr.
[[nodiscard]] Status ParseEmStatus(std::string_view json, std::string_view device,
                                   int64_t timestamp_ms, Samples* out);

// Parses an EMData.GetStatus result (energy counters in Wh) and appends its
// Samples to `*out`. Errors as for ParseEmStatus(), except that `errors` is
// never examined, so Unavailable is not returned.
// REQUIRES: out != nullptr.
[[nodiscard]] Status ParseEmDataStatus(std::string_view json, std::string_view device,
                                       int64_t timestamp_ms, Samples* out);

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_SHELLY_SHELLY_GEN2_PARSER_H_
