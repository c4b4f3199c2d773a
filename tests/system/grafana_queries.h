// The queries of Grafana dashboards (JSON, Grafana 10's schema) and what
// Grafana's Prometheus data source makes of them before they reach the
// aggregator: its built-in variables ($__interval, $__rate_interval,
// $__range, ...) and the dashboard's template variables replaced by text.
//
// The built-in variables follow Grafana 10's backend
// (pkg/tsdb/prometheus/models/query.go: calculatePrometheusInterval,
// calculateRateInterval, InterpolateVariables), for whole-second durations.
#ifndef WATTLINE_TESTS_SYSTEM_GRAFANA_QUERIES_H_
#define WATTLINE_TESTS_SYSTEM_GRAFANA_QUERIES_H_

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace wattline::testing {

// One target of one panel.
struct PanelQuery {
  std::string where;  // "<dashboard title> / <panel title> / <refId>", for messages
  std::string expr;
  std::string panel_interval;   // the panel's "Min interval" ("" if unset)
  std::string target_interval;  // the target's "Min step" ("" if unset)
  std::string panel_time_from;  // the panel's relative time override ("" if unset)
  bool instant = false;         // Grafana sends an instant query (too)
};

// One query variable of a dashboard's templating list.
struct VariableQuery {
  std::string where;  // "<dashboard title> / $<name>"
  std::string name;
  std::string query;  // e.g. label_values(power_watts{device=~"$device"}, phase)
};

// Every target of every panel, rows' nested panels included.
std::vector<PanelQuery> PanelQueries(const nlohmann::json& dashboard);
// Every variable of type "query"; the query is the string form or the
// "query" member of the object form Grafana 10 saves.
std::vector<VariableQuery> VariableQueries(const nlohmann::json& dashboard);
// The uid of every "datasource" object anywhere in the dashboard (panels,
// targets, variables), one entry per occurrence.
std::vector<std::string> DataSourceUids(const nlohmann::json& dashboard);

// Grafana's duration texts ("15s", "1m", "1h", "1d", "1w"): seconds, or -1.
int64_t GrafanaDurationSeconds(const std::string& text);
// Go's time.Duration.String() of whole seconds: "15s", "1m15s", "1h0m0s".
std::string GoDurationString(int64_t seconds);
// Grafana's gtime.FormatInterval: the largest whole unit ("1m", "1h", "1d").
std::string GrafanaFormatInterval(int64_t seconds);

// What Grafana knows when it sends a panel's query.
struct GrafanaRequest {
  int64_t range_seconds = 0;       // the panel's time range
  int64_t max_data_points = 1000;  // about the panel's width in pixels
  std::string scrape_interval;     // the data source's timeInterval ("" = 15s)
};

// The built-in variables for `query` under `request`, by name ("$__interval"
// -> "1m"), in the order Grafana replaces them.
std::vector<std::pair<std::string, std::string>> BuiltInVariables(const PanelQuery& query,
                                                                  const GrafanaRequest& request);

// `text` with each built-in of `built_ins`, then each template variable of
// `variables` ($name and ${name}), replaced by its value. `used` (may be
// null) receives the names that occurred.
std::string Interpolate(const std::string& text,
                        const std::vector<std::pair<std::string, std::string>>& built_ins,
                        const std::map<std::string, std::string>& variables,
                        std::vector<std::string>* used);

}  // namespace wattline::testing

#endif  // WATTLINE_TESTS_SYSTEM_GRAFANA_QUERIES_H_
