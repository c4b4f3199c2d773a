// For the cost tests (energy_rules_test.cc, tests/system/energy_cost_test.cc):
// one day of meter readings in Berlin, a tariff with time-of-use windows
// that change the price five times that day, and the day's cost, energy and
// CO2 worked out by hand below.
//
// The day: Tuesday 2026-11-17, local midnight to midnight (CET, UTC+1), so
// 2026-11-16T23:00Z to 2026-11-17T23:00Z. Every meter is read every 36 s,
// so a reading falls on every half hour, where the prices change.
//
//   heater  energy_imported_watt_hours_total{phase="total"} 1 kW all day
//           (10 Wh a reading), with phase="a" (6 Wh) and "b" (4 Wh) beside it,
//           which the rules must not add in;
//   ev      energy_imported_watt_hours_total, 7 kW from 01:00 to 05:00;
//   solar   energy_exported_watt_hours_total, 2 kW from 10:00 to 14:00.
//
// Tariff "home": 0.2451 a kWh, 0.0912 from 00:30 to 07:30, 0.3874 from
// 16:00 to 19:00 on weekdays; export paid 0.15 a kWh; standing charge 0.53
// a day. Carbon "grid": 250 g/kWh, 120 from 00:00 to 06:00.
//
// By hand:
//   heater  00:00-00:30  0.5 kWh x 0.2451 = 0.12255
//           00:30-07:30  7   kWh x 0.0912 = 0.63840
//           07:30-16:00  8.5 kWh x 0.2451 = 2.08335
//           16:00-19:00  3   kWh x 0.3874 = 1.16220
//           19:00-24:00  5   kWh x 0.2451 = 1.22550   heater  5.23200
//   ev      01:00-05:00 28   kWh x 0.0912 =           ev      2.55360
//   solar   10:00-14:00  8   kWh x 0.15   = credit          -1.20000
//   standing charge                                          0.53000
//   the day                                                  7.11560
//   CO2: heater 6 kWh x 120 + 18 kWh x 250 = 5220 g; ev 28 kWh x 120 =
//   3360 g; 8580 g in all.
//
// The readings go on, the same each day, for two more days (Wednesday and
// Thursday, the same prices), so any 24 hours of whole minutes from one day
// into the next cost the same.
#ifndef WATTLINE_AGGREGATOR_ENERGY_COST_TEST_DAY_H_
#define WATTLINE_AGGREGATOR_ENERGY_COST_TEST_DAY_H_

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "aggregator/storage/sample_store.h"
#include "common/labels.h"

namespace wattline::aggregator::cost_test_day {

inline constexpr int64_t kHourMs = 3600 * 1000;
inline constexpr int64_t kDayStartMs = 1'794'870'000'000;  // 2026-11-16T23:00:00Z
inline constexpr int64_t kDayEndMs = kDayStartMs + 24 * kHourMs;
inline constexpr int64_t kReadingsEndMs = kDayEndMs + 48 * kHourMs;
inline constexpr int64_t kReadingMs = 36 * 1000;

inline constexpr double kDayCost = 7.1156;
inline constexpr double kDayImportedKwh = 24 + 28;
inline constexpr double kDayExportedKwh = 8;
inline constexpr double kDayCo2Grams = 8580;
// The heater's cost in each local hour (h:00, h+1:00].
inline constexpr double kHeaterHourCost[24] = {0.16815, 0.0912,  0.0912, 0.0912, 0.0912, 0.0912,
                                               0.0912,  0.16815, 0.2451, 0.2451, 0.2451, 0.2451,
                                               0.2451,  0.2451,  0.2451, 0.2451, 0.3874, 0.3874,
                                               0.3874,  0.2451,  0.2451, 0.2451, 0.2451, 0.2451};

// The aggregator config's energy section.
inline constexpr char kEnergySection[] = R"(energy:
  timezone: Europe/Berlin
  tariffs:
    home:
      - from: 2026-01-01
        import_per_kwh: 0.2451
        export_per_kwh: 0.15
        standing_charge_per_day: 0.53
        windows:
          - {hours: "00:30-07:30", import_per_kwh: 0.0912}
          - {days: mon-fri, hours: "16:00-19:00", import_per_kwh: 0.3874}
  carbon:
    grid:
      grams_per_kwh: 250
      windows: [{hours: "00:00-06:00", grams_per_kwh: 120}]
)";

