#include "aggregator/energy/energy_config.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <optional>

namespace wattline::aggregator {
namespace {

Status Error(const ConfigNode& node, const std::string& message) {
  return Status::InvalidArgument(node.Where() + ": energy: " + message);
}

Result<double> ReadNumber(const ConfigNode& node, std::string_view key) {
  double value = 0;
  const std::string& text = node.scalar;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (node.kind != ConfigNode::Kind::kScalar || ec != std::errc() ||
      end != text.data() + text.size() || !std::isfinite(value)) {
    return Error(node, std::string(key) + " must be a number, got \"" + text + "\"");
  }
  return value;
}

Result<int64_t> ReadDate(const ConfigNode& node, const TimeZone& zone) {
  int year = 0;
  int month = 0;
  int day = 0;
  const std::string& text = node.scalar;
  const bool shaped = text.size() == 10 && text[4] == '-' && text[7] == '-';
  if (shaped) {
    std::from_chars(text.data(), text.data() + 4, year);
    std::from_chars(text.data() + 5, text.data() + 7, month);
    std::from_chars(text.data() + 8, text.data() + 10, day);
  }
  if (!shaped || !IsValidDate(year, month, day)) {
    return Error(node, "from must be a date as YYYY-MM-DD, got \"" + text + "\"");
  }
  return zone.ToUnixMs(year, month, day);
}

// One kind of named schedule set (a tariff, a carbon zone): the quantities
// its periods and windows may set, and the series each becomes.
struct ScheduleKind {
  std::string_view label;  // the series' label holding the set's name
  struct Quantity {
    std::string_view key;     // in periods and windows
    std::string_view metric;  // the series' name
  };
  std::vector<Quantity> quantities;
  std::string_view required;  // the key every period must give
  bool allow_negative = true;

