// The value model behind shelly-gen1-sim: what a Shelly 3EM or a Shelly EM
// (Gen1, DEVICES.md A.1) would report in /status at a given instant.
//
// Both read the same simulated household as the Pro 3EM simulator
// (ShellyPro3emModel: a fridge on phase a, a kettle on phase b, base load and
// a solar inverter on phase c), so the readings move the same way and the
// energy counters are the exact integral of the power:
//   3EM   emeters[0..2] = phases a, b, c, each with power, pf, current,
//         voltage, total and total_returned; total_power is their sum.
//   EM    emeters[0] = the phase with the solar inverter (it exports at
//         midday: negative power, total_returned grows), emeters[1] = the
//         fridge's phase. One voltage input serves both channels, so both
//         report the voltage of the first. The EM reports reactive power
//         (var, the model's loads are inductive, so it is >= 0) and pf, and
//         no current, like the firmware DEVICES.md A.1 describes.
// Rounding as the Gen1 firmware prints: power, reactive, pf, current and
// voltage to 2 decimals, the Wh counters to 1. Counters start from those of
// the Pro 3EM model (a real meter's, DEVICES.md B.3).
//
// Not thread-safe: the caller serialises access.
#ifndef WATTLINE_TESTS_SIM_SHELLY_GEN1_MODEL_H_
#define WATTLINE_TESTS_SIM_SHELLY_GEN1_MODEL_H_

#include <cstdint>
#include <vector>

#include "tests/sim/shelly_pro3em_model.h"

namespace wattline::sim {

enum class Gen1Device {
  k3em,  // SHEM-3: three phases
  kEm,   // SHEM: two channels
};

struct Gen1Emeter {
  double power_w = 0;       // signed: negative is export
  double reactive_var = 0;  // EM only
  double pf = 0;            // signed like the power
  double current_a = 0;     // 3EM only
  double voltage_v = 0;
  double total_wh = 0;           // imported
  double total_returned_wh = 0;  // exported
};

struct Gen1Reading {
  std::vector<Gen1Emeter> emeters;  // 3 for the 3EM, 2 for the EM
  double total_power_w = 0;         // the sum of the emeters' power
};

class ShellyGen1Model {
 public:
  ShellyGen1Model(Gen1Device device, uint64_t seed, int64_t start_unix_ms);

  Gen1Device device() const { return device_; }

  // The reading at `now_unix_ms`; a time before the latest one asked (a clock
  // step back) integrates no energy.
  Gen1Reading Read(int64_t now_unix_ms);

 private:
  Gen1Device device_;
  ShellyPro3emModel household_;
};

}  // namespace wattline::sim

#endif  // WATTLINE_TESTS_SIM_SHELLY_GEN1_MODEL_H_
