// The value model behind the Shelly Pro 3EM simulator: what a three-phase
// household panel meter would read at a given instant.
//
// Instantaneous values are a pure function of (seed, unix second): the same
// seed gives the same reading at the same second, whatever was asked before.
// The energy counters integrate the same per-second active power exactly from
// the model's start time to the time asked, so they follow the integral of
// the power the model reports; they depend only on the seed, the start time
// and the sequence of times asked.
//
// The household, in compressed time so a demo shows every behaviour within
// about twenty minutes:
//   phase a  standby electronics (~45 W, pf 0.6) and a fridge cycling
//            (105 W, pf 0.78, on 200 s of every 600 s, inrush at start);
//   phase b  standby (~35 W) and a kettle (2150 W, resistive, on 120 s of
//            every 900 s);
//   phase c  ~70 W of base load and a solar inverter whose "day" is 60 % of
//            every 1200 s; at midday it exports (negative power) up to ~1.7 kW.
// Cycle phases (where in its cycle each appliance starts) depend on the seed.
// Voltage wanders around 230 V, sags with import and rises with export;
// frequency wanders around 50 Hz. Readings are rounded as the device reports
// them: current and voltage to 3 decimals, power and apparent power to 1,
// power factor and frequency to 2, energy to 2 (Wh); totals are sums of the
// rounded phase values.
//
// Not thread-safe: the caller serialises access.
#ifndef WATTLINE_TESTS_SIM_SHELLY_PRO3EM_MODEL_H_
#define WATTLINE_TESTS_SIM_SHELLY_PRO3EM_MODEL_H_

#include <array>
#include <cstdint>

namespace wattline::sim {

struct PhaseReading {
  double current_a = 0;
  double voltage_v = 0;
  double act_power_w = 0;  // signed: negative is export
  double aprt_power_va = 0;
  double pf = 0;  // signed like the active power
  double freq_hz = 0;
};

// One EM.GetStatus reading. Phases are a, b, c in that order.
struct EmReading {
  std::array<PhaseReading, 3> phases;
  double n_current_a = 0;      // the phasor sum of the phase currents
  double total_current_a = 0;  // arithmetic sum, as the device reports it
  double total_act_power_w = 0;
  double total_aprt_power_va = 0;
};

// One EMData.GetStatus reading: counters in Wh since manufacture.
struct EmDataReading {
  std::array<double, 3> imported_wh{};
  std::array<double, 3> exported_wh{};
  double total_imported_wh = 0;
  double total_exported_wh = 0;
};

class ShellyPro3emModel {
 public:
  // The counters start at the values of a real Pro 3EM (DEVICES.md B.3) at
  // `start_unix_ms`.
  ShellyPro3emModel(uint64_t seed, int64_t start_unix_ms);

  // The reading at `now_unix_ms`. Integrates energy up to then first; a time
  // before the latest one asked (a clock step back) integrates nothing.
  EmReading Em(int64_t now_unix_ms);
  EmDataReading EmData(int64_t now_unix_ms);

 private:
  // Active power (W, signed) and reactive power (var) of one phase.
  struct PhasePower {
    double p = 0;
    double q = 0;
  };
  using Powers = std::array<PhasePower, 3>;

  Powers PowersAt(int64_t unix_s) const;
  void AdvanceTo(int64_t now_unix_ms);

  uint64_t seed_;
  int64_t integrated_to_ms_;
  std::array<double, 3> imported_wh_;
  std::array<double, 3> exported_wh_{};
};

}  // namespace wattline::sim

#endif  // WATTLINE_TESTS_SIM_SHELLY_PRO3EM_MODEL_H_
