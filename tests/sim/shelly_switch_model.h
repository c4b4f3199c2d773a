// The value model behind shelly-switch-sim: a Shelly Gen2+ metering switch
// (Plus 1PM/2PM, Pro 4PM, Plug S, 1PM Gen4; component switch:N, DEVICES.md
// B.6) with one appliance behind each output, in compressed time like the
// Pro 3EM model:
//   switch:0  a washing machine whose programme repeats every 600 s:
//             heating 2100 W (pf 1) for 150 s, washing 250 W (pf 0.6) for
//             300 s, standby 1.5 W;
//             with `bidirectional` it is instead a balcony solar inverter
//             feeding in up to 600 W (negative power, pf -0.99) during 60 %
//             of every 1200 s, drawing 2 W (pf 0.3) the rest of the time;
//   switch:1  a fridge: 90 W (pf 0.8) for 200 s of every 600 s, 0.5 W off;
//   switch:2  a lamp: 42 W (pf 0.95) for 300 s of every 900 s;
//   switch:3  a TV: 85 W (pf 0.97) for 400 s of every 1000 s, 0.6 W off.
// Instantaneous values are a pure function of (seed, channel, unix second).
// Energy counters integrate the same per-second power exactly (import into
// aenergy, export into ret_aenergy), so total == the integral of apower; the
// by_minute entries are the mWh of the last three complete minutes.
// Rounding as the firmware prints: apower and voltage to 1 decimal, current
// to 3, pf to 2, freq to 1, energy totals and by_minute to 3, temperature to
// 1. The device temperature rises with the total current.
//
// Not thread-safe: the caller serialises access.
#ifndef WATTLINE_TESTS_SIM_SHELLY_SWITCH_MODEL_H_
#define WATTLINE_TESTS_SIM_SHELLY_SWITCH_MODEL_H_

#include <array>
#include <cstdint>
#include <vector>

namespace wattline::sim {

struct EnergyCounter {
  double total_wh = 0;
  std::array<double, 3> by_minute_mwh{};  // [0] = the most recent complete minute
  int64_t minute_ts = 0;                  // unix s of the start of the current minute
};

struct SwitchReading {
  double apower_w = 0;  // signed: negative is export (bidirectional only)
  double voltage_v = 0;
  double current_a = 0;
  double pf = 0;  // signed like the power
  double freq_hz = 0;
  EnergyCounter aenergy;      // imported
  EnergyCounter ret_aenergy;  // exported; stays 0 unless bidirectional
  double temperature_c = 0;   // the device's, the same for every channel
};

class ShellySwitchModel {
 public:
  static constexpr int kMaxChannels = 4;

  // REQUIRES: 1 <= channels <= kMaxChannels.
  ShellySwitchModel(int channels, bool bidirectional, uint64_t seed, int64_t start_unix_ms);

  int channels() const { return static_cast<int>(channels_.size()); }
  bool bidirectional() const { return bidirectional_; }

  // Every channel's reading at `now_unix_ms`. Integrates energy up to then
  // first; a time before the latest one asked integrates nothing.
  std::vector<SwitchReading> Read(int64_t now_unix_ms);

 private:
  struct Power {
    double p = 0;  // W, signed
    double pf = 1;
  };
  struct Counter {
    double wh = 0;
    double minute_wh = 0;          // of the current minute so far
    std::array<double, 3> last{};  // Wh of the last complete minutes
  };
  struct Channel {
    Counter imported;
    Counter exported;
  };

  Power PowerAt(int channel, int64_t unix_s) const;
  double GridVoltage(int64_t unix_s) const;
  void AdvanceTo(int64_t now_unix_ms);

  bool bidirectional_;
  uint64_t seed_;
  int64_t integrated_to_ms_;
  std::vector<Channel> channels_;
};

}  // namespace wattline::sim

#endif  // WATTLINE_TESTS_SIM_SHELLY_SWITCH_MODEL_H_