// What the day cost up to the query's time, as docs/energy.md gives it:
// `range` is the time since local midnight less a millisecond, so that the
// minute ending at midnight (yesterday's) is left out.
inline std::string CostSinceMidnightQuery(const std::string& range) {
  const auto priced = [&](const std::string& counter, const std::string& price) {
    return "sum(sum_over_time((increase_exact(" + counter +
           "{phase=~\"total|\"}[1m]) * on() group_left() (" + price + " offset 1m))[" + range +
           ":1m])) / 1000";
  };
  return priced("energy_imported_watt_hours_total", "tariff_import_price_per_kwh") + " - (" +
         priced("energy_exported_watt_hours_total", "tariff_export_price_per_kwh") +
         " or vector(0)) + (sum(sum_over_time((tariff_standing_charge_per_day offset 1m)[" + range +
         ":1m])) / 1440 or vector(0))";
}

// Wh a meter counts in the reading interval ending `t` (local hour of day
// `hour`, fractional).
struct Meter {
  const char* metric;
  Labels labels;  // without __name__
  double (*wh_per_reading)(double hour);
};

inline std::vector<Meter> Meters() {
  return {
      {"energy_imported_watt_hours_total",
       {{"agent", "home"}, {"device", "heater"}, {"phase", "total"}},
       [](double) { return 10.0; }},
      {"energy_imported_watt_hours_total",
       {{"agent", "home"}, {"device", "heater"}, {"phase", "a"}},
       [](double) { return 6.0; }},
      {"energy_imported_watt_hours_total",
       {{"agent", "home"}, {"device", "heater"}, {"phase", "b"}},
       [](double) { return 4.0; }},
      {"energy_imported_watt_hours_total",
       {{"agent", "home"}, {"device", "ev"}},
       [](double hour) { return hour > 1 && hour <= 5 ? 70.0 : 0.0; }},
      {"energy_exported_watt_hours_total",
       {{"agent", "home"}, {"device", "solar"}},
       [](double hour) { return hour > 10 && hour <= 14 ? 20.0 : 0.0; }},
  };
}

// Every meter's readings from the day's start to kReadingsEndMs.
inline std::vector<SeriesSamples> Readings() {
  std::vector<SeriesSamples> out;
  for (const Meter& meter : Meters()) {
    SeriesSamples series;
    series.labels = meter.labels;
    series.labels.push_back({"__name__", meter.metric});
    (void)Canonicalize(series.labels);
    double counter = 1000;
    for (int64_t t = kDayStartMs; t <= kReadingsEndMs; t += kReadingMs) {
      const double hour =
          static_cast<double>((t - kDayStartMs) % (24 * kHourMs)) / static_cast<double>(kHourMs);
      if (t > kDayStartMs) counter += meter.wh_per_reading(hour == 0 ? 24 : hour);
      series.timestamps_ms.push_back(t);
      series.values.push_back(counter);
    }
    out.push_back(std::move(series));
  }
  return out;
}

// The same readings as Prometheus's text format with timestamps, for
// /api/v1/import/prometheus.
inline std::string ReadingsAsText() {
  std::string out;
  for (const SeriesSamples& series : Readings()) {
    std::string name;
    std::string labels;
    for (const Label& label : series.labels) {
      if (label.name == "__name__") {
        name = label.value;
      } else {
        labels += (labels.empty() ? "" : ",") + label.name + "=\"" + label.value + "\"";
      }
    }
    for (size_t i = 0; i < series.values.size(); ++i) {
      char value[32];
      std::snprintf(value, sizeof value, "%.17g", series.values[i]);
      out +=
          name + "{" + labels + "} " + value + " " + std::to_string(series.timestamps_ms[i]) + "\n";
    }
  }
  return out;
}

}  // namespace wattline::aggregator::cost_test_day

#endif  // WATTLINE_AGGREGATOR_ENERGY_COST_TEST_DAY_H_
