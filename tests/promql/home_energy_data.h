// The data the PromQL compatibility test loads into both Prometheus and the
// aggregator: six hours of a home's meters, the same samples written in two
// text formats. Deterministic: every run (and every machine) produces the
// same bytes, so a difference in a query's answer is a difference of the
// engines, not of the data.
//
// What the data holds, so the corpus can aim at it (offsets from
// kDataStartMs):
//   power_watts{device,phase}             every 10 s; panel a/b/c/total, and
//                                         heatpump, solar (negative), ev_charger,
//                                         dishwasher (phase="total")
//     panel a: NaN at 1h30m
//     heatpump: no samples in [2h, 2h20m) (last before the gap at 1h59m50s)
//     ev_charger: starts at 2h30m; dishwasher: ends at 4h (last at 3h59m50s)
//   energy_imported_watt_hours_total      every 15 s; panel a/b/c/total,
//                                         heatpump, ev_charger (from 2h30m),
//                                         dishwasher (until 4h)
//     panel b: counter reset at 3h (the meter restarted)
//   energy_exported_watt_hours_total      every 15 s; panel total, solar
//   voltage_volts, current_amperes        every 10 s; panel a/b/c
//   frequency_hertz                       every 15 s; panel
//   power_distribution_watts_bucket{device="heatpump",le}
//                                         every 15 s; a classic histogram
//                                         (cumulative counts, le 250 .. +Inf)
//   device_info{device,model,name,room} 1 every 15 s; one per device (all
//                                         but the EV charger's name; names
//                                         hold UTF-8, a backslash, quotes
//                                         and a newline)
//
// Thread-safety: pure functions.
#ifndef WATTLINE_TESTS_PROMQL_HOME_ENERGY_DATA_H_
#define WATTLINE_TESTS_PROMQL_HOME_ENERGY_DATA_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace wattline::testing {

// 2026-01-01T00:00:00Z.
inline constexpr int64_t kDataStartMs = 1'767'225'600'000;
inline constexpr int64_t kDataDurationMs = 6 * 3600 * 1000;

struct GeneratedSeries {
  std::string name;  // the metric name
  std::string type;  // "counter" or "gauge", for the formats' TYPE lines
  // Without __name__, sorted by name.
  std::vector<std::pair<std::string, std::string>> labels;
  std::vector<int64_t> timestamps_ms;  // increasing
  std::vector<double> values;
};

// Every series, those of one metric name next to each other.
std::vector<GeneratedSeries> GenerateHomeEnergyData();

// OpenMetrics text (timestamps in seconds, TYPE lines, "# EOF"), as
// `promtool tsdb create-blocks-from openmetrics` reads it.
std::string ToOpenMetrics(const std::vector<GeneratedSeries>& series);

// Prometheus's text format with millisecond timestamps, as the aggregator's
// /api/v1/import/prometheus reads it.
std::string ToPrometheusText(const std::vector<GeneratedSeries>& series);

}  // namespace wattline::testing

#endif  // WATTLINE_TESTS_PROMQL_HOME_ENERGY_DATA_H_
