#include "agent/shelly/shelly_emdata_history.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace wattline::agent {
namespace {

using Json = nlohmann::json;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A page or a GetRecords answer never lists more than this many records; an
// answer claiming more is not a meter's.
constexpr int64_t kMaxRows = 200'000;

// Disagreements below this are rounding (records carry 4 decimals, counters 2).
constexpr double kToleranceWh = 1.0;

// The documented column order of an emdata GetData row without "keys": the
// CSV header of DEVICES.md B.4 without "timestamp".
constexpr std::string_view kEmDataKeys[] = {
    "a_total_act_energy", "a_fund_act_energy",   "a_total_act_ret_energy", "a_fund_act_ret_energy",
    "a_lag_react_energy", "a_lead_react_energy", "a_max_act_power",        "a_min_act_power",
    "a_max_aprt_power",   "a_min_aprt_power",    "a_max_voltage",          "a_min_voltage",
    "a_avg_voltage",      "a_max_current",       "a_min_current",          "a_avg_current",
    "b_total_act_energy", "b_fund_act_energy",   "b_total_act_ret_energy", "b_fund_act_ret_energy",
    "b_lag_react_energy", "b_lead_react_energy", "b_max_act_power",        "b_min_act_power",
    "b_max_aprt_power",   "b_min_aprt_power",    "b_max_voltage",          "b_min_voltage",
    "b_avg_voltage",      "b_max_current",       "b_min_current",          "b_avg_current",
    "c_total_act_energy", "c_fund_act_energy",   "c_total_act_ret_energy", "c_fund_act_ret_energy",
    "c_lag_react_energy", "c_lead_react_energy", "c_max_act_power",        "c_min_act_power",
    "c_max_aprt_power",   "c_min_aprt_power",    "c_max_voltage",          "c_min_voltage",
    "c_avg_voltage",      "c_max_current",       "c_min_current",          "c_avg_current",
    "n_max_current",      "n_min_current",       "n_avg_current",
};

// The same for em1data (see the header for where the order comes from).
constexpr std::string_view kEm1DataKeys[] = {
    "total_act_energy", "total_act_ret_energy", "lag_react_energy", "lead_react_energy",
    "max_act_power",    "min_act_power",        "max_aprt_power",   "min_aprt_power",
    "max_voltage",      "min_voltage",          "avg_voltage",      "max_current",
    "min_current",      "avg_current",
};

// The columns the reconstruction reads, per lane.
enum Column { kImported, kExported, kAvgVoltage, kAvgCurrent, kColumnCount };
constexpr std::string_view kColumnNames[kColumnCount] = {"total_act_energy", "total_act_ret_energy",
                                                         "avg_voltage", "avg_current"};
constexpr std::string_view kPhases[3] = {"a", "b", "c"};

constexpr std::string_view kImportedMetric = "energy_imported_watt_hours_total";
constexpr std::string_view kExportedMetric = "energy_exported_watt_hours_total";

// How a component's records read and its series are named: the part of the
// descriptor that is a table.
struct Layout {
  std::span<const std::string_view> default_keys;               // a row without "keys"
  std::array<std::string_view, kMaxEmDataLanes> column_prefix;  // per lane
  bool totals;  // counters with phase="total" after the lanes'
};

constexpr Layout kEmDataLayout = {kEmDataKeys, {"a_", "b_", "c_"}, true};
constexpr Layout kEm1DataLayout = {kEm1DataKeys, {"", "", ""}, false};

const Layout& LayoutOf(const EmDataComponent& component) {
  return component.kind == EmDataComponent::Kind::kEmData ? kEmDataLayout : kEm1DataLayout;
}

// Counters per direction (imported, exported): the lanes, and the total.
size_t PerDirection(const EmDataComponent& component) {
  return component.lanes() + (LayoutOf(component).totals ? 1 : 0);
}

Result<Json> ParseDocument(std::string_view text, size_t max_bytes) {
  if (text.size() > max_bytes) {
    return Status::InvalidArgument("answer of " + std::to_string(text.size()) +
                                   " bytes is over the limit of " + std::to_string(max_bytes));
  }
  Json doc = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Status::InvalidArgument("not valid JSON");
  if (!doc.is_object()) return Status::InvalidArgument("expected a JSON object");
  return doc;
}

// An integral number in [lo, hi] under `key` of `object`.
Result<int64_t> ReadInt(const Json& object, std::string_view key, int64_t lo, int64_t hi) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_number()) {
    return Status::InvalidArgument("\"" + std::string(key) + "\" is missing or not a number");
  }
  const double value = it->get<double>();
  if (!std::isfinite(value) || value != std::floor(value) || value < static_cast<double>(lo) ||
      value > static_cast<double>(hi)) {
    return Status::InvalidArgument("\"" + std::string(key) + "\" is out of range");
  }
  return it->is_number_integer() ? it->get<int64_t>() : static_cast<int64_t>(value);
}

