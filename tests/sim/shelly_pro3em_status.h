// The status documents shelly-pro3em-sim serves, in either of the Pro 3EM's
// profiles (DEVICES.md B.1):
//   triphase   (default) components em:0 and emdata:0: EM.GetStatus,
//              EMData.GetStatus (B.2 and B.3 key sets);
//   monophase  components em1:0..2 and em1data:0..2, one per CT:
//              EM1.GetStatus, EM1Data.GetStatus (current, voltage, act_power,
//              aprt_power, pf, freq, calibration / total_act_energy,
//              total_act_ret_energy), each CT reading the model's phase of
//              the same index;
// and in both Shelly.GetStatus: every component keyed "<type>:<id>" (ble,
// cloud, the metering components above, eth, modbus, mqtt, sys,
// temperature:0, wifi, ws), the metering ones exactly as their own methods
// return them.
//
// The values come from ShellyPro3emModel; one call reads the model once, so
// the power and energy of one Shelly.GetStatus are of the same instant.
#ifndef WATTLINE_TESTS_SIM_SHELLY_PRO3EM_STATUS_H_
#define WATTLINE_TESTS_SIM_SHELLY_PRO3EM_STATUS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "tests/sim/shelly_pro3em_model.h"

namespace wattline::sim {

enum class Pro3emProfile { kTriphase, kMonophase };

// "triphase" or "monophase"; nullopt for anything else.
std::optional<Pro3emProfile> ParsePro3emProfile(std::string_view name);
const char* Pro3emProfileName(Pro3emProfile profile);

// A status method and how many component ids it serves (0, 1, ...
// `ids` - 1); `ids` is 0 for Shelly.GetStatus, which takes no id.
struct Pro3emStatusMethod {
  enum Kind { kShellyGetStatus, kEm, kEmData, kEm1, kEm1Data };
  Kind kind;
  int ids;
};

// The status method `name` of a device in `profile`; nullopt when the device
// has no such method (EM.GetStatus in monophase, EM1.GetStatus in triphase).
std::optional<Pro3emStatusMethod> FindPro3emStatusMethod(Pro3emProfile profile,
                                                         std::string_view name);

// What the documents say about the device itself.
struct Pro3emFacts {
  std::string id;   // "shellypro3em-<mac>"
  std::string mac;  // upper-case hex
  int64_t started_unix_ms = 0;
  bool neutral_ct = true;  // false: n_current is null
  Pro3emProfile profile = Pro3emProfile::kTriphase;
};

// The result object of `method` for component `id` (ignored by
// Shelly.GetStatus) at `now_unix_ms`, serialised as the device sends it.
// Advances `model` to `now_unix_ms`.
// REQUIRES: `method` came from FindPro3emStatusMethod(facts.profile, ...),
// 0 <= id < method.ids unless method.ids == 0.
std::string Pro3emStatusText(const Pro3emStatusMethod& method, int id, const Pro3emFacts& facts,
                             ShellyPro3emModel& model, int64_t now_unix_ms);

}  // namespace wattline::sim

#endif  // WATTLINE_TESTS_SIM_SHELLY_PRO3EM_STATUS_H_
