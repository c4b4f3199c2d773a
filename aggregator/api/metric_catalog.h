// What the aggregator knows of a metric by its name, for Prometheus's
// /api/v1/metadata: the type, help and unit a scrape would have announced.
//
// Wattline's own names come from a table that follows docs/sources.md (the
// meters' quantities) and agent/sources/health_metrics.h (each device's and
// the MQTT broker's health): the aggregator cannot include agent code, so a
// name added there is added here too. Any other name (remote write, the
// text import) is described by its suffix, as Prometheus's naming
// conventions have it: "counter" for a name ending in "_total", "gauge"
// otherwise, with empty help and unit.
//
// Thread-safety: pure functions over a constant table.
#ifndef WATTLINE_AGGREGATOR_API_METRIC_CATALOG_H_
#define WATTLINE_AGGREGATOR_API_METRIC_CATALOG_H_

#include <string>
#include <string_view>

namespace wattline::aggregator {

struct MetricMetadata {
  std::string type;  // "counter" or "gauge"
  std::string help;
  // The unit as OpenMetrics names it, a suffix of the metric's name
  // ("watts", "watt_hours"); "" when there is none.
  std::string unit;
};

MetricMetadata DescribeMetric(std::string_view name);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_API_METRIC_CATALOG_H_
