#include "tests/sim/shelly_emdata_history.h"

#include <algorithm>
#include <cmath>

#include "tests/sim/sim_noise.h"

namespace wattline::sim {
namespace {

using Json = nlohmann::ordered_json;

// DEVICES.md B.4: the CSV header without "timestamp".
constexpr std::array<std::string_view, ShellyEmDataHistory::kColumns> kKeys = {
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

// em1data's columns (the header of an em1data CSV download without
// "timestamp"), and where each is in a phase's 16 emdata columns.
constexpr std::array<std::string_view, ShellyEmDataHistory::kEm1Columns> kEm1Keys = {
    "total_act_energy", "total_act_ret_energy", "lag_react_energy", "lead_react_energy",
    "max_act_power",    "min_act_power",        "max_aprt_power",   "min_aprt_power",
    "max_voltage",      "min_voltage",          "avg_voltage",      "max_current",
    "min_current",      "avg_current",
};
constexpr std::array<size_t, ShellyEmDataHistory::kEm1Columns> kEm1Offsets = {
    0, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
constexpr size_t kColumnsPerPhase = 16;
constexpr int64_t kEm1Channels = 3;

constexpr int64_t kPeriodS = 60;

ShellyEmDataHistory::Answer Error(int http_status, int code, std::string message) {
  ShellyEmDataHistory::Answer answer;
  answer.http_status = http_status;
  answer.error_code = code;
  answer.error_message = std::move(message);
  return answer;
}

// Min, max and sum of one quantity over a minute.
struct Stats {
  double min = INFINITY;
  double max = -INFINITY;
  double sum = 0;
  void Add(double v) {
    min = std::min(min, v);
    max = std::max(max, v);
    sum += v;
  }
};

// params[name] as an integer; false when absent or not an integer.
bool IntParam(const Json& params, const char* name, int64_t* out) {
  auto it = params.find(name);
  if (it == params.end() || !it->is_number_integer()) return false;
  *out = it->get<int64_t>();
  return true;
}

}  // namespace

ShellyEmDataHistory::ShellyEmDataHistory(uint64_t seed, int64_t start_unix_ms, size_t chunk,
                                         Pro3emProfile profile)
    : model_(seed, start_unix_ms),
      chunk_(std::max<size_t>(chunk, 1)),
      profile_(profile),
      first_s_((start_unix_ms + kPeriodS * 1000 - 1) / (kPeriodS * 1000) * kPeriodS) {
  boundary_ = model_.EmData(first_s_ * 1000);
}

bool ShellyEmDataHistory::Handles(std::string_view method) {
  return method == "EMData.GetRecords" || method == "EMData.GetData" ||
         method == "EM1Data.GetRecords" || method == "EM1Data.GetData";
}

const std::array<std::string_view, ShellyEmDataHistory::kColumns>& ShellyEmDataHistory::Keys() {
  return kKeys;
}

const std::array<std::string_view, ShellyEmDataHistory::kEm1Columns>&
ShellyEmDataHistory::Em1Keys() {
  return kEm1Keys;
}

void ShellyEmDataHistory::ExtendTo(int64_t now_unix_ms) {
  while ((first_s_ + static_cast<int64_t>(records_.size() + 1) * kPeriodS) * 1000 <= now_unix_ms) {
    const int64_t start_s = first_s_ + static_cast<int64_t>(records_.size()) * kPeriodS;
    std::array<Stats, 3> act, aprt, voltage, current;
    std::array<double, 3> reactive_wh{};
    Stats neutral;
    for (int64_t s = start_s; s < start_s + kPeriodS; ++s) {
      // Whole seconds: the model integrates exactly as for one long step.
      const EmReading reading = model_.Em(s * 1000);
      for (size_t p = 0; p < 3; ++p) {
        const PhaseReading& phase = reading.phases[p];
        act[p].Add(phase.act_power_w);
        aprt[p].Add(phase.aprt_power_va);
        voltage[p].Add(phase.voltage_v);
        current[p].Add(phase.current_a);
        const double q2 = phase.aprt_power_va * phase.aprt_power_va -
                          phase.act_power_w * phase.act_power_w;
        reactive_wh[p] += std::sqrt(std::max(0.0, q2)) / 3600.0;
      }
      neutral.Add(reading.n_current_a);
    }
    const EmDataReading end = model_.EmData((start_s + kPeriodS) * 1000);
    Record record{};
    for (size_t p = 0; p < 3; ++p) {
      double* x = record.data() + kColumnsPerPhase * p;
      // The rise of the served counters; their 2-decimal differences,
      // cleaned of binary fractions.
      const double imported = RoundTo(end.imported_wh[p] - boundary_.imported_wh[p], 4);
      const double exported = RoundTo(end.exported_wh[p] - boundary_.exported_wh[p], 4);
      x[0] = imported;
      x[1] = imported;
      x[2] = exported;
      x[3] = exported;
      x[4] = RoundTo(reactive_wh[p], 4);
      x[5] = 0;
      x[6] = RoundTo(act[p].max, 1);
      x[7] = RoundTo(act[p].min, 1);
      x[8] = RoundTo(aprt[p].max, 1);
      x[9] = RoundTo(aprt[p].min, 1);
      x[10] = RoundTo(voltage[p].max, 3);
      x[11] = RoundTo(voltage[p].min, 3);
      x[12] = RoundTo(voltage[p].sum / kPeriodS, 3);
      x[13] = RoundTo(current[p].max, 3);
      x[14] = RoundTo(current[p].min, 3);
      x[15] = RoundTo(current[p].sum / kPeriodS, 3);
    }
    record[48] = RoundTo(neutral.max, 3);
    record[49] = RoundTo(neutral.min, 3);
    record[50] = RoundTo(neutral.sum / kPeriodS, 3);
    records_.push_back(record);
    boundary_ = end;
  }
}

ShellyEmDataHistory::Answer ShellyEmDataHistory::Call(std::string_view method, const Json& params,
                                                      int64_t now_unix_ms) {
  // The device has the methods of its profile's component only.
  const bool em1 = method.starts_with("EM1Data.");
  if (em1 != (profile_ == Pro3emProfile::kMonophase)) {
    return Error(404, 404, "No handler for " + std::string(method));
  }
  int64_t id = 0;
  if (!params.contains("id")) return Error(400, -103, "Missing required argument 'id'!");
  if (!IntParam(params, "id", &id)) return Error(400, -103, "Invalid argument 'id'!");
  if (id < 0 || id >= (em1 ? kEm1Channels : 1)) {
    return Error(400, -105, "Argument 'id', value " + std::to_string(id) + " not found!");
  }
  ExtendTo(now_unix_ms);
  if (method.ends_with(".GetRecords")) return GetRecords(params);
  return GetData(params, em1 ? static_cast<int>(id) : -1);
}

ShellyEmDataHistory::Answer ShellyEmDataHistory::GetRecords(const Json& params) const {
  int64_t ts = first_s_;
  if (params.contains("ts") && !IntParam(params, "ts", &ts)) {
    return Error(400, -103, "Invalid argument 'ts'!");
  }
  const int64_t count = static_cast<int64_t>(records_.size());
  const int64_t first = std::clamp<int64_t>((ts - first_s_ + kPeriodS - 1) / kPeriodS, 0, count);
  Json blocks = Json::array();
  if (first < count) {
    blocks.push_back(Json{{"ts", first_s_ + first * kPeriodS},
                          {"period", kPeriodS},
                          {"records", count - first}});
  }
  Answer answer;
  answer.result_text = Json{{"data_blocks", blocks}}.dump();
  return answer;
}

ShellyEmDataHistory::Answer ShellyEmDataHistory::GetData(const Json& params, int channel) const {
  int64_t ts = 0;
  if (!params.contains("ts")) return Error(400, -103, "Missing required argument 'ts'!");
  if (!IntParam(params, "ts", &ts)) return Error(400, -103, "Invalid argument 'ts'!");
  int64_t end_ts = INT64_MAX / 2;
  if (params.contains("end_ts") && !IntParam(params, "end_ts", &end_ts)) {
    return Error(400, -103, "Invalid argument 'end_ts'!");
  }
  const bool add_keys = !(params.contains("add_keys") && params["add_keys"] == false);
  const int64_t count = static_cast<int64_t>(records_.size());
  // Records that start in [ts, end_ts].
  const int64_t first = std::clamp<int64_t>(
      ts <= first_s_ ? 0 : (ts - first_s_ + kPeriodS - 1) / kPeriodS, 0, count);
  const int64_t last = end_ts < first_s_ ? -1
                                         : std::min<int64_t>((end_ts - first_s_) / kPeriodS, count - 1);
  Json result;
  if (add_keys) {
    Json keys = Json::array();
    if (channel < 0) {
      for (std::string_view key : kKeys) keys.push_back(std::string(key));
    } else {
      for (std::string_view key : kEm1Keys) keys.push_back(std::string(key));
    }
    result["keys"] = keys;
  }
  Json data = Json::array();
  const int64_t stop = std::min<int64_t>(last + 1, first + static_cast<int64_t>(chunk_));
  if (first < stop) {
    Json values = Json::array();
    for (int64_t k = first; k < stop; ++k) {
      const Record& record = records_[static_cast<size_t>(k)];
      if (channel < 0) {
        values.push_back(record);
        continue;
      }
      // CT `channel` reads phase `channel`: its part of the record.
      Json row = Json::array();
      for (size_t offset : kEm1Offsets) {
        row.push_back(record[kColumnsPerPhase * static_cast<size_t>(channel) + offset]);
      }
      values.push_back(std::move(row));
    }
    data.push_back(Json{{"ts", first_s_ + first * kPeriodS}, {"period", kPeriodS}, {"values", values}});
  }
  result["data"] = data;
  if (stop <= last) result["next_record_ts"] = first_s_ + stop * kPeriodS;
  Answer answer;
  answer.result_text = result.dump();
  return answer;
}

}  // namespace wattline::sim
