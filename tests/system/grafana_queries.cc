#include "tests/system/grafana_queries.h"

#include <re2/re2.h>

#include <algorithm>

namespace wattline::testing {
namespace {

using Json = nlohmann::json;

std::string StringOr(const Json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

void CollectPanelQueries(const std::string& dashboard_title, const Json& panels,
                         std::vector<PanelQuery>* out) {
  if (!panels.is_array()) return;
  for (const Json& panel : panels) {
    CollectPanelQueries(dashboard_title, panel.value("panels", Json::array()), out);  // rows
    if (!panel.contains("targets")) continue;
    for (const Json& target : panel["targets"]) {
      PanelQuery query;
      query.where =
          dashboard_title + " / " + StringOr(panel, "title") + " / " + StringOr(target, "refId");
      query.expr = StringOr(target, "expr");
      query.panel_interval = StringOr(panel, "interval");
      query.target_interval = StringOr(target, "interval");
      query.panel_time_from = StringOr(panel, "timeFrom");
      query.instant = target.value("instant", false);
      out->push_back(std::move(query));
    }
  }
}

void CollectDataSourceUids(const Json& node, std::vector<std::string>* out) {
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      if (key == "datasource" && value.is_object()) out->push_back(StringOr(value, "uid"));
      CollectDataSourceUids(value, out);
    }
  } else if (node.is_array()) {
    for (const Json& element : node) CollectDataSourceUids(element, out);
  }
}

bool IsWordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Replaces every `from` in `text` whose next character does not continue a
// name (so "$device" leaves "$devices" alone); true if there was one.
bool ReplaceName(std::string* text, const std::string& from, const std::string& to,
                 bool whole_name) {
  bool found = false;
  size_t at = 0;
  while ((at = text->find(from, at)) != std::string::npos) {
    size_t end = at + from.size();
    if (whole_name && end < text->size() && IsWordChar((*text)[end])) {
      at = end;
      continue;
    }
    text->replace(at, from.size(), to);
    at += to.size();
    found = true;
  }
  return found;
}

}  // namespace

std::vector<PanelQuery> PanelQueries(const Json& dashboard) {
  std::vector<PanelQuery> out;
  CollectPanelQueries(StringOr(dashboard, "title"), dashboard.value("panels", Json::array()), &out);
  return out;
}

std::vector<VariableQuery> VariableQueries(const Json& dashboard) {
  std::vector<VariableQuery> out;
  if (!dashboard.contains("templating")) return out;
  for (const Json& variable : dashboard["templating"].value("list", Json::array())) {
    if (StringOr(variable, "type") != "query") continue;
    VariableQuery query;
    query.name = StringOr(variable, "name");
    query.where = StringOr(dashboard, "title") + " / $" + query.name;
    const Json& text = variable.value("query", Json());
    query.query = text.is_object()   ? StringOr(text, "query")
                  : text.is_string() ? text.get<std::string>()
                                     : "";
    out.push_back(std::move(query));
  }
  return out;
}

std::vector<std::string> DataSourceUids(const Json& dashboard) {
  std::vector<std::string> out;
  CollectDataSourceUids(dashboard, &out);
  return out;
}

int64_t GrafanaDurationSeconds(const std::string& text) {
  static const RE2 kDuration("(\\d+)(s|m|h|d|w)");
  int64_t count = 0;
  std::string unit;
  if (!RE2::FullMatch(text, kDuration, &count, &unit)) return -1;
  switch (unit[0]) {
    case 's':
      return count;
    case 'm':
      return count * 60;
    case 'h':
      return count * 3600;
    case 'd':
      return count * 86400;
    default:
      return count * 7 * 86400;
  }
}

std::string GoDurationString(int64_t seconds) {
  const int64_t hours = seconds / 3600, minutes = seconds % 3600 / 60, rest = seconds % 60;
  if (hours > 0) {
    return std::to_string(hours) + "h" + std::to_string(minutes) + "m" + std::to_string(rest) + "s";
  }
  if (minutes > 0) return std::to_string(minutes) + "m" + std::to_string(rest) + "s";
  return std::to_string(rest) + "s";
}

std::string GrafanaFormatInterval(int64_t seconds) {
  constexpr std::pair<int64_t, const char*> kUnits[] = {
      {365 * 86400, "y"}, {86400, "d"}, {3600, "h"}, {60, "m"}, {1, "s"}};
  for (const auto& [size, name] : kUnits) {
    if (seconds >= size) return std::to_string(seconds / size) + name;
  }
  return "1ms";
}

std::vector<std::pair<std::string, std::string>> BuiltInVariables(const PanelQuery& query,
                                                                  const GrafanaRequest& request) {
  const int64_t scrape =
      request.scrape_interval.empty() ? 15 : GrafanaDurationSeconds(request.scrape_interval);
  // Grafana's front end: the panel's Min interval, or else the data source's
  // scrape interval, bounds range / max data points from below. (Grafana
  // rounds that quotient to a table of steps; a whole second up is the same
  // wherever the minimum is larger, as for every shipped panel.)
  const int64_t low_limit =
      query.panel_interval.empty() ? scrape : GrafanaDurationSeconds(query.panel_interval);
  const int64_t per_point =
      (request.range_seconds + request.max_data_points - 1) / request.max_data_points;
  const int64_t interval = std::max(low_limit, per_point);
  // The back end: the target's Min step replaces that as the minimum step,
  // and is the scrape interval of $__rate_interval.
  const int64_t min_step =
      query.target_interval.empty() ? interval : GrafanaDurationSeconds(query.target_interval);
  const int64_t step = std::max(min_step, per_point);
  const int64_t rate_scrape =
      query.target_interval.empty() ? scrape : GrafanaDurationSeconds(query.target_interval);
  const int64_t rate = std::max(interval + rate_scrape, 4 * rate_scrape);
  const std::string range = std::to_string(request.range_seconds);
  // Longer names first, as Grafana replaces them.
  return {
      {"$__interval_ms", std::to_string(step * 1000)},
      {"$__interval", GrafanaFormatInterval(step)},
      {"$__range_ms", range + "000"},
      {"$__range_s", range},
      {"$__range", range + "s"},
      {"$__rate_interval_ms", std::to_string(rate * 1000)},
      {"$__rate_interval", GoDurationString(rate)},
  };
}

std::string Interpolate(const std::string& text,
                        const std::vector<std::pair<std::string, std::string>>& built_ins,
                        const std::map<std::string, std::string>& variables,
                        std::vector<std::string>* used) {
  std::string out = text;
  for (const auto& [name, value] : built_ins) {
    const std::string braced = "${" + name.substr(1) + "}";
    bool found = ReplaceName(&out, name, value, /*whole_name=*/false);
    found = ReplaceName(&out, braced, value, false) || found;
    if (found && used != nullptr) used->push_back(name);
  }
  for (const auto& [name, value] : variables) {
    bool found = ReplaceName(&out, "${" + name + "}", value, false);
    found = ReplaceName(&out, "$" + name, value, /*whole_name=*/true) || found;
    if (found && used != nullptr) used->push_back("$" + name);
  }
  return out;
}

}  // namespace wattline::testing
