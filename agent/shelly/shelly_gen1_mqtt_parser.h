// Parser for the MQTT messages of a Shelly 3EM (Gen1, DEVICES.md A.2). Every
// topic carries one number as plain text, never JSON:
//
//   shellies/<id>/emeter/<i>/<field>   <number>
//
// `subtopic` below is the topic after "shellies/<id>/". Emeter index i = 0, 1,
// 2 is phase a, b, c. Mapping, to the series the Gen2 parser produces
// (agent/shelly/shelly_gen2_parser.h), so dashboards do not care which
// generation sits in the panel:
//
//   power            power_watts                        W, signed (negative: export)
//   voltage          voltage_volts                      V
//   current          current_amperes                    A
//   pf               power_factor                       signed like the power
//   total            energy_imported_watt_hours_total   Wh
//   total_returned   energy_exported_watt_hours_total   Wh
//
// Ignored fields (OK, nothing appended):
//   energy, returned_energy: Watt-minutes since the device last booted. They
//     restart at zero on every reboot or power cut, so shipped as counters
//     they would read as a reset each time (and would need a different unit);
//     `total`/`total_returned` are the same energy in Wh, kept in the device's
//     non-volatile memory, so they are the counters.
//   Any other field (reactive_power and whatever newer firmware adds), and
//   any subtopic outside emeter/<i>/ (relay/0, announce, ...).
//
// Phase totals are not synthesised: the three phases arrive as separate
// messages at slightly different times; sum by (device) in a query.
//
// Errors (nothing appended):
//   InvalidArgument: `device` is empty; the index is not 0, 1 or 2; the
//     payload of a mapped field is not a finite decimal number (surrounding
//     ASCII white space is allowed).
//
// Pure and thread-safe.
#ifndef WATTLINE_AGENT_SHELLY_SHELLY_GEN1_MQTT_PARSER_H_
#define WATTLINE_AGENT_SHELLY_SHELLY_GEN1_MQTT_PARSER_H_

#include <cstdint>
#include <string_view>

#include "agent/sources/sample.h"
#include "common/status.h"

namespace wattline::agent {

// Appends the sample `subtopic`/`payload` carries (zero or one) to `*out`,
// labelled {__name__, device, phase} and stamped `timestamp_ms`.
// REQUIRES: out != nullptr.
[[nodiscard]] Status ParseShellyGen1Message(std::string_view subtopic, std::string_view payload,
                                            std::string_view device, int64_t timestamp_ms,
                                            Samples* out);

// Parses a plain-text decimal number ("41.25", "-2.23", " 0.0\n").
// InvalidArgument for anything else, including inf and nan.
Result<double> ParsePlainNumber(std::string_view text);

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_SHELLY_SHELLY_GEN1_MQTT_PARSER_H_
