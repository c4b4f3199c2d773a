// The `energy:` section of the aggregator's config: tariffs and carbon
// intensity, which the aggregator serves as series (schedule_series.h) so
// cost and CO2 are PromQL joins. Its grammar is in docs/energy.md:
//
//   energy:
//     timezone: Europe/London          # "" the system's
//     tariffs:
//       home:                          # tariff="home"
//         - from: 2026-01-01           # a local date; the first may omit it
//           import_per_kwh: 0.245
//           export_per_kwh: 0.15       # optional, 0 when left out
//           standing_charge_per_day: 0.53
//           windows:                   # time of use; the first match wins
//             - {months: oct-mar, days: mon-fri, hours: "16:00-19:00",
//                import_per_kwh: 0.38}
//     carbon:
//       grid:                          # zone="grid"
//         grams_per_kwh: 180           # one period: a map, not a list
//         windows: [{hours: "00:00-06:00", grams_per_kwh: 120}]
//
// Thread-safety: plain data and a pure function.
#ifndef WATTLINE_AGGREGATOR_ENERGY_ENERGY_CONFIG_H_
#define WATTLINE_AGGREGATOR_ENERGY_ENERGY_CONFIG_H_

#include <string>
#include <vector>

#include "aggregator/energy/schedule.h"
#include "common/config/config_tree.h"
#include "common/labels.h"
#include "common/status.h"

namespace wattline::aggregator {

// The series names, documented in the metric catalog.
inline constexpr char kImportPriceMetric[] = "tariff_import_price_per_kwh";
inline constexpr char kExportPriceMetric[] = "tariff_export_price_per_kwh";
inline constexpr char kStandingChargeMetric[] = "tariff_standing_charge_per_day";
inline constexpr char kCarbonIntensityMetric[] = "carbon_intensity_grams_per_kwh";

struct ScheduledSeries {
  Labels labels;  // canonical: __name__ and tariff= or zone=
  Schedule schedule;
};

struct EnergyConfig {
  std::string timezone;                 // as resolved: "" became the system's zone
  std::vector<ScheduledSeries> series;  // sorted by labels
};

// Reads the section (nullptr: absent, no series). Errors are
// InvalidArgument (NotFound for an unknown time zone) naming the file, line
// and column.
Result<EnergyConfig> ReadEnergyConfig(const ConfigNode* node);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_ENERGY_ENERGY_CONFIG_H_
