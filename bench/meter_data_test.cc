#include "bench/meter_data.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "bench/meter_data_text.h"

namespace wattline::bench {
namespace {

constexpr int64_t kMinuteMs = 60'000;
constexpr int64_t kHourMs = 60 * kMinuteMs;
// 2026-06-21T00:00:00Z: midsummer, when the sun is up 04:20-20:20 local
// (UTC+1).
constexpr int64_t kMidsummerMs = 1'782'000'000'000;

MeterDataOptions Options(uint64_t seed, int devices, int64_t start_ms, int64_t duration_ms) {
  MeterDataOptions options;
  options.seed = seed;
  options.devices = devices;
  options.start_ms = start_ms;
  options.duration_ms = duration_ms;
  return options;
}

std::string Text(const MeterDataOptions& options) {
  MeterDataGenerator generator(options);
  MeterDataTextFormatter formatter(options.devices);
  MeterStep step;
  std::string out;
  while (generator.Next(&step)) formatter.Append(step, &out);
  return out;
}

// Calls `check(step)` for every step of `options`.
template <typename Check>
void ForEachStep(const MeterDataOptions& options, Check check) {
  ASSERT_TRUE(CheckMeterDataOptions(options).ok());
  MeterDataGenerator generator(options);
  MeterStep step;
  while (generator.Next(&step)) check(step);
}

TEST(MeterData, SameSeedGivesTheSameBytesAndAnotherSeedOthers) {
  const MeterDataOptions options = Options(7, 3, kMidsummerMs + 8 * kHourMs, 10 * kMinuteMs);
  const std::string first = Text(options);
  EXPECT_EQ(first, Text(options));
  MeterDataOptions other = options;
  other.seed = 8;
  EXPECT_NE(first, Text(other));
  // Every line is one sample.
  EXPECT_EQ(std::count(first.begin(), first.end(), '\n'), MeterDataSamples(options));
  EXPECT_EQ(MeterDataSamples(options), 600 * 3 * kMeterDataSeriesPerDevice);
}

TEST(MeterData, LinesAreTheAgentsSeriesWithTheStatedDecimals) {
  const MeterDataOptions options = Options(3, 2, kMidsummerMs + 12 * kHourMs, 5 * kMinuteMs);
  const std::map<std::string, int> decimals = {
      {"voltage_volts", 2},
      {"current_amperes", 3},
      {"power_watts", 1},
      {"power_factor", 3},
      {"frequency_hertz", 3},
      {"energy_imported_watt_hours_total", 1},
      {"energy_exported_watt_hours_total", 1},
  };
  std::istringstream lines(Text(options));
  std::string line;
  std::map<std::string, int> per_name;
  while (std::getline(lines, line)) {
    const size_t brace = line.find('{');
    ASSERT_NE(brace, std::string::npos) << line;
    const std::string name = line.substr(0, brace);
    ASSERT_TRUE(decimals.contains(name)) << line;
    ++per_name[name];
    const size_t labels_end = line.find("} ");
    ASSERT_NE(labels_end, std::string::npos) << line;
    const std::string labels = line.substr(brace, labels_end + 1 - brace);
    EXPECT_TRUE(labels.starts_with("{agent=\"home-00")) << line;
    EXPECT_NE(labels.find(",device=\"panel\",phase=\""), std::string::npos) << line;
    const size_t value_begin = labels_end + 2;
    const size_t value_end = line.find(' ', value_begin);
    ASSERT_NE(value_end, std::string::npos) << line;
    const std::string value = line.substr(value_begin, value_end - value_begin);
    const size_t dot = value.find('.');
    ASSERT_NE(dot, std::string::npos) << line;
    EXPECT_EQ(static_cast<int>(value.size() - dot - 1), decimals.at(name)) << line;
    const bool zero = value.find_first_of("123456789") == std::string::npos;
    EXPECT_FALSE(zero && value[0] == '-') << "negative zero: " << line;
    EXPECT_EQ(line.size() - value_end - 1, 13u) << "millisecond timestamp: " << line;
  }
  for (const auto& [name, count] : decimals) {
    EXPECT_EQ(per_name[name], 300 * 2 * 3) << name;
  }
}

TEST(MeterData, PowerIsVoltageTimesCurrentTimesPowerFactor) {
  // A winter evening and a summer noon: heat pumps, ovens, and export.
  for (int64_t start :
       {kMidsummerMs - 180 * 24 * kHourMs + 17 * kHourMs, kMidsummerMs + 11 * kHourMs}) {
    int checked = 0;
    ForEachStep(Options(5, 10, start, kHourMs), [&](const MeterStep& step) {
      for (const MeterDeviceReading& device : step.devices) {
        for (const MeterPhaseReading& phase : device.phases) {
          // The current is rounded to 1 mA: at most 0.12 W off at 240 V.
          ASSERT_NEAR(phase.power_w, phase.voltage_v * phase.current_a * phase.power_factor, 0.13);
          ASSERT_GE(std::abs(phase.power_factor), 0.8);
          ASSERT_LE(std::abs(phase.power_factor), 1.0);
          if (phase.power_w != 0) {
            ASSERT_EQ(phase.power_w < 0, phase.power_factor < 0);
          }
          // Well within the +-10 % of EN 50160.
          ASSERT_GT(phase.voltage_v, 215);
          ASSERT_LT(phase.voltage_v, 245);
          ++checked;
        }
      }
      ASSERT_GE(step.frequency_hz, 49.95);
      ASSERT_LE(step.frequency_hz, 50.05);
    });
    EXPECT_EQ(checked, 3600 * 10 * 3);
  }
}

TEST(MeterData, CountersFollowTheIntegratedPowerAndNeverDecreaseWithoutAReset) {
  MeterDataOptions options = Options(11, 8, kMidsummerMs + 9 * kHourMs, 2 * kHourMs);
  options.reset_interval_ms = 20 * kMinuteMs;  // six resets per home in the run
  MeterStep previous;
  int resets = 0;
  int steps = 0;
  ForEachStep(options, [&](const MeterStep& step) {
    if (steps++ > 0) {
      for (size_t d = 0; d < step.devices.size(); ++d) {
        const MeterDeviceReading& device = step.devices[d];
        if (device.counters_reset) ++resets;
        for (size_t p = 0; p < 3; ++p) {
          const MeterPhaseReading& now = device.phases[p];
          const MeterPhaseReading& before = previous.devices[d].phases[p];
          const double import_wh = std::max(now.power_w, 0.0) / 3600;
          const double export_wh = std::max(-now.power_w, 0.0) / 3600;
          if (device.counters_reset) {
            // Restarted from zero: what this step added, no more.
            ASSERT_NEAR(now.imported_wh, import_wh, 0.051);
            ASSERT_NEAR(now.exported_wh, export_wh, 0.051);
            continue;
          }
          ASSERT_GE(now.imported_wh, before.imported_wh);
          ASSERT_GE(now.exported_wh, before.exported_wh);
          // Both rounded to 0.1 Wh: the step's energy within 0.1 Wh.
          ASSERT_NEAR(now.imported_wh - before.imported_wh, import_wh, 0.1001);
          ASSERT_NEAR(now.exported_wh - before.exported_wh, export_wh, 0.1001);
        }
      }
    }
    previous = step;
  });
  // One reset in each 20 minutes of the epoch: 5 to 6 per home in 2 hours.
  EXPECT_GE(resets, 8 * 5);
  EXPECT_LE(resets, 8 * 6);
}

TEST(MeterData, CountersAreNeverResetWhenResetsAreOff) {
  MeterDataOptions options = Options(11, 8, kMidsummerMs, 2 * kHourMs);
  options.reset_interval_ms = 0;
  int resets = 0;
  ForEachStep(options, [&](const MeterStep& step) {
    for (const MeterDeviceReading& device : step.devices) resets += device.counters_reset;
  });
  EXPECT_EQ(resets, 0);
}

TEST(MeterData, SolarHomesExportByDayOnly) {
  MeterDataOptions options = Options(13, 20, 0, 2 * kHourMs);
  options.solar_share = 0.5;
  MeterDataGenerator homes(options);
  int solar_homes = 0;
  for (int d = 0; d < options.devices; ++d) solar_homes += homes.HasSolar(d);
  ASSERT_GT(solar_homes, 0);
  ASSERT_LT(solar_homes, options.devices);

  // Around midday (11:00-13:00 local) every solar home exports at times and
  // no other home ever does.
  options.start_ms = kMidsummerMs + 10 * kHourMs;
  std::vector<bool> exported(static_cast<size_t>(options.devices));
  ForEachStep(options, [&](const MeterStep& step) {
    for (size_t d = 0; d < step.devices.size(); ++d) {
      for (const MeterPhaseReading& phase : step.devices[d].phases) {
        if (phase.power_w >= 0) continue;
        ASSERT_TRUE(homes.HasSolar(static_cast<int>(d))) << "home " << d;
        exported[d] = true;
      }
    }
  });
  for (int d = 0; d < options.devices; ++d) EXPECT_EQ(exported[d], homes.HasSolar(d)) << d;

  // At night (22:00-02:00 local) nobody exports.
  options.start_ms = kMidsummerMs + 21 * kHourMs;
  options.duration_ms = 4 * kHourMs;
  ForEachStep(options, [&](const MeterStep& step) {
    for (const MeterDeviceReading& device : step.devices) {
      for (const MeterPhaseReading& phase : device.phases) ASSERT_GE(phase.power_w, 0);
    }
  });
}

TEST(MeterData, OutOfRangeOptionsAreRefused) {
  MeterDataOptions options = Options(1, 0, 0, kHourMs);
  EXPECT_FALSE(CheckMeterDataOptions(options).ok());
  options.devices = 1;
  EXPECT_TRUE(CheckMeterDataOptions(options).ok());
  options.step_ms = 0;
  EXPECT_FALSE(CheckMeterDataOptions(options).ok());
  options.step_ms = 1000;
  options.solar_share = 1.5;
  EXPECT_FALSE(CheckMeterDataOptions(options).ok());
}

}  // namespace
}  // namespace wattline::bench
