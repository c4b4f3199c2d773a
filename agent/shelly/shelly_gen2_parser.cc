#include "agent/shelly/shelly_gen2_parser.h"

#include <cmath>
#include <iterator>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <utility>

namespace wattline::agent {
namespace {

using Json = nlohmann::json;

// One numeric field of a status object and the series it feeds.
struct FieldMapping {
  std::string_view field;
  std::string_view metric;
  std::string_view phase;
};

constexpr std::string_view kCurrent = "current_amperes";
constexpr std::string_view kVoltage = "voltage_volts";
constexpr std::string_view kPower = "power_watts";
constexpr std::string_view kApparentPower = "apparent_power_volt_amperes";
constexpr std::string_view kPowerFactor = "power_factor";
constexpr std::string_view kFrequency = "frequency_hertz";
constexpr std::string_view kImported = "energy_imported_watt_hours_total";
constexpr std::string_view kExported = "energy_exported_watt_hours_total";

constexpr FieldMapping kEmFields[] = {
    {"a_current", kCurrent, "a"},         {"a_voltage", kVoltage, "a"},
    {"a_act_power", kPower, "a"},         {"a_aprt_power", kApparentPower, "a"},
    {"a_pf", kPowerFactor, "a"},          {"a_freq", kFrequency, "a"},
    {"b_current", kCurrent, "b"},         {"b_voltage", kVoltage, "b"},
    {"b_act_power", kPower, "b"},         {"b_aprt_power", kApparentPower, "b"},
    {"b_pf", kPowerFactor, "b"},          {"b_freq", kFrequency, "b"},
    {"c_current", kCurrent, "c"},         {"c_voltage", kVoltage, "c"},
    {"c_act_power", kPower, "c"},         {"c_aprt_power", kApparentPower, "c"},
    {"c_pf", kPowerFactor, "c"},          {"c_freq", kFrequency, "c"},
    {"n_current", kCurrent, "n"},         {"total_current", kCurrent, "total"},
    {"total_act_power", kPower, "total"}, {"total_aprt_power", kApparentPower, "total"},
};

constexpr FieldMapping kEmDataFields[] = {
    {"a_total_act_energy", kImported, "a"}, {"a_total_act_ret_energy", kExported, "a"},
    {"b_total_act_energy", kImported, "b"}, {"b_total_act_ret_energy", kExported, "b"},
    {"c_total_act_energy", kImported, "c"}, {"c_total_act_ret_energy", kExported, "c"},
    {"total_act", kImported, "total"},      {"total_act_ret", kExported, "total"},
};

std::string Quoted(std::string_view s) {
  std::string out = "\"";
  out += s;
  out += '"';
  return out;
}

// Parses `json` into an object, or says why it is not one.
Result<Json> ParseObject(std::string_view json) {
  if (json.size() > kMaxShellyDocumentBytes) {
    return Status::InvalidArgument("document of " + std::to_string(json.size()) +
                                   " bytes is over the limit of " +
                                   std::to_string(kMaxShellyDocumentBytes));
  }
  // allow_exceptions=false: a syntax error yields a "discarded" value instead
  // of throwing.
  Json doc = Json::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Status::InvalidArgument("not valid JSON");
  if (!doc.is_object()) {
    return Status::InvalidArgument(std::string("expected a JSON object, got ") + doc.type_name());
  }
  return doc;
}

// Turns every mapped field of `doc` into a Sample appended to `*samples`.
Status ExtractFields(const Json& doc, std::span<const FieldMapping> fields, std::string_view device,
                     int64_t timestamp_ms, Samples* samples) {
  bool any_known = false;
  for (const FieldMapping& mapping : fields) {
    auto it = doc.find(mapping.field);
    if (it == doc.end()) continue;
    any_known = true;
    if (it->is_null()) continue;
    if (!it->is_number()) {
      return Status::InvalidArgument("field " + Quoted(mapping.field) +
                                     ": expected a number or null, got " + it->type_name());
    }
    // Integers (64735) and floats (64735.49) alike; an integer beyond 2^53
    // rounds exactly as strtod would round its decimal text.
    const double value = it->get<double>();
    // nlohmann already refuses 1e400 as a syntax error; this keeps an inf or
    // NaN from ever reaching a batch should that change.
    if (!std::isfinite(value)) {
      return Status::InvalidArgument("field " + Quoted(mapping.field) + ": not a finite number");
    }
    Sample sample;
    sample.labels = {{std::string(kMetricNameLabel), std::string(mapping.metric)},
                     {"device", std::string(device)},
                     {"phase", std::string(mapping.phase)}};
    WATTLINE_RETURN_IF_ERROR(Canonicalize(sample.labels));
    sample.timestamp_ms = timestamp_ms;
    sample.value = value;
    samples->push_back(std::move(sample));
  }
  if (!any_known) {
    return Status::InvalidArgument(
        "none of the expected fields is present (not a bare status object?)");
  }
  return Status::Ok();
}

// The meter-level `errors` array of EM.GetStatus. See the header for why only
// power_meter_failure matters.
Status CheckMeterErrors(const Json& doc) {
  auto it = doc.find("errors");
  if (it == doc.end() || it->is_null()) return Status::Ok();
  if (!it->is_array()) {
    return Status::InvalidArgument(
        std::string("field \"errors\": expected an array or null, got ") + it->type_name());
  }
  for (const Json& error : *it) {
    if (error.is_string() && error.get_ref<const std::string&>() == "power_meter_failure") {
      return Status::Unavailable(
          "meter reports power_meter_failure; its values are not trustworthy");
    }
  }
  return Status::Ok();
}

Status Parse(std::string_view json, std::string_view device, int64_t timestamp_ms,
             std::span<const FieldMapping> fields, bool check_meter_errors, Samples* out) {
  if (device.empty()) return Status::InvalidArgument("device name is empty");
  Result<Json> doc = ParseObject(json);
  if (!doc.ok()) return doc.status();
  if (check_meter_errors) WATTLINE_RETURN_IF_ERROR(CheckMeterErrors(*doc));
  // Collected apart so that a failure half-way appends nothing.
  Samples samples;
  samples.reserve(fields.size());
  WATTLINE_RETURN_IF_ERROR(ExtractFields(*doc, fields, device, timestamp_ms, &samples));
  out->insert(out->end(), std::make_move_iterator(samples.begin()),
              std::make_move_iterator(samples.end()));
  return Status::Ok();
}

}  // namespace

Status ParseEmStatus(std::string_view json, std::string_view device, int64_t timestamp_ms,
                     Samples* out) {
  return Parse(json, device, timestamp_ms, kEmFields, /*check_meter_errors=*/true, out)
      .WithContext("EM.GetStatus");
}

Status ParseEmDataStatus(std::string_view json, std::string_view device, int64_t timestamp_ms,
                         Samples* out) {
  return Parse(json, device, timestamp_ms, kEmDataFields, /*check_meter_errors=*/false, out)
      .WithContext("EMData.GetStatus");
}

}  // namespace wattline::agent
