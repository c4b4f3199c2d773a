#include "tests/sim/shelly_switch_model.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "tests/sim/sim_noise.h"

namespace wattline::sim {
namespace {

constexpr double kMsPerHour = 3'600'000.0;

// Independent noise streams, + channel where per channel.
enum Stream : uint64_t {
  kCycle = 100,
  kLoadNoise = 110,
  kClouds = 120,
  kVoltageDrift = 130,
  kVoltageNoise,
  kFrequencyDrift,
};

}  // namespace

ShellySwitchModel::ShellySwitchModel(int channels, bool bidirectional, uint64_t seed,
                                     int64_t start_unix_ms)
    : bidirectional_(bidirectional),
      seed_(seed),
      integrated_to_ms_(start_unix_ms),
      channels_(static_cast<size_t>(std::clamp(channels, 1, kMaxChannels))) {
  // Counters that have run for a while, as on a device in use.
  const double start_wh[] = {20393.619, 8123.5, 1532.25, 3310.0};
  for (size_t i = 0; i < channels_.size(); ++i) channels_[i].imported.wh = start_wh[i];
}

ShellySwitchModel::Power ShellySwitchModel::PowerAt(int channel, int64_t unix_s) const {
  const uint64_t c = static_cast<uint64_t>(channel);
  const double noise = Noise(seed_, kLoadNoise + c, unix_s);
  switch (channel) {
    case 0: {
      if (bidirectional_) {
        const double day =
            static_cast<double>(CyclePosition(seed_, kCycle + c, unix_s, 1200)) / 720.0;
        if (day >= 1.0) return {2.0 * (1 + 0.05 * noise), 0.3};
        const double clouds = 0.85 + 0.15 * SmoothNoise(seed_, kClouds, unix_s, 20);
        return {-600.0 * std::sin(std::numbers::pi * day) * clouds - 2.0, -0.99};
      }
      const int64_t t = CyclePosition(seed_, kCycle + c, unix_s, 600);
      if (t < 150) return {2100.0 * (1 + 0.004 * noise), 1.0};
      if (t < 450) return {250.0 * (1 + 0.1 * noise), 0.6};
      return {1.5, 0.4};
    }
    case 1:
      if (CyclePosition(seed_, kCycle + c, unix_s, 600) < 200)
        return {90.0 * (1 + 0.02 * noise), 0.8};
      return {0.5, 0.3};
    case 2:
      if (CyclePosition(seed_, kCycle + c, unix_s, 900) < 300)
        return {42.0 * (1 + 0.01 * noise), 0.95};
      return {0.0, 0.0};
    default:
      if (CyclePosition(seed_, kCycle + c, unix_s, 1000) < 400)
        return {85.0 * (1 + 0.03 * noise), 0.97};
      return {0.6, 0.3};
  }
}

double ShellySwitchModel::GridVoltage(int64_t unix_s) const {
  return 230.0 + 2.5 * SmoothNoise(seed_, kVoltageDrift, unix_s, 300) +
         0.2 * Noise(seed_, kVoltageNoise, unix_s);
}

void ShellySwitchModel::AdvanceTo(int64_t now_unix_ms) {
  // Power is constant within a second, so summing whole and partial seconds
  // is the exact integral; a minute boundary closes the minute's bucket.
  while (integrated_to_ms_ < now_unix_ms) {
    const int64_t second = integrated_to_ms_ / 1000;
    const int64_t until_ms = std::min((second + 1) * 1000, now_unix_ms);
    const double hours = static_cast<double>(until_ms - integrated_to_ms_) / kMsPerHour;
    for (size_t i = 0; i < channels_.size(); ++i) {
      Channel& channel = channels_[i];
      const double p = PowerAt(static_cast<int>(i), second).p;
      Counter& counter = p >= 0 ? channel.imported : channel.exported;
      counter.wh += std::abs(p) * hours;
      counter.minute_wh += std::abs(p) * hours;
    }
    integrated_to_ms_ = until_ms;
    if (until_ms % 60'000 == 0) {
      for (Channel& channel : channels_) {
        for (Counter* counter : {&channel.imported, &channel.exported}) {
          counter->last = {counter->minute_wh, counter->last[0], counter->last[1]};
          counter->minute_wh = 0;
        }
      }
    }
  }
}

std::vector<SwitchReading> ShellySwitchModel::Read(int64_t now_unix_ms) {
  AdvanceTo(now_unix_ms);
  const int64_t unix_s = now_unix_ms / 1000;
  const int64_t minute_ts = unix_s - (unix_s % 60 + 60) % 60;
  const double freq = RoundTo(50.0 + 0.05 * SmoothNoise(seed_, kFrequencyDrift, unix_s, 20), 1);
  const double grid_v = GridVoltage(unix_s);
  std::vector<SwitchReading> readings;
  double total_current = 0;
  for (size_t i = 0; i < channels_.size(); ++i) {
    const Power power = PowerAt(static_cast<int>(i), unix_s);
    SwitchReading r;
    // About 0.3 ohm of line to the socket: the voltage sags with the load.
    const double v = grid_v - 0.3 * power.p / 230.0;
    r.apower_w = RoundTo(power.p, 1);
    r.voltage_v = RoundTo(v, 1);
    r.pf = power.p == 0 ? 0.0 : RoundTo(power.pf, 2);
    r.current_a = power.pf == 0 ? 0.0 : RoundTo(std::abs(power.p / (v * power.pf)), 3);
    r.freq_hz = freq;
    const auto fill = [minute_ts](const Counter& counter, EnergyCounter* out) {
      // Rounding is monotonic, so the served totals never decrease.
      out->total_wh = RoundTo(counter.wh, 3);
      for (size_t m = 0; m < 3; ++m) out->by_minute_mwh[m] = RoundTo(counter.last[m] * 1000.0, 3);
      out->minute_ts = minute_ts;
    };
    fill(channels_[i].imported, &r.aenergy);
    fill(channels_[i].exported, &r.ret_aenergy);
    total_current += r.current_a;
    readings.push_back(r);
  }
  const double temperature = RoundTo(32.0 + 0.8 * total_current, 1);
  for (SwitchReading& r : readings) r.temperature_c = temperature;
  return readings;
}

}  // namespace wattline::sim