// Unix seconds from 2000 to 2200: wide, but excludes garbage and uptimes.
constexpr int64_t kMinTs = 946'684'800;
constexpr int64_t kMaxTs = 7'258'118'400;

// Column indexes: [lane][Column], -1 when the row does not have it.
using ColumnIndex = std::array<std::array<int, kColumnCount>, kMaxEmDataLanes>;

Result<ColumnIndex> FindColumns(const EmDataComponent& component, const Json* keys, size_t* width) {
  const Layout& layout = LayoutOf(component);
  ColumnIndex index;
  for (auto& lane : index) lane.fill(-1);
  auto find = [&](auto names, size_t count) {
    for (size_t p = 0; p < component.lanes(); ++p) {
      for (size_t c = 0; c < kColumnCount; ++c) {
        const std::string wanted =
            std::string(layout.column_prefix[p]) + std::string(kColumnNames[c]);
        for (size_t i = 0; i < count; ++i) {
          if (names(i) == wanted) {
            index[p][c] = static_cast<int>(i);
            break;
          }
        }
      }
    }
  };
  if (keys == nullptr) {
    *width = layout.default_keys.size();
    find([&](size_t i) { return layout.default_keys[i]; }, layout.default_keys.size());
    return index;
  }
  if (!keys->is_array() || keys->size() > 1000) {
    return Status::InvalidArgument("\"keys\" is not a list of names");
  }
  for (const Json& key : *keys) {
    if (!key.is_string()) return Status::InvalidArgument("\"keys\" is not a list of names");
  }
  *width = keys->size();
  find([&](size_t i) { return std::string_view((*keys)[i].get_ref<const std::string&>()); },
       keys->size());
  return index;
}

// The label that tells a component's series apart, lane `lane` (phase or
// channel) or phase="total" when lane == lanes(): as the live parser labels
// them (shelly_gen2_parser.h).
Label LaneLabel(const EmDataComponent& component, size_t lane) {
  if (component.kind == EmDataComponent::Kind::kEm1Data) {
    return {"channel", std::to_string(component.id)};
  }
  return {"phase", std::string(lane < component.lanes() ? kPhases[lane] : "total")};
}

Labels SeriesLabels(const EmDataComponent& component, std::string_view metric,
                    std::string_view device, size_t lane) {
  Labels labels = {{std::string(kMetricNameLabel), std::string(metric)},
                   {"device", std::string(device)}};
  // Canonical order: "__name__" < "channel" < "device" < "phase".
  Label extra = LaneLabel(component, lane);
  labels.insert(extra.name < "device" ? labels.begin() + 1 : labels.end(), std::move(extra));
  return labels;
}

// Counter k (see EmDataCounters): its metric and lane (lanes() for a total).
std::string_view CounterMetric(const EmDataComponent& component, size_t k) {
  return k < PerDirection(component) ? kImportedMetric : kExportedMetric;
}
size_t CounterLane(const EmDataComponent& component, size_t k) {
  return k % PerDirection(component);
}

// The increment of counter k over `interval`; NaN when not known.
double Increment(const EmDataComponent& component, const EmDataInterval& interval, size_t k) {
  const auto& lanes = k < PerDirection(component) ? interval.imported_wh : interval.exported_wh;
  const size_t lane = CounterLane(component, k);
  if (lane < component.lanes()) return lanes[lane];
  double sum = 0;
  for (size_t p = 0; p < component.lanes(); ++p) sum += lanes[p];  // NaN if any is
  return sum;
}

std::string Wh(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3f Wh", value);
  return buffer;
}

}  // namespace

std::string_view EmDataComponent::rpc_namespace() const {
  return kind == Kind::kEmData ? "EMData" : "EM1Data";
}

std::string EmDataComponent::key() const {
  return std::string(kind == Kind::kEmData ? "emdata:" : "em1data:") + std::to_string(id);
}

