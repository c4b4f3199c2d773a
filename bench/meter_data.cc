#include "bench/meter_data.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "tests/sim/sim_noise.h"

namespace wattline::bench {
namespace {

using sim::CyclePosition;
using sim::Noise;
using sim::RoundTo;
using sim::SmoothNoise;

constexpr double kMsPerHour = 3'600'000.0;
constexpr int64_t kDayS = 86'400;
constexpr int64_t kLocalOffsetS = 3'600;  // the homes' time zone: UTC+1
constexpr double kYearDays = 365.2425;

// Noise streams shared by the street (below kHomeStreams) and, added to a
// home's base, the home's own.
enum StreetStream : uint64_t {
  kStreetVoltage = 1,
  kFrequencyDrift,
  kFrequencyWobble,
  kFrequencyNoise,
  kRegionalClouds,
};
enum HomeStream : uint64_t {
  kHasSolar = 0,
  kHasHeatPump,
  kBaseLoad,
  kFridgePower,
  kFridgePeriod,
  kKettlePower,
  kOvenPower,
  kHeatPumpPower,
  kHeatPumpPeriod,
  kSolarPeak,
  kVoltageOffset,
  kResetMoment,
  kStandbyNoise,
  kStandbyDrift,
  kFridgeCycle,
  kKettleSlot,
  kKettleStart,
  kKettleLength,
  kOvenDay,
  kOvenStart,
  kOvenLength,
  kOvenThermostat,
  kEvening,
  kHeatPumpCycle,
  kLocalClouds,
  kCounterStart,                      // + phase, + 3 + phase
  kPhaseVoltage = kCounterStart + 6,  // + phase
  kVoltageNoise = kPhaseVoltage + 3,  // + phase
  kHomeStreams = 64,
};

// Uniform in [0, 1), fixed for (seed, stream, n).
double Uniform(uint64_t seed, uint64_t stream, int64_t n) {
  return (Noise(seed, stream, n) + 1.0) / 2.0;
}
double Between(double low, double high, double u) { return low + (high - low) * u; }

// Reactive power of a load drawing `p` watts at power factor `pf`.
double Reactive(double p, double pf) { return p * std::tan(std::acos(pf)); }

int64_t LocalSecondOfDay(int64_t unix_s) { return (unix_s + kLocalOffsetS) % kDayS; }
int64_t LocalDay(int64_t unix_s) { return (unix_s + kLocalOffsetS) / kDayS; }
double DayOfYear(int64_t unix_s) {
  return std::fmod(static_cast<double>(unix_s) / static_cast<double>(kDayS), kYearDays);
}
// 1 at midsummer (June 21st), -1 at midwinter.
double Summer(int64_t unix_s) {
  return std::cos(2 * std::numbers::pi * (DayOfYear(unix_s) - 172) / kYearDays);
}

// 0 outside 17:00-23:00 local, rising to 1 at 20:00: lights and screens.
double EveningCurve(int64_t unix_s) {
  const double hours = static_cast<double>(LocalSecondOfDay(unix_s)) / 3600.0;
  if (hours < 17 || hours > 23) return 0;
  return std::sin(std::numbers::pi * (hours - 17) / 6);
}

// How likely a kettle is boiled in the half hour starting at `hour` (local).
double KettleChance(int64_t hour) {
  if (hour >= 6 && hour < 9) return 0.35;
  if (hour >= 15 && hour < 17) return 0.25;
  if (hour >= 19 && hour < 22) return 0.2;
  if (hour < 6) return 0.01;
  return 0.08;
}

}  // namespace

Status CheckMeterDataOptions(const MeterDataOptions& options) {
  if (options.devices < 1) return Status::InvalidArgument("devices must be 1 or more");
  if (options.duration_ms < 0) return Status::InvalidArgument("duration must not be negative");
  if (options.step_ms < 1) return Status::InvalidArgument("step must be 1 ms or more");
  if (options.start_ms < 0) return Status::InvalidArgument("start must not be before 1970");
  if (!(options.solar_share >= 0 && options.solar_share <= 1)) {
    return Status::InvalidArgument("solar share must be between 0 and 1");
  }
  if (options.reset_interval_ms < 0) {
    return Status::InvalidArgument("reset interval must not be negative");
  }
  return Status::Ok();
}

int64_t MeterDataSteps(const MeterDataOptions& options) {
  return (options.duration_ms + options.step_ms - 1) / options.step_ms;
}

int64_t MeterDataSamples(const MeterDataOptions& options) {
  return MeterDataSteps(options) * options.devices * kMeterDataSeriesPerDevice;
}

MeterDataGenerator::MeterDataGenerator(const MeterDataOptions& options)
    : options_(options), steps_(MeterDataSteps(options)) {
  const uint64_t seed = options_.seed;
  homes_.resize(static_cast<size_t>(options_.devices));
  for (size_t i = 0; i < homes_.size(); ++i) {
    Home& home = homes_[i];
    const uint64_t s = (i + 1) * kHomeStreams;
    home.stream = s;
    home.has_solar = Uniform(seed, s + kHasSolar, 0) < options_.solar_share;
    home.has_heat_pump = Uniform(seed, s + kHasHeatPump, 0) < 0.5;
    home.base_w = Between(60, 180, Uniform(seed, s + kBaseLoad, 0));
    home.fridge_w = Between(80, 150, Uniform(seed, s + kFridgePower, 0));
    home.fridge_period_s =
        static_cast<int64_t>(Between(2400, 3600, Uniform(seed, s + kFridgePeriod, 0)));
    home.kettle_w = Between(2000, 3000, Uniform(seed, s + kKettlePower, 0));
    home.oven_w = Between(2500, 3500, Uniform(seed, s + kOvenPower, 0));
    home.heat_pump_w = Between(1800, 3000, Uniform(seed, s + kHeatPumpPower, 0));
    home.heat_pump_period_s =
        static_cast<int64_t>(Between(2400, 4200, Uniform(seed, s + kHeatPumpPeriod, 0)));
    home.solar_peak_w = Between(3000, 9000, Uniform(seed, s + kSolarPeak, 0));
    home.voltage_offset_v = 2.0 * Noise(seed, s + kVoltageOffset, 0);
    for (size_t p = 0; p < 3; ++p) {
      // Years of use: 2 to 15 MWh imported per phase, and for solar homes
      // up to 10 MWh exported.
      home.imported_wh[p] = RoundTo(Between(2e6, 15e6, Uniform(seed, s + kCounterStart + p, 0)), 1);
      home.exported_wh[p] =
          home.has_solar ? RoundTo(Between(0, 10e6, Uniform(seed, s + kCounterStart + 3 + p, 0)), 1)
                         : 0.0;
    }
    if (options_.reset_interval_ms > 0) {
      home.last_reset_interval = options_.start_ms / options_.reset_interval_ms;
    }
  }
}

double MeterDataGenerator::SolarAt(const Home& home, int64_t unix_s) const {
  const double summer = Summer(unix_s);
  // 8 h of daylight at midwinter, 16 h at midsummer, around 12:20 local.
  const double day_hours = 12 + 4 * summer;
  const double hours = static_cast<double>(LocalSecondOfDay(unix_s)) / 3600.0;
  const double f = (hours - (12.33 - day_hours / 2)) / day_hours;
  if (f <= 0 || f >= 1) return 0;
  const double height = std::pow(std::sin(std::numbers::pi * f), 1.3);
  const double season = 0.35 + 0.65 * (0.5 + 0.5 * summer);
  // Weather over the region (half-hour knots) dims every roof alike; passing
  // clouds (45 s knots) are each roof's own. At least a fifth gets through.
  const double regional = 0.5 + 0.5 * SmoothNoise(options_.seed, kRegionalClouds, unix_s, 1800);
  const double local =
      0.5 + 0.5 * SmoothNoise(options_.seed, home.stream + kLocalClouds, unix_s, 45);
  const double clouds = 1 - 0.8 * regional * local;
  return home.solar_peak_w * season * height * clouds;
}

std::array<MeterDataGenerator::PhaseLoad, 3> MeterDataGenerator::LoadsAt(const Home& home,
                                                                         int64_t unix_s) const {
  const uint64_t seed = options_.seed;
  const uint64_t s = home.stream;
  std::array<PhaseLoad, 3> loads;
  auto add = [&loads](size_t phase, double watts, double pf) {
    loads[phase].power_w += watts;
    loads[phase].reactive_var += Reactive(watts, pf);
  };

  // Standby: routers, chargers, clocks; 40 % on a, 30 % on b and c.
  const double standby =
      home.base_w * (1 + 0.1 * SmoothNoise(seed, s + kStandbyDrift, unix_s, 600));
  constexpr double kStandbyShare[3] = {0.4, 0.3, 0.3};
  for (size_t p = 0; p < 3; ++p) {
    add(p, standby * kStandbyShare[p] * (1 + 0.03 * Noise(seed, s + kStandbyNoise + p, unix_s)),
        0.85);
  }

  // Fridge on a: on for 35 % of its cycle, drawing three times its power for
  // the first two seconds.
  const int64_t fridge_s = CyclePosition(seed, s + kFridgeCycle, unix_s, home.fridge_period_s);
  if (fridge_s < home.fridge_period_s * 35 / 100) {
    add(0, fridge_s < 2 ? 3 * home.fridge_w : home.fridge_w, 0.8);
  }

  // Kettle on b: at most one boil per half hour.
  const int64_t local_s = unix_s + kLocalOffsetS;
  const int64_t slot = local_s / 1800;
  if (Uniform(seed, s + kKettleSlot, slot) < KettleChance(LocalSecondOfDay(unix_s) / 3600)) {
    const int64_t start = static_cast<int64_t>(1500 * Uniform(seed, s + kKettleStart, slot));
    const int64_t length = 120 + static_cast<int64_t>(120 * Uniform(seed, s + kKettleLength, slot));
    const int64_t in_slot = local_s % 1800;
    if (in_slot >= start && in_slot < start + length) add(1, home.kettle_w, 1.0);
  }

  // Oven on c on 60 % of evenings, started between 17:00 and 19:00: ten
  // minutes of preheating, then the thermostat cycles the element.
  const int64_t day = LocalDay(unix_s);
  if (Uniform(seed, s + kOvenDay, day) < 0.6) {
    const int64_t start =
        17 * 3600 + static_cast<int64_t>(7200 * Uniform(seed, s + kOvenStart, day));
    const int64_t length = 2400 + static_cast<int64_t>(2100 * Uniform(seed, s + kOvenLength, day));
    const int64_t in_use = LocalSecondOfDay(unix_s) - start;
    const int64_t on_s = 30 + static_cast<int64_t>(20 * Uniform(seed, s + kOvenThermostat, day));
    if (in_use >= 0 && in_use < length && (in_use < 600 || (in_use - 600) % 90 < on_s)) {
      add(2, home.oven_w, 1.0);
    }
  }

  // Lights and screens in the evening, on b and c.
  const double evening = EveningCurve(unix_s);
  if (evening > 0) {
    const double watts = 200 * evening * (0.7 + 0.3 * SmoothNoise(seed, s + kEvening, unix_s, 300));
    add(1, watts * 0.5, 0.9);
    add(2, watts * 0.5, 0.9);
  }

  // Heat pump on all three phases: on for 10 % of its cycle in summer (hot
  // water), 60 % in winter, and more at night.
  if (home.has_heat_pump) {
    const int64_t hour = LocalSecondOfDay(unix_s) / 3600;
    const double duty = 0.1 + 0.25 * (1 - Summer(unix_s)) + ((hour >= 22 || hour < 6) ? 0.1 : 0);
    const int64_t position =
        CyclePosition(seed, s + kHeatPumpCycle, unix_s, home.heat_pump_period_s);
    if (static_cast<double>(position) < duty * static_cast<double>(home.heat_pump_period_s)) {
      for (size_t p = 0; p < 3; ++p) add(p, home.heat_pump_w / 3, 0.92);
    }
  }

  if (home.has_solar) {
    const double solar = SolarAt(home, unix_s) / 3;
    for (PhaseLoad& load : loads) load.solar_w = solar;
  }
  return loads;
}

bool MeterDataGenerator::ResetBetween(const Home& home, int64_t from_ms, int64_t to_ms,
                                      int64_t* interval) const {
  const int64_t length = options_.reset_interval_ms;
  if (length == 0) return false;
  // One reset per interval of the epoch, at a moment of the home's own.
  for (int64_t k = std::max(home.last_reset_interval, from_ms / length); k <= to_ms / length; ++k) {
    const int64_t moment =
        k * length + static_cast<int64_t>(static_cast<double>(length) *
                                          Uniform(options_.seed, home.stream + kResetMoment, k));
    if (moment > from_ms && moment <= to_ms) {
      *interval = k + 1;
      return true;
    }
  }
  return false;
}

void MeterDataGenerator::Read(Home* home, int64_t timestamp_ms, MeterDeviceReading* reading) const {
  const uint64_t seed = options_.seed;
  const int64_t unix_s = timestamp_ms / 1000;
  const std::array<PhaseLoad, 3> loads = LoadsAt(*home, unix_s);

  int64_t interval = 0;
  reading->counters_reset =
      ResetBetween(*home, timestamp_ms - options_.step_ms, timestamp_ms, &interval);
  if (reading->counters_reset) {
    home->last_reset_interval = interval;
    home->imported_wh.fill(0);
    home->exported_wh.fill(0);
  }

  // The street's voltage: drifting over a quarter hour, lower in the evening
  // peak, higher when the street's panels feed in at midday.
  const double street_v = 230 + 2.5 * SmoothNoise(seed, kStreetVoltage, unix_s, 900) -
                          2.0 * EveningCurve(unix_s) +
                          (home->has_solar ? 0.0005 * SolarAt(*home, unix_s) : 0.0);
  const double hours = static_cast<double>(options_.step_ms) / kMsPerHour;
  for (size_t p = 0; p < 3; ++p) {
    const PhaseLoad& load = loads[p];
    const double power = load.power_w - load.solar_w;
    double pf = 0;
    if (power >= 0) {
      pf = load.power_w / std::hypot(load.power_w, load.reactive_var);
    } else {
      // cos phi(P): unity up to half the inverter's rating, 0.95 at full.
      const double share = load.solar_w / (home->solar_peak_w / 3);
      pf = -(share <= 0.5 ? 1.0 : 1.0 - 0.1 * (std::min(share, 1.0) - 0.5));
    }
    // About 0.25 ohm to the transformer: the voltage sags with import and
    // rises with export.
    const double volts = street_v + home->voltage_offset_v +
                         0.5 * SmoothNoise(seed, home->stream + kPhaseVoltage + p, unix_s, 300) +
                         0.1 * Noise(seed, home->stream + kVoltageNoise + p, unix_s) -
                         0.25 * power / 230;

    MeterPhaseReading& out = reading->phases[p];
    out.voltage_v = RoundTo(volts, 2);
    out.power_w = RoundTo(power, 1);
    out.power_factor = RoundTo(pf, 3);
    // From the rounded values, so that P = V * I * PF holds as reported.
    out.current_a =
        RoundTo(std::abs(out.power_w) / (out.voltage_v * std::abs(out.power_factor)), 3);
    if (power >= 0) {
      home->imported_wh[p] += power * hours;
    } else {
      home->exported_wh[p] -= power * hours;
    }
    // Rounding is monotonic, so the reported counters never decrease.
    out.imported_wh = RoundTo(home->imported_wh[p], 1);
    out.exported_wh = RoundTo(home->exported_wh[p], 1);
  }
}

bool MeterDataGenerator::Next(MeterStep* step) {
  if (next_step_ >= steps_) return false;
  const int64_t timestamp_ms = options_.start_ms + next_step_ * options_.step_ms;
  ++next_step_;
  const uint64_t seed = options_.seed;
  const int64_t unix_s = timestamp_ms / 1000;
  // One grid: a drift over half minutes, a faster wobble and noise, within
  // 50 +- 0.05 Hz.
  const double hz = 0.03 * SmoothNoise(seed, kFrequencyDrift, unix_s, 30) +
                    0.012 * SmoothNoise(seed, kFrequencyWobble, unix_s, 5) +
                    0.004 * Noise(seed, kFrequencyNoise, unix_s);
  step->timestamp_ms = timestamp_ms;
  step->frequency_hz = RoundTo(50 + std::clamp(hz, -0.049, 0.049), 3);
  step->devices.resize(homes_.size());
  for (size_t i = 0; i < homes_.size(); ++i) Read(&homes_[i], timestamp_ms, &step->devices[i]);
  return true;
}

}  // namespace wattline::bench
