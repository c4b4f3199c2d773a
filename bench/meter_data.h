// Realistic meter data for the storage benches: the readings of N homes'
// three-phase meters, one reading per `step_ms`, deterministically from a
// seed, streamed one time step at a time so a month of a street never sits in
// memory.
//
// Each home has one meter, read as wattline-agent reads a Pro 3EM: per phase
// (a, b, c) voltage, current, active power, power factor, frequency and the
// import and export energy counters (docs/sources.md). The household behind
// it, in real (not compressed) time, in local time UTC+1:
//   - a standby base load on every phase (60-180 W in all, pf 0.85);
//   - a fridge compressor on phase a cycling through the hour, with an
//     inrush as it starts (pf 0.8);
//   - a kettle on phase b, boiled at random, most often in the morning and
//     the afternoon (resistive);
//   - an oven on phase c on most evenings: preheating, then its thermostat
//     cycling the element (resistive);
//   - lights and electronics in the evening on phases b and c (pf 0.9);
//   - in some homes a three-phase heat pump cycling, more in winter and at
//     night (pf 0.92);
//   - in some homes (`solar_share`) a three-phase solar inverter: a daily sun
//     curve (longer and higher days in summer) under regional and local
//     clouds; by day it makes the phases' power negative (export).
// Voltage is 230 V nominal with a slow drift shared by the street, an offset
// of the home's own, noise, and a sag or rise with the phase's own power.
// Frequency is the grid's: 50 +- 0.05 Hz, the same in every home. The power
// factor of an importing phase is its loads' (0.8 to 1.0, lower when the
// motors dominate); an exporting phase reports the inverter's, 1.0 up to half
// its rating and down to 0.95 at full output (the cos phi(P) rule of grid
// codes), with the sign of the power as the devices report it. Current is
// what makes P = V * I * PF hold for the values as rounded.
// Counters integrate each phase's power over the steps and start from a
// home's own history; a meter is replaced or rebooted once in every
// `reset_interval_ms` (at a random moment within each interval of the
// epoch), when its counters restart from zero.
//
// Values are rounded as reported: voltage to 2 decimals, current 3, power 1,
// power factor 3, frequency 3, energy 1 (Wh).
//
// Instantaneous values are a pure function of (seed, home, time), so
// overlapping runs agree; counters depend also on the start time.
//
// Thread-safety: a generator is used by one thread at a time.
#ifndef WATTLINE_BENCH_METER_DATA_H_
#define WATTLINE_BENCH_METER_DATA_H_

#include <array>
#include <cstdint>
#include <vector>

#include "common/status.h"

namespace wattline::bench {

inline constexpr int64_t kMeterDataDefaultResetIntervalMs = 30LL * 24 * 3600 * 1000;

struct MeterDataOptions {
  uint64_t seed = 1;
  int devices = 20;         // homes, one meter each
  int64_t start_ms = 0;     // Unix ms of the first reading
  int64_t duration_ms = 0;  // readings at start_ms + k * step_ms < start_ms + duration_ms
  int64_t step_ms = 1000;
  double solar_share = 0.4;  // the share of homes with a solar inverter, 0 to 1
  // One counter reset per home in each interval of this length; 0: never.
  int64_t reset_interval_ms = kMeterDataDefaultResetIntervalMs;
};

// InvalidArgument naming the option that is out of range (devices < 1,
// duration < 0, step < 1, solar_share outside [0, 1], reset interval < 0).
[[nodiscard]] Status CheckMeterDataOptions(const MeterDataOptions& options);

// The series each home's meter has: 7 quantities on 3 phases.
inline constexpr int kMeterDataSeriesPerDevice = 21;

// The number of readings (time steps) and of samples the options make.
int64_t MeterDataSteps(const MeterDataOptions& options);
int64_t MeterDataSamples(const MeterDataOptions& options);

struct MeterPhaseReading {
  double voltage_v = 0;
  double current_a = 0;
  double power_w = 0;       // signed: negative is export
  double power_factor = 0;  // signed like the power
  double imported_wh = 0;
  double exported_wh = 0;
};

struct MeterDeviceReading {
  std::array<MeterPhaseReading, 3> phases;  // a, b, c
  bool counters_reset = false;              // the counters restarted from zero at this step
};

struct MeterStep {
  int64_t timestamp_ms = 0;
  double frequency_hz = 0;                  // the grid's, shared by every home
  std::vector<MeterDeviceReading> devices;  // one per home, in order
};

class MeterDataGenerator {
 public:
  // REQUIRES: CheckMeterDataOptions(options).ok().
  explicit MeterDataGenerator(const MeterDataOptions& options);

  // Fills `step` with the next time step (reusing its storage); false once
  // every step was given.
  bool Next(MeterStep* step);

  // Whether home `device` has a solar inverter.
  bool HasSolar(int device) const { return homes_[static_cast<size_t>(device)].has_solar; }

 private:
  struct Home {
    uint64_t stream = 0;  // base of the home's noise streams
    bool has_solar = false;
    bool has_heat_pump = false;
    double base_w = 0;
    double fridge_w = 0;
    int64_t fridge_period_s = 0;
    double kettle_w = 0;
    double oven_w = 0;
    double heat_pump_w = 0;
    int64_t heat_pump_period_s = 0;
    double solar_peak_w = 0;
    double voltage_offset_v = 0;
    int64_t last_reset_interval = 0;  // the reset interval the counters last passed
    std::array<double, 3> imported_wh{};
    std::array<double, 3> exported_wh{};
  };
  // What a phase's loads draw, and what the solar inverter feeds into it.
  struct PhaseLoad {
    double power_w = 0;
    double reactive_var = 0;
    double solar_w = 0;
  };

  std::array<PhaseLoad, 3> LoadsAt(const Home& home, int64_t unix_s) const;
  double SolarAt(const Home& home, int64_t unix_s) const;
  bool ResetBetween(const Home& home, int64_t from_ms, int64_t to_ms, int64_t* interval) const;
  void Read(Home* home, int64_t timestamp_ms, MeterDeviceReading* reading) const;

  MeterDataOptions options_;
  std::vector<Home> homes_;
  int64_t next_step_ = 0;
  int64_t steps_ = 0;
};

}  // namespace wattline::bench

#endif  // WATTLINE_BENCH_METER_DATA_H_
