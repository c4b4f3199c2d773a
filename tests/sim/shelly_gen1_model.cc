#include "tests/sim/shelly_gen1_model.h"

#include <algorithm>
#include <cmath>

namespace wattline::sim {
namespace {

// Rounds to `decimals` places as the device prints them; never yields -0.0.
double Round(double value, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(value * scale) / scale + 0.0;
}

}  // namespace

ShellyGen1Model::ShellyGen1Model(Gen1Device device, uint64_t seed, int64_t start_unix_ms)
    : device_(device), household_(seed, start_unix_ms) {}

Gen1Reading ShellyGen1Model::Read(int64_t now_unix_ms) {
  const EmReading em = household_.Em(now_unix_ms);
  const EmDataReading energy = household_.EmData(now_unix_ms);
  // Which of the household's phases each emeter measures.
  const std::vector<size_t> phases =
      device_ == Gen1Device::k3em ? std::vector<size_t>{0, 1, 2} : std::vector<size_t>{2, 0};
  Gen1Reading reading;
  for (size_t phase : phases) {
    const PhaseReading& p = em.phases[phase];
    Gen1Emeter emeter;
    emeter.power_w = Round(p.act_power_w, 2);
    emeter.pf = Round(p.pf, 2);
    emeter.current_a = Round(p.current_a, 2);
    // The EM has one voltage input for both clamps.
    emeter.voltage_v = Round(em.phases[phases[0]].voltage_v, 2);
    if (device_ == Gen1Device::k3em) emeter.voltage_v = Round(p.voltage_v, 2);
    const double s2 = p.aprt_power_va * p.aprt_power_va;
    const double p2 = p.act_power_w * p.act_power_w;
    emeter.reactive_var = Round(std::sqrt(std::max(0.0, s2 - p2)), 2);
    // Rounding is monotonic, so the served counters never decrease.
    emeter.total_wh = Round(energy.imported_wh[phase], 1);
    emeter.total_returned_wh = Round(energy.exported_wh[phase], 1);
    reading.total_power_w += emeter.power_w;
    reading.emeters.push_back(emeter);
  }
  reading.total_power_w = Round(reading.total_power_w, 2);
  return reading;
}

}  // namespace wattline::sim