  bool Has(std::string_view key) const {
    return std::any_of(quantities.begin(), quantities.end(),
                       [&](const Quantity& quantity) { return quantity.key == key; });
  }
};

const ScheduleKind kTariff{"tariff",
                           {{"import_per_kwh", kImportPriceMetric},
                            {"export_per_kwh", kExportPriceMetric},
                            {"standing_charge_per_day", kStandingChargeMetric}},
                           "import_per_kwh",
                           true};
const ScheduleKind kCarbon{
    "zone", {{"grams_per_kwh", kCarbonIntensityMetric}}, "grams_per_kwh", false};

// A quantity's value in a period or a window.
Result<double> ReadQuantity(const ConfigNode& node, const std::string& key,
                            const ScheduleKind& kind) {
  Result<double> number = ReadNumber(node, key);
  if (number.ok() && *number < 0 && !kind.allow_negative) {
    return Error(node, key + " must not be negative");
  }
  return number;
}

struct ParsedPeriod {
  int64_t from_ms = 0;
  std::map<std::string, double, std::less<>> values;
  // Per quantity, its windows (a window gives some of the quantities).
  std::map<std::string, std::vector<TimeWindow>, std::less<>> windows;
};

Result<TimeWindow> ReadWindow(const ConfigNode& node) {
  TimeWindow window;
  if (const ConfigNode* months = node.Find("months")) {
    Result<uint16_t> bits = ParseMonths(months->scalar);
    if (!bits.ok()) return Error(*months, bits.status().message());
    window.months = *bits;
  }
  if (const ConfigNode* days = node.Find("days")) {
    Result<uint8_t> bits = ParseWeekdays(days->scalar);
    if (!bits.ok()) return Error(*days, bits.status().message());
    window.weekdays = *bits;
  }
  if (const ConfigNode* hours = node.Find("hours")) {
    Status read = ParseHours(hours->scalar, &window);
    if (!read.ok()) return Error(*hours, read.message());
  }
  return window;
}

Result<ParsedPeriod> ReadPeriod(const ConfigNode& node, const ScheduleKind& kind,
                                const TimeZone& zone, bool first) {
  if (node.kind != ConfigNode::Kind::kMap) return Error(node, "a period must be a map");
  ParsedPeriod period;
  period.from_ms = std::numeric_limits<int64_t>::min();
  for (const auto& [key, value] : node.entries) {
    if (key == "from") {
      Result<int64_t> from = ReadDate(value, zone);
      if (!from.ok()) return from.status();
      period.from_ms = *from;
    } else if (key == "windows") {
      if (value.kind != ConfigNode::Kind::kList) return Error(value, "windows must be a list");
      for (const ConfigNode& item : value.items) {
        if (item.kind != ConfigNode::Kind::kMap) return Error(item, "a window must be a map");
        Result<TimeWindow> window = ReadWindow(item);
        if (!window.ok()) return window.status();
        bool gives_any = false;
        for (const auto& [window_key, window_value] : item.entries) {
          if (window_key == "months" || window_key == "days" || window_key == "hours") continue;
          if (!kind.Has(window_key)) return Error(window_value, "unknown window key " + window_key);
          Result<double> number = ReadQuantity(window_value, window_key, kind);
          if (!number.ok()) return number.status();
          window->value = *number;
          period.windows[window_key].push_back(*window);
          gives_any = true;
        }
        if (!gives_any) return Error(item, "a window must give a value");
      }
    } else if (kind.Has(key)) {
      Result<double> number = ReadQuantity(value, key, kind);
      if (!number.ok()) return number.status();
      period.values[key] = *number;
    } else {
      return Error(value, "unknown key " + key);
    }
  }
  if (period.from_ms == std::numeric_limits<int64_t>::min() && !first) {
    return Error(node, "every period but the first needs a from date");
  }
  if (!period.values.contains(kind.required)) {
    return Error(node, "a period needs " + std::string(kind.required));
  }
  return period;
}

// One named schedule set (a tariff, a carbon zone) as series: one per
// quantity that any of its periods or windows sets.
Status ReadNamed(const ConfigNode& node, const std::string& name, const ScheduleKind& kind,
                 const TimeZone& zone, std::vector<ScheduledSeries>* out) {
  std::vector<const ConfigNode*> items;
  if (node.kind == ConfigNode::Kind::kMap) {
    items.push_back(&node);
  } else if (node.kind == ConfigNode::Kind::kList && !node.items.empty()) {
    for (const ConfigNode& item : node.items) items.push_back(&item);
  } else {
    return Error(node, name + " must be a period (a map) or a list of periods");
  }
  std::vector<ParsedPeriod> periods;
  for (const ConfigNode* item : items) {
    Result<ParsedPeriod> period = ReadPeriod(*item, kind, zone, periods.empty());
    if (!period.ok()) return period.status();
    if (!periods.empty() && period->from_ms <= periods.back().from_ms) {
      return Error(*item, "periods must be in order of their from dates");
    }
    periods.push_back(std::move(*period));
  }
  for (const auto& [quantity, metric] : kind.quantities) {
    const bool used = std::any_of(periods.begin(), periods.end(), [&](const ParsedPeriod& p) {
      return p.values.contains(quantity) || p.windows.contains(quantity);
    });
    if (!used) continue;
    std::vector<SchedulePeriod> schedule;
    for (const ParsedPeriod& period : periods) {
      SchedulePeriod out_period;
      out_period.from_ms = period.from_ms;
      if (auto value = period.values.find(quantity); value != period.values.end()) {
        out_period.value = value->second;
      }
      if (auto windows = period.windows.find(quantity); windows != period.windows.end()) {
        out_period.windows = windows->second;
      }
      schedule.push_back(std::move(out_period));
    }
    Labels labels = {{"__name__", std::string(metric)}, {std::string(kind.label), name}};
    if (Status canonical = Canonicalize(labels); !canonical.ok()) {
      return Error(node, canonical.message());
    }
    out->push_back(ScheduledSeries{std::move(labels), Schedule(std::move(schedule))});
  }
  return Status::Ok();
}

}  // namespace

Result<EnergyConfig> ReadEnergyConfig(const ConfigNode* node) {
  EnergyConfig config;
  if (node == nullptr || node->kind == ConfigNode::Kind::kNull) return config;
  if (node->kind != ConfigNode::Kind::kMap) return Error(*node, "must be a map");
  std::string zone_name;
  if (const ConfigNode* timezone = node->Find("timezone")) zone_name = timezone->scalar;
  Result<TimeZone> zone = TimeZone::Load(zone_name);
  if (!zone.ok()) return zone.status().WithContext(node->Where() + ": energy.timezone");
  config.timezone = zone->name();

  for (const auto& [key, value] : node->entries) {
    if (key == "timezone") continue;
    const ScheduleKind* kind = key == "tariffs" ? &kTariff : key == "carbon" ? &kCarbon : nullptr;
    if (kind == nullptr) return Error(value, "unknown key " + key);
    if (value.kind == ConfigNode::Kind::kNull) continue;
    if (value.kind != ConfigNode::Kind::kMap) return Error(value, key + " must be a map of names");
    for (const auto& [name, periods] : value.entries) {
      WATTLINE_RETURN_IF_ERROR(ReadNamed(periods, name, *kind, *zone, &config.series));
    }
  }
  std::sort(config.series.begin(), config.series.end(),
            [](const ScheduledSeries& a, const ScheduledSeries& b) { return a.labels < b.labels; });
  return config;
}

}  // namespace wattline::aggregator
