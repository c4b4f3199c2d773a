#include "tests/sim/shelly_pro3em_model.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>

#include "tests/sim/sim_noise.h"

namespace wattline::sim {
namespace {

constexpr double kMsPerHour = 3'600'000.0;

// Independent noise streams; each names one random quantity of the model.
enum Stream : uint64_t {
  kStandbyNoise = 1,
  kFridgeCycle,
  kFridgeNoise,
  kStandbyBNoise,
  kKettleCycle,
  kKettleNoise,
  kBaseCNoise,
  kSolarCycle,
  kClouds,
  kVoltageDrift,                      // + phase index
  kVoltageNoise = kVoltageDrift + 3,  // + phase index
  kFrequencyDrift = kVoltageNoise + 3,
  kFrequencyNoise,
};

// Reactive power of a load drawing `p` watts at power factor `pf` (inductive).
double Reactive(double p, double pf) { return p * std::tan(std::acos(pf)); }

}  // namespace

ShellyPro3emModel::ShellyPro3emModel(uint64_t seed, int64_t start_unix_ms)
    : seed_(seed), integrated_to_ms_(start_unix_ms), imported_wh_{64735.49, 78798.66, 104999.43} {}

ShellyPro3emModel::Powers ShellyPro3emModel::PowersAt(int64_t unix_s) const {
  Powers powers;

  // Phase a: standby electronics and a fridge.
  const double standby = 45.0 * (1 + 0.03 * Noise(seed_, kStandbyNoise, unix_s));
  powers[0] = {standby, Reactive(standby, 0.6)};
  const int64_t fridge_s = CyclePosition(seed_, kFridgeCycle, unix_s, 600);
  if (fridge_s < 200) {
    // The compressor draws several times its running power for a moment.
    const double fridge =
        fridge_s < 2 ? 420.0 : 105.0 * (1 + 0.02 * Noise(seed_, kFridgeNoise, unix_s));
    powers[0].p += fridge;
    powers[0].q += Reactive(fridge, fridge_s < 2 ? 0.5 : 0.78);
  }

  // Phase b: standby and a kettle.
  const double standby_b = 35.0 * (1 + 0.03 * Noise(seed_, kStandbyBNoise, unix_s));
  powers[1] = {standby_b, Reactive(standby_b, 0.9)};
  if (CyclePosition(seed_, kKettleCycle, unix_s, 900) < 120) {
    powers[1].p += 2150.0 * (1 + 0.005 * Noise(seed_, kKettleNoise, unix_s));
  }

  // Phase c: base load and a solar inverter at unity power factor.
  const double base_c = 70.0 * (1 + 0.05 * Noise(seed_, kBaseCNoise, unix_s));
  powers[2] = {base_c, Reactive(base_c, 0.85)};
  const double day = static_cast<double>(CyclePosition(seed_, kSolarCycle, unix_s, 1200)) / 720.0;
  if (day < 1.0) {
    const double clouds = 0.85 + 0.15 * SmoothNoise(seed_, kClouds, unix_s, 20);
    powers[2].p -= 1800.0 * std::sin(std::numbers::pi * day) * clouds;
  }
  return powers;
}

void ShellyPro3emModel::AdvanceTo(int64_t now_unix_ms) {
  // Power is constant within a second, so summing whole and partial seconds
  // is the exact integral.
  while (integrated_to_ms_ < now_unix_ms) {
    const int64_t second = integrated_to_ms_ / 1000;
    const int64_t until_ms = std::min((second + 1) * 1000, now_unix_ms);
    const double hours = static_cast<double>(until_ms - integrated_to_ms_) / kMsPerHour;
    const Powers powers = PowersAt(second);
    for (size_t i = 0; i < 3; ++i) {
      if (powers[i].p >= 0) {
        imported_wh_[i] += powers[i].p * hours;
      } else {
        exported_wh_[i] += -powers[i].p * hours;
      }
    }
    integrated_to_ms_ = until_ms;
  }
}

EmReading ShellyPro3emModel::Em(int64_t now_unix_ms) {
  AdvanceTo(now_unix_ms);
  const int64_t unix_s = now_unix_ms / 1000;
  const Powers powers = PowersAt(unix_s);
  // One grid: the three phases share a frequency.
  const double freq = 50.0 + 0.04 * SmoothNoise(seed_, kFrequencyDrift, unix_s, 20) +
                      0.004 * Noise(seed_, kFrequencyNoise, unix_s);

  EmReading reading;
  std::complex<double> neutral;
  for (size_t i = 0; i < 3; ++i) {
    const double p = powers[i].p;
    const double s = std::hypot(p, powers[i].q);
    const double grid_v = 230.0 + 2.0 * SmoothNoise(seed_, kVoltageDrift + i, unix_s, 300) +
                          0.15 * Noise(seed_, kVoltageNoise + i, unix_s);
    // About 0.2 ohm of line impedance: the voltage sags with import and rises
    // with export.
    const double v = grid_v - 0.2 * p / 230.0;
    PhaseReading& phase = reading.phases[i];
    phase.voltage_v = RoundTo(v, 3);
    phase.current_a = RoundTo(s / v, 3);
    phase.act_power_w = RoundTo(p, 1);
    phase.aprt_power_va = RoundTo(s, 1);
    phase.pf = s > 0 ? RoundTo(p / s, 2) : 0.0;
    phase.freq_hz = RoundTo(freq, 2);
    // The phase current as a phasor, I = conj(S / V), with the phase
    // voltages 120 degrees apart; the neutral carries their sum.
    const double angle = -2.0 * std::numbers::pi / 3.0 * static_cast<double>(i);
    neutral += std::complex<double>(p, -powers[i].q) / v * std::polar(1.0, angle);
    reading.total_current_a += phase.current_a;
    reading.total_act_power_w += phase.act_power_w;
    reading.total_aprt_power_va += phase.aprt_power_va;
  }
  // Sums of rounded values, cleaned of binary fractions (0.1 + 0.2).
  reading.total_current_a = RoundTo(reading.total_current_a, 3);
  reading.total_act_power_w = RoundTo(reading.total_act_power_w, 3);
  reading.total_aprt_power_va = RoundTo(reading.total_aprt_power_va, 3);
  reading.n_current_a = RoundTo(std::abs(neutral), 3);
  return reading;
}

EmDataReading ShellyPro3emModel::EmData(int64_t now_unix_ms) {
  AdvanceTo(now_unix_ms);
  EmDataReading reading;
  for (size_t i = 0; i < 3; ++i) {
    // Rounding is monotonic, so the served counters never decrease.
    reading.imported_wh[i] = RoundTo(imported_wh_[i], 2);
    reading.exported_wh[i] = RoundTo(exported_wh_[i], 2);
    reading.total_imported_wh += reading.imported_wh[i];
    reading.total_exported_wh += reading.exported_wh[i];
  }
  reading.total_imported_wh = RoundTo(reading.total_imported_wh, 2);
  reading.total_exported_wh = RoundTo(reading.total_exported_wh, 2);
  return reading;
}

}  // namespace wattline::sim
