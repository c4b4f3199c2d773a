// Parser for GET /status of a Shelly Gen1 energy meter: the Shelly 3EM
// (SHEM-3, three phases) and the Shelly EM (SHEM, two channels). See
// DEVICES.md A.1.
//
// The meters are the entries of `emeters[]`. Which device it is follows from
// their number, as each model always reports the same count:
//   three entries (3EM)    emeters[0..2] are phases a, b, c: label phase="a"..;
//                          the newer firmware's top-level total_power becomes
//                          power_watts{phase="total"}, as the Gen2 parser's
//                          total_act_power does;
//   any other count (EM)   emeters[i] is channel i: label channel="i"; the two
//                          clamps of an EM measure unrelated circuits.
// Labels are {__name__, device, phase} or {__name__, device, channel}, the
// same names as the Gen2 parser gives the same quantities:
//   power           W, signed (negative = export)   power_watts
//   reactive        var (Shelly EM)                 reactive_power_volt_amperes_reactive
//   pf              signed                          power_factor
//   current         A                               current_amperes
//   voltage         V                               voltage_volts
//   total           Wh, persisted                   energy_imported_watt_hours_total
//   total_returned  Wh, persisted                   energy_exported_watt_hours_total
// Values are the JSON numbers as parsed to double, unrounded; a field that is
// absent or null produces no Sample (an older Shelly EM has no pf/current).
// The volatile Watt-minute counters of MQTT (A.2) do not appear in /status.
// emeter_n (the 3EM's neutral-current check; its meaning is not confirmed)
// and everything outside emeters[] and total_power are ignored.
//
// Validity. An emeter with "is_valid": false measured nothing trustworthy: it
// contributes no Sample and its name ("emeters[1]") is added to `*invalid`;
// the other emeters are still parsed. total_power, the sum over all of them,
// is then left out too. An absent or null is_valid counts as valid.
//
// Pure and thread-safe.
#ifndef WATTLINE_AGENT_SHELLY_SHELLY_GEN1_PARSER_H_
#define WATTLINE_AGENT_SHELLY_SHELLY_GEN1_PARSER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/sources/sample.h"
#include "common/status.h"

namespace wattline::agent {

// Documents larger than this are refused before any parsing. A 3EM's
// /status is about 1.5 KiB.
inline constexpr size_t kMaxShellyGen1DocumentBytes = 64 * 1024;

// Parses a Gen1 /status document and appends its Samples to `*out`, each
// stamped `timestamp_ms` and labelled device=`device`.
//
// Returns InvalidArgument, appending nothing to either vector, when `device`
// is empty; `json` is over kMaxShellyGen1DocumentBytes, not JSON or not an
// object; `emeters` is absent, not an array or empty (a device without
// metering, or not a /status document); an entry is not an object; is_valid
// is neither a bool nor null; a known field has a type other than number or
// null, or is not finite (the message names the emeter and field).
// REQUIRES: out != nullptr, invalid != nullptr.
[[nodiscard]] Status ParseGen1Status(std::string_view json, std::string_view device,
                                     int64_t timestamp_ms, Samples* out,
                                     std::vector<std::string>* invalid);

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_SHELLY_SHELLY_GEN1_PARSER_H_
