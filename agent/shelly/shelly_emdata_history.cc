#include "agent/shelly/shelly_emdata_history.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>
#include <utility>

namespace wattline::agent {
namespace {

using Json = nlohmann::json;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A page or a GetRecords answer never lists more than this many records; an
// answer claiming more is not a meter's.
constexpr int64_t kMaxRows = 200'000;

// Disagreements below this are rounding (records carry 4 decimals, counters 2).
constexpr double kToleranceWh = 1.0;

// The documented column order of a GetData row without "keys": the CSV header
// of DEVICES.md B.4 without "timestamp".
constexpr std::string_view kDefaultKeys[] = {
    "a_total_act_energy", "a_fund_act_energy", "a_total_act_ret_energy", "a_fund_act_ret_energy",
    "a_lag_react_energy", "a_lead_react_energy", "a_max_act_power", "a_min_act_power",
    "a_max_aprt_power", "a_min_aprt_power", "a_max_voltage", "a_min_voltage", "a_avg_voltage",
    "a_max_current", "a_min_current", "a_avg_current",
    "b_total_act_energy", "b_fund_act_energy", "b_total_act_ret_energy", "b_fund_act_ret_energy",
    "b_lag_react_energy", "b_lead_react_energy", "b_max_act_power", "b_min_act_power",
    "b_max_aprt_power", "b_min_aprt_power", "b_max_voltage", "b_min_voltage", "b_avg_voltage",
    "b_max_current", "b_min_current", "b_avg_current",
    "c_total_act_energy", "c_fund_act_energy", "c_total_act_ret_energy", "c_fund_act_ret_energy",
    "c_lag_react_energy", "c_lead_react_energy", "c_max_act_power", "c_min_act_power",
    "c_max_aprt_power", "c_min_aprt_power", "c_max_voltage", "c_min_voltage", "c_avg_voltage",
    "c_max_current", "c_min_current", "c_avg_current",
    "n_max_current", "n_min_current", "n_avg_current",
};
constexpr size_t kDefaultWidth = std::size(kDefaultKeys);

// The columns the reconstruction reads, per phase.
enum Column { kImported, kExported, kAvgVoltage, kAvgCurrent, kColumnCount };
constexpr std::string_view kColumnSuffix[kColumnCount] = {
    "_total_act_energy", "_total_act_ret_energy", "_avg_voltage", "_avg_current"};
constexpr std::string_view kPhases[3] = {"a", "b", "c"};

constexpr std::string_view kImportedMetric = "energy_imported_watt_hours_total";
constexpr std::string_view kExportedMetric = "energy_exported_watt_hours_total";

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

// Column indexes: [phase][Column], -1 when the row does not have it.
using ColumnIndex = std::array<std::array<int, kColumnCount>, 3>;

Result<ColumnIndex> FindColumns(const Json* keys, size_t* width) {
  ColumnIndex index;
  for (auto& phase : index) phase.fill(-1);
  auto find = [&](auto names, size_t count) {
    for (size_t p = 0; p < 3; ++p) {
      for (size_t c = 0; c < kColumnCount; ++c) {
        const std::string wanted = std::string(kPhases[p]) + std::string(kColumnSuffix[c]);
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
    *width = kDefaultWidth;
    find([](size_t i) { return kDefaultKeys[i]; }, kDefaultWidth);
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

Labels SeriesLabels(std::string_view metric, std::string_view device, std::string_view phase) {
  // Canonical order: "__name__" < "device" < "phase".
  return {{std::string(kMetricNameLabel), std::string(metric)},
          {"device", std::string(device)},
          {"phase", std::string(phase)}};
}

// Counter k: its metric and phase label (see EmDataCounters).
std::string_view CounterMetric(size_t k) { return k < 4 ? kImportedMetric : kExportedMetric; }
std::string_view CounterPhase(size_t k) { return k % 4 == 3 ? "total" : kPhases[k % 4]; }

// The increment of counter k over `interval`; NaN when not known.
double Increment(const EmDataInterval& interval, size_t k) {
  const std::array<double, 3>& phases = k < 4 ? interval.imported_wh : interval.exported_wh;
  if (k % 4 != 3) return phases[k % 4];
  return phases[0] + phases[1] + phases[2];  // NaN if any is
}

std::string Wh(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3f Wh", value);
  return buffer;
}

}  // namespace

Result<std::vector<EmDataBlock>> ParseEmDataRecords(std::string_view json) {
  Result<Json> doc = ParseDocument(json, kMaxEmDataPageBytes);
  if (!doc.ok()) return doc.status().WithContext("EMData.GetRecords");
  // Open point 1 of DEVICES.md: "data_blocks" with "records", or "records"
  // with "count".
  const char* count_key = "records";
  auto list = doc->find("data_blocks");
  if (list == doc->end()) {
    list = doc->find("records");
    count_key = "count";
  }
  if (list == doc->end() || !list->is_array()) {
    return Status::InvalidArgument("EMData.GetRecords: neither data_blocks nor records is a list");
  }
  std::vector<EmDataBlock> blocks;
  for (const Json& item : *list) {
    if (!item.is_object()) return Status::InvalidArgument("EMData.GetRecords: a block is not an object");
    Result<int64_t> ts = ReadInt(item, "ts", kMinTs, kMaxTs);
    Result<int64_t> period = ReadInt(item, "period", 1, 86'400);
    Result<int64_t> count = ReadInt(item, count_key, 0, kMaxRows * 100);
    for (const Status& status : {ts.status(), period.status(), count.status()}) {
      if (!status.ok()) return status.WithContext("EMData.GetRecords");
    }
    blocks.push_back(EmDataBlock{*ts, *period, *count});
  }
  return blocks;
}

Result<EmDataPage> ParseEmDataData(std::string_view json) {
  Result<Json> doc = ParseDocument(json, kMaxEmDataPageBytes);
  if (!doc.ok()) return doc.status().WithContext("EMData.GetData");
  auto keys = doc->find("keys");
  size_t width = 0;
  Result<ColumnIndex> columns = FindColumns(keys == doc->end() ? nullptr : &*keys, &width);
  if (!columns.ok()) return columns.status().WithContext("EMData.GetData");
  auto data = doc->find("data");
  if (data == doc->end() || !data->is_array()) {
    return Status::InvalidArgument("EMData.GetData: \"data\" is not a list");
  }
  EmDataPage page;
  for (const Json& block : *data) {
    if (!block.is_object()) return Status::InvalidArgument("EMData.GetData: a block is not an object");
    Result<int64_t> ts = ReadInt(block, "ts", kMinTs, kMaxTs);
    if (!ts.ok()) return ts.status().WithContext("EMData.GetData");
    Result<int64_t> period = ReadInt(block, "period", 1, 86'400);
    if (!period.ok()) return period.status().WithContext("EMData.GetData");
    auto values = block.find("values");
    if (values == block.end() || !values->is_array()) {
      return Status::InvalidArgument("EMData.GetData: a block has no list of values");
    }
    if (page.intervals.size() + values->size() > static_cast<size_t>(kMaxRows)) {
      return Status::InvalidArgument("EMData.GetData: too many records");
    }
    int64_t start = *ts;
    for (const Json& row : *values) {
      if (!row.is_array() || row.size() != width) {
        return Status::InvalidArgument("EMData.GetData: a row has " +
                                       std::to_string(row.is_array() ? row.size() : 0) +
                                       " values, expected " + std::to_string(width));
      }
      for (const Json& value : row) {
        if (!value.is_number() && !value.is_null()) {
          return Status::InvalidArgument("EMData.GetData: a value is neither a number nor null");
        }
      }
      EmDataInterval interval;
      interval.start_s = start;
      interval.period_s = *period;
      std::array<std::array<double, 3>*, kColumnCount> targets = {
          &interval.imported_wh, &interval.exported_wh, &interval.avg_voltage_v,
          &interval.avg_current_a};
      for (size_t p = 0; p < 3; ++p) {
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
    if (!ts.ok()) return ts.status().WithContext("EMData.GetData");
    page.next_record_ts = *ts;
  }
  return page;
}

std::optional<EmDataAnchor> EmDataAnchorFromSamples(const Samples& samples,
                                                    std::string_view device) {
  EmDataAnchor anchor;
  std::array<bool, kEmDataCounterCount> seen{};
  bool first = true;
  for (const Sample& sample : samples) {
    if (sample.labels.size() != 3 || LabelValue(sample.labels, "device") != device) continue;
    const std::string_view metric = MetricName(sample.labels);
    if (metric != kImportedMetric && metric != kExportedMetric) continue;
    const std::string_view phase = LabelValue(sample.labels, "phase");
    for (size_t k = 0; k < kEmDataCounterCount; ++k) {
      if (CounterMetric(k) != metric || CounterPhase(k) != phase) continue;
      if (!first && sample.timestamp_ms != anchor.timestamp_ms) return std::nullopt;
      first = false;
      anchor.timestamp_ms = sample.timestamp_ms;
      anchor.wh[k] = sample.value;
      seen[k] = true;
    }
  }
  if (std::find(seen.begin(), seen.end(), false) != seen.end()) return std::nullopt;
  return anchor;
}

std::string EncodeEmDataAnchor(const EmDataAnchor& anchor) {
  Json doc;
  doc["v"] = 1;
  doc["ts_ms"] = anchor.timestamp_ms;
  doc["wh"] = anchor.wh;  // shortest round-trip text: read back bit for bit
  return doc.dump();
}

Result<EmDataAnchor> DecodeEmDataAnchor(std::string_view text) {
  Result<Json> doc = ParseDocument(text, 4096);
  if (!doc.ok()) return doc.status().WithContext("emdata anchor");
  auto version = doc->find("v");
  auto ts = doc->find("ts_ms");
  auto wh = doc->find("wh");
  if (version == doc->end() || *version != 1 || ts == doc->end() || !ts->is_number_integer() ||
      wh == doc->end() || !wh->is_array() || wh->size() != kEmDataCounterCount) {
    return Status::InvalidArgument("emdata anchor: not a version 1 anchor");
  }
  EmDataAnchor anchor;
  anchor.timestamp_ms = ts->get<int64_t>();
  for (size_t k = 0; k < kEmDataCounterCount; ++k) {
    const Json& value = (*wh)[k];
    if (!value.is_number() || !std::isfinite(value.get<double>())) {
      return Status::InvalidArgument("emdata anchor: a counter is not a finite number");
    }
    anchor.wh[k] = value.get<double>();
  }
  return anchor;
}

EmDataReconstruction ReconstructEmData(const EmDataAnchor& last_shipped,
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
  std::array<std::vector<double>, kEmDataCounterCount> values;
  for (size_t k = 0; k < kEmDataCounterCount; ++k) {
    const std::string name = std::string(CounterMetric(k)) + "{phase=\"" +
                             std::string(CounterPhase(k)) + "\"}";
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
      increments[i] = Increment(selected[i], k);
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
  for (const auto& counter : values) all_rebuilt = all_rebuilt && !counter.empty();
  if (all_rebuilt) {
    EmDataAnchor anchor;
    anchor.timestamp_ms = out.rows.back().timestamp_ms;
    anchor.wh = out.rows.back().wh;
    out.anchor = anchor;
  } else {
    out.anchor = current;
  }
  return out;
}

void AppendEmDataSamples(std::span<const EmDataRow> rows, std::string_view device, Samples* out) {
  std::array<Labels, kEmDataCounterCount> counter_labels;
  for (size_t k = 0; k < kEmDataCounterCount; ++k) {
    counter_labels[k] = SeriesLabels(CounterMetric(k), device, CounterPhase(k));
  }
  std::array<Labels, 3> voltage_labels;
  std::array<Labels, 3> current_labels;
  for (size_t p = 0; p < 3; ++p) {
    voltage_labels[p] = SeriesLabels("voltage_volts", device, kPhases[p]);
    current_labels[p] = SeriesLabels("current_amperes", device, kPhases[p]);
  }
  out->reserve(out->size() + rows.size() * (kEmDataCounterCount + 6));
  for (const EmDataRow& row : rows) {
    for (size_t k = 0; k < kEmDataCounterCount; ++k) {
      if (std::isfinite(row.wh[k])) out->push_back({counter_labels[k], row.timestamp_ms, row.wh[k]});
    }
    for (size_t p = 0; p < 3; ++p) {
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