Result<std::vector<EmDataBlock>> ParseEmDataRecords(const EmDataComponent& component,
                                                    std::string_view json) {
  const std::string context = std::string(component.rpc_namespace()) + ".GetRecords";
  Result<Json> doc = ParseDocument(json, kMaxEmDataPageBytes);
  if (!doc.ok()) return doc.status().WithContext(context);
  // Open point 1 of DEVICES.md: "data_blocks" with "records", or "records"
  // with "count".
  const char* count_key = "records";
  auto list = doc->find("data_blocks");
  if (list == doc->end()) {
    list = doc->find("records");
    count_key = "count";
  }
  if (list == doc->end() || !list->is_array()) {
    return Status::InvalidArgument(context + ": neither data_blocks nor records is a list");
  }
  std::vector<EmDataBlock> blocks;
  for (const Json& item : *list) {
    if (!item.is_object()) return Status::InvalidArgument(context + ": a block is not an object");
    Result<int64_t> ts = ReadInt(item, "ts", kMinTs, kMaxTs);
    Result<int64_t> period = ReadInt(item, "period", 1, 86'400);
    Result<int64_t> count = ReadInt(item, count_key, 0, kMaxRows * 100);
    for (const Status& status : {ts.status(), period.status(), count.status()}) {
      if (!status.ok()) return status.WithContext(context);
    }
    blocks.push_back(EmDataBlock{*ts, *period, *count});
  }
  return blocks;
}

Result<EmDataPage> ParseEmDataData(const EmDataComponent& component, std::string_view json) {
  const std::string context = std::string(component.rpc_namespace()) + ".GetData";
  Result<Json> doc = ParseDocument(json, kMaxEmDataPageBytes);
  if (!doc.ok()) return doc.status().WithContext(context);
  auto keys = doc->find("keys");
  size_t width = 0;
  Result<ColumnIndex> columns =
      FindColumns(component, keys == doc->end() ? nullptr : &*keys, &width);
  if (!columns.ok()) return columns.status().WithContext(context);
  auto data = doc->find("data");
  if (data == doc->end() || !data->is_array()) {
    return Status::InvalidArgument(context + ": \"data\" is not a list");
  }
  EmDataPage page;
  for (const Json& block : *data) {
    if (!block.is_object()) return Status::InvalidArgument(context + ": a block is not an object");
    Result<int64_t> ts = ReadInt(block, "ts", kMinTs, kMaxTs);
    if (!ts.ok()) return ts.status().WithContext(context);
    Result<int64_t> period = ReadInt(block, "period", 1, 86'400);
    if (!period.ok()) return period.status().WithContext(context);
    auto values = block.find("values");
    if (values == block.end() || !values->is_array()) {
      return Status::InvalidArgument(context + ": a block has no list of values");
    }
    if (page.intervals.size() + values->size() > static_cast<size_t>(kMaxRows)) {
      return Status::InvalidArgument(context + ": too many records");
    }
    int64_t start = *ts;
    for (const Json& row : *values) {
      if (!row.is_array() || row.size() != width) {
        return Status::InvalidArgument(context + ": a row has " +
                                       std::to_string(row.is_array() ? row.size() : 0) +
                                       " values, expected " + std::to_string(width));
      }
      for (const Json& value : row) {
        if (!value.is_number() && !value.is_null()) {
          return Status::InvalidArgument(context + ": a value is neither a number nor null");
        }
      }
      EmDataInterval interval;
      interval.start_s = start;
      interval.period_s = *period;
      std::array<std::array<double, kMaxEmDataLanes>*, kColumnCount> targets = {
          &interval.imported_wh, &interval.exported_wh, &interval.avg_voltage_v,
          &interval.avg_current_a};
      for (size_t p = 0; p < kMaxEmDataLanes; ++p) {
        for (size_t c = 0; c < kColumnCount; ++c) {
          const int i = (*columns)[p][c];
          const Json* value = i < 0 ? nullptr : &row[static_cast<size_t>(i)];
          (*targets[c])[p] = value != nullptr && value->is_number() ? value->get<double>() : kNaN;
        }
      }
      page.intervals.push_back(interval);
      start += *period;
    }
  }
  auto next = doc->find("next_record_ts");
  if (next != doc->end() && !next->is_null()) {
    Result<int64_t> ts = ReadInt(*doc, "next_record_ts", kMinTs, kMaxTs);
    if (!ts.ok()) return ts.status().WithContext(context);
    page.next_record_ts = *ts;
  }
  return page;
}

std::optional<EmDataAnchor> EmDataAnchorFromSamples(const EmDataComponent& component,
                                                    const Samples& samples,
                                                    std::string_view device) {
  const size_t count = component.counters();
  std::array<Labels, kEmDataCounterCount> wanted;
  for (size_t k = 0; k < count; ++k) {
    wanted[k] =
        SeriesLabels(component, CounterMetric(component, k), device, CounterLane(component, k));
  }
  EmDataAnchor anchor;
  std::array<bool, kEmDataCounterCount> seen{};
  bool first = true;
  for (const Sample& sample : samples) {
    if (sample.labels.size() != 3 || LabelValue(sample.labels, "device") != device) continue;
    for (size_t k = 0; k < count; ++k) {
      if (sample.labels != wanted[k]) continue;
      if (!first && sample.timestamp_ms != anchor.timestamp_ms) return std::nullopt;
      first = false;
      anchor.timestamp_ms = sample.timestamp_ms;
      anchor.wh[k] = sample.value;
      seen[k] = true;
    }
  }
  if (std::find(seen.begin(), seen.begin() + static_cast<std::ptrdiff_t>(count), false) !=
      seen.begin() + static_cast<std::ptrdiff_t>(count)) {
    return std::nullopt;
  }
  return anchor;
}

std::string EncodeEmDataAnchor(const EmDataComponent& component, const EmDataAnchor& anchor) {
  Json doc;
  doc["v"] = 1;
  doc["ts_ms"] = anchor.timestamp_ms;
  // Shortest round-trip text: read back bit for bit.
  doc["wh"] = std::vector<double>(anchor.wh.begin(), anchor.wh.begin() + component.counters());
  return doc.dump();
}

Result<EmDataAnchor> DecodeEmDataAnchor(const EmDataComponent& component, std::string_view text) {
  Result<Json> doc = ParseDocument(text, 4096);
  if (!doc.ok()) return doc.status().WithContext("emdata anchor");
  auto version = doc->find("v");
  auto ts = doc->find("ts_ms");
  auto wh = doc->find("wh");
  if (version == doc->end() || *version != 1 || ts == doc->end() || !ts->is_number_integer() ||
      wh == doc->end() || !wh->is_array() || wh->size() != component.counters()) {
    return Status::InvalidArgument("emdata anchor: not a version 1 anchor of " + component.key());
  }
  EmDataAnchor anchor;
  anchor.timestamp_ms = ts->get<int64_t>();
  for (size_t k = 0; k < component.counters(); ++k) {
    const Json& value = (*wh)[k];
    if (!value.is_number() || !std::isfinite(value.get<double>())) {
      return Status::InvalidArgument("emdata anchor: a counter is not a finite number");
    }
    anchor.wh[k] = value.get<double>();
  }
  return anchor;
}

EmDataReconstruction ReconstructEmData(const EmDataComponent& component,
                                       const EmDataAnchor& last_shipped,
                                       const EmDataAnchor& current,
                                       std::vector<EmDataInterval> intervals) {
  EmDataReconstruction out;
  std::sort(intervals.begin(), intervals.end(),
            [](const EmDataInterval& x, const EmDataInterval& y) { return x.start_s < y.start_s; });
  // Complete intervals that end after the anchor and no later than now,
  // one per start.
  std::vector<EmDataInterval> selected;
  for (const EmDataInterval& interval : intervals) {
    const int64_t end_ms = interval.end_s() * 1000;
    if (end_ms <= last_shipped.timestamp_ms || end_ms > current.timestamp_ms) continue;
    if (!selected.empty() && selected.back().start_s == interval.start_s) continue;
    // Overlapping blocks (a clock step on the device): keep time order.
    if (!selected.empty() && interval.start_s < selected.back().end_s()) continue;
    selected.push_back(interval);
  }
  if (selected.empty()) return out;

  // Backwards from the current counters when the history starts after the
  // anchor (see the header).
  const bool from_end = selected.front().start_s * 1000 > last_shipped.timestamp_ms;
  if (from_end) {
    out.notes.push_back("history starts " +
                        std::to_string((selected.front().start_s * 1000 -
                                        last_shipped.timestamp_ms) / 1000) +
                        " s after the last shipped counters; the energy in between is placed at "
                        "its start");
  }

  // values[k][i]: counter k at the end of selected[i]; empty when not rebuilt.
  const size_t count = component.counters();
  std::array<std::vector<double>, kEmDataCounterCount> values;
  for (size_t k = 0; k < count; ++k) {
    const Label lane = LaneLabel(component, CounterLane(component, k));
    const std::string name =
        std::string(CounterMetric(component, k)) + "{" + lane.name + "=\"" + lane.value + "\"}";
    const double low = last_shipped.wh[k];
    const double high = current.wh[k];
    if (high < low - kToleranceWh) {
      out.notes.push_back(name + " fell from " + Wh(low) + " to " + Wh(high) +
                          " (reset or another meter): not rebuilt");
      continue;
    }
    std::vector<double> increments(selected.size());
    bool known = true;
    for (size_t i = 0; i < selected.size(); ++i) {
      increments[i] = Increment(component, selected[i], k);
      known = known && std::isfinite(increments[i]);
    }
    if (!known) {
      out.notes.push_back(name + ": the history lacks its energy column: not rebuilt");
      continue;
    }
    std::vector<double> raw(selected.size());
    if (from_end) {
      double suffix = 0;
      for (size_t i = selected.size(); i-- > 0;) {
        raw[i] = high - suffix;
        suffix += increments[i];
      }
    } else {
      double running = low;
      for (size_t i = 0; i < selected.size(); ++i) raw[i] = running += increments[i];
      if (raw.back() > high + kToleranceWh) {
        out.notes.push_back(name + ": the history adds up to " + Wh(raw.back() - high) +
                            " more than the meter's counter; clamped to it");
      }
    }
    const double ceiling = std::max(high, low);
    double previous = low;
    for (double& value : raw) {
      value = std::min(std::max(value, previous), ceiling);
      previous = value;
    }
    values[k] = std::move(raw);
  }

  out.rows.resize(selected.size());
  for (size_t i = 0; i < selected.size(); ++i) {
    EmDataRow& row = out.rows[i];
    row.timestamp_ms = selected[i].end_s() * 1000;
    for (size_t k = 0; k < kEmDataCounterCount; ++k) {
      row.wh[k] = values[k].empty() ? kNaN : values[k][i];
    }
    row.avg_voltage_v = selected[i].avg_voltage_v;
    row.avg_current_a = selected[i].avg_current_a;
  }

  bool all_rebuilt = true;
  for (size_t k = 0; k < count; ++k) all_rebuilt = all_rebuilt && !values[k].empty();
  if (all_rebuilt) {
    EmDataAnchor anchor;
    anchor.timestamp_ms = out.rows.back().timestamp_ms;
    std::copy_n(out.rows.back().wh.begin(), count, anchor.wh.begin());
    out.anchor = anchor;
  } else {
    out.anchor = current;
  }
  return out;
}

void AppendEmDataSamples(const EmDataComponent& component, std::span<const EmDataRow> rows,
                         std::string_view device, Samples* out) {
  const size_t count = component.counters();
  const size_t lanes = component.lanes();
  std::array<Labels, kEmDataCounterCount> counter_labels;
  for (size_t k = 0; k < count; ++k) {
    counter_labels[k] =
        SeriesLabels(component, CounterMetric(component, k), device, CounterLane(component, k));
  }
  std::array<Labels, kMaxEmDataLanes> voltage_labels;
  std::array<Labels, kMaxEmDataLanes> current_labels;
  for (size_t p = 0; p < lanes; ++p) {
    voltage_labels[p] = SeriesLabels(component, "voltage_volts", device, p);
    current_labels[p] = SeriesLabels(component, "current_amperes", device, p);
  }
  out->reserve(out->size() + rows.size() * (count + 2 * lanes));
  for (const EmDataRow& row : rows) {
    for (size_t k = 0; k < count; ++k) {
      if (std::isfinite(row.wh[k])) out->push_back({counter_labels[k], row.timestamp_ms, row.wh[k]});
    }
    for (size_t p = 0; p < lanes; ++p) {
      if (std::isfinite(row.avg_voltage_v[p])) {
        out->push_back({voltage_labels[p], row.timestamp_ms, row.avg_voltage_v[p]});
      }
      if (std::isfinite(row.avg_current_a[p])) {
        out->push_back({current_labels[p], row.timestamp_ms, row.avg_current_a[p]});
      }
    }
  }
}

}  // namespace wattline::agent
