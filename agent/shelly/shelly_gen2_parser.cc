#include "agent/shelly/shelly_gen2_parser.h"

#include <charconv>
#include <iterator>
#include <set>
#include <span>
#include <utility>

#include "agent/shelly/shelly_gen2_status_json.h"
#include "agent/shelly/shelly_json.h"

namespace wattline::agent {
namespace {

using shelly_json::FieldMapping;
using shelly_json::Json;
using shelly_json::ObjectLabels;
using shelly_json::Quoted;

constexpr std::string_view kCurrent = "current_amperes";
constexpr std::string_view kVoltage = "voltage_volts";
constexpr std::string_view kPower = "power_watts";
constexpr std::string_view kApparentPower = "apparent_power_volt_amperes";
constexpr std::string_view kPowerFactor = "power_factor";
constexpr std::string_view kFrequency = "frequency_hertz";
constexpr std::string_view kImported = "energy_imported_watt_hours_total";
constexpr std::string_view kExported = "energy_exported_watt_hours_total";
constexpr std::string_view kTemperature = "temperature_celsius";

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

constexpr FieldMapping kEm1Fields[] = {
    {"current", kCurrent},          {"voltage", kVoltage}, {"act_power", kPower},
    {"aprt_power", kApparentPower}, {"pf", kPowerFactor},  {"freq", kFrequency},
};

constexpr FieldMapping kEm1DataFields[] = {
    {"total_act_energy", kImported},
    {"total_act_ret_energy", kExported},
};

// switch:N and pm1:N share their field names (DEVICES.md B.6).
constexpr FieldMapping kSwitchFields[] = {
    {"apower", kPower},
    {"voltage", kVoltage},
    {"current", kCurrent},
    {"pf", kPowerFactor},
    {"freq", kFrequency},
    {"aenergy.total", kImported},
    {"ret_aenergy.total", kExported},
    {"temperature.tC", kTemperature},
};

// One component type: its fields, and how its Samples are labelled.
struct ComponentType {
  std::string_view type;    // before the ':' of the key
  std::string_view method;  // for messages: what returns it bare
  std::span<const FieldMapping> fields;
  bool per_phase;           // true: phase from the mapping; false: channel=<id>
  bool check_meter_errors;  // power_meter_failure in `errors` makes it faulty
};

constexpr ComponentType kComponentTypes[] = {
    {"em", "EM.GetStatus", kEmFields, true, true},
    {"emdata", "EMData.GetStatus", kEmDataFields, true, false},
    {"em1", "EM1.GetStatus", kEm1Fields, false, true},
    {"em1data", "EM1Data.GetStatus", kEm1DataFields, false, false},
    {"switch", "Switch.GetStatus", kSwitchFields, false, false},
    {"pm1", "PM1.GetStatus", kSwitchFields, false, false},
};

const ComponentType* FindType(std::string_view type) {
  for (const ComponentType& candidate : kComponentTypes) {
    if (candidate.type == type) return &candidate;
  }
  return nullptr;
}

// A component key "<type>:<id>", split and checked.
struct ComponentKey {
  const ComponentType* type = nullptr;  // nullptr: not a metering component
  std::string id;                       // decimal, without leading zeros
};

Result<ComponentKey> SplitKey(std::string_view key) {
  const size_t colon = key.find(':');
  if (colon == std::string_view::npos) return ComponentKey{};
  ComponentKey out{FindType(key.substr(0, colon)), ""};
  if (out.type == nullptr) return out;
  const std::string_view id = key.substr(colon + 1);
  unsigned value = 0;
  auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), value);
  if (id.empty() || ec != std::errc() || end != id.data() + id.size() || value > 999) {
    return Status::InvalidArgument("component " + Quoted(key) + ": the id is not a number");
  }
  out.id = std::to_string(value);
  return out;
}

// The component-level `errors` array of em and em1. See the header for why
// only power_meter_failure matters.
Status CheckMeterErrors(const Json& component) {
  auto it = component.find("errors");
  if (it == component.end() || it->is_null()) return Status::Ok();
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

// Appends the Samples of one component object to `*out`. Unavailable when it
// reports its own failure (nothing appended then). `require_known`: refuse
// an object with none of the type's fields (a bare result that may be an RPC
// error object instead).
Status ParseComponent(const ComponentKey& key, const Json& component, std::string_view device,
                      int64_t timestamp_ms, bool require_known, Samples* out) {
  if (!component.is_object()) {
    return Status::InvalidArgument(std::string("expected an object, got ") + component.type_name());
  }
  if (key.type->check_meter_errors) WATTLINE_RETURN_IF_ERROR(CheckMeterErrors(component));
  ObjectLabels labels{device, "phase", ""};
  if (!key.type->per_phase) {
    labels = ObjectLabels{device, "channel", key.id};
  } else if (key.id != "0") {
    labels.extra_label = "channel";
    labels.extra_value = key.id;
  }
  bool any_known = false;
  WATTLINE_RETURN_IF_ERROR(shelly_json::AppendFields(component, key.type->fields, labels,
                                                     timestamp_ms, out, &any_known));
  if (require_known && !any_known) {
    return Status::InvalidArgument(
        "none of the expected fields is present (not a bare status object?)");
  }
  return Status::Ok();
}

void MoveAppend(Samples& from, Samples* to) {
  to->insert(to->end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
}

Status ParseBare(const ComponentKey& key, std::string_view json, std::string_view device,
                 int64_t timestamp_ms, Samples* out) {
  if (device.empty()) return Status::InvalidArgument("device name is empty");
  Result<Json> doc = shelly_json::ParseObject(json, kMaxShellyDocumentBytes);
  if (!doc.ok()) return doc.status();
  // Collected apart so that a failure half-way appends nothing.
  Samples samples;
  WATTLINE_RETURN_IF_ERROR(
      ParseComponent(key, *doc, device, timestamp_ms, /*require_known=*/true, &samples));
  MoveAppend(samples, out);
  return Status::Ok();
}

constexpr std::string_view kNoMeteringComponent =
    "Shelly.GetStatus: no metering component (em, emdata, em1, em1data, switch, pm1)";

// One metering component of a Shelly.GetStatus: appends its Samples to
// `*samples`, or, when it reports its own failure, its key to `*faults`.
Status ParseStatusComponent(const ComponentKey& split, std::string_view key, const Json& component,
                            std::string_view device, int64_t timestamp_ms, Samples* samples,
                            std::vector<std::string>* faults) {
  Samples scratch;
  Status status =
      ParseComponent(split, component, device, timestamp_ms, /*require_known=*/false, &scratch);
  if (status.code() == Status::Code::kUnavailable) {
    faults->emplace_back(key);
    return Status::Ok();
  }
  if (!status.ok()) return status.WithContext("Shelly.GetStatus: component " + Quoted(key));
  MoveAppend(scratch, samples);
  return Status::Ok();
}

// Two components must not produce one series (em1:0 and switch:0 both have
// channel="0"): the later reading would silently overwrite the earlier.
Status CheckDistinct(const Samples& samples) {
  std::set<std::string> seen;
  for (const Sample& sample : samples) {
    std::string name = LabelsToString(sample.labels);
    if (!seen.insert(name).second) {
      return Status::InvalidArgument("two components produce the series " + name);
    }
  }
  return Status::Ok();
}

}  // namespace

Status ParseEmStatus(std::string_view json, std::string_view device, int64_t timestamp_ms,
                     Samples* out) {
  return ParseBare(ComponentKey{FindType("em"), "0"}, json, device, timestamp_ms, out)
      .WithContext("EM.GetStatus");
}

Status ParseEmDataStatus(std::string_view json, std::string_view device, int64_t timestamp_ms,
                         Samples* out) {
  return ParseBare(ComponentKey{FindType("emdata"), "0"}, json, device, timestamp_ms, out)
      .WithContext("EMData.GetStatus");
}

Status ParseShellyComponentStatus(std::string_view key, std::string_view json,
                                  std::string_view device, int64_t timestamp_ms, Samples* out) {
  Result<ComponentKey> split = SplitKey(key);
  if (!split.ok()) return split.status();
  if (split->type == nullptr) {
    return Status::InvalidArgument(Quoted(key) + " is not a metering component");
  }
  return ParseBare(*split, json, device, timestamp_ms, out)
      .WithContext(std::string(split->type->method) + " " + std::string(key));
}

Status ParseShellyStatus(std::string_view json, std::string_view device, int64_t timestamp_ms,
                         Samples* out, std::vector<std::string>* faulty) {
  if (device.empty()) return Status::InvalidArgument("device name is empty");
  Result<Json> doc = shelly_json::ParseObject(json, kMaxShellyDocumentBytes);
  if (!doc.ok()) return doc.status().WithContext("Shelly.GetStatus");
  Samples samples;
  std::vector<std::string> faults;
  bool any_component = false;
  // nlohmann's objects iterate in key order, so the output order is stable.
  for (const auto& [key, component] : doc->items()) {
    Result<ComponentKey> split = SplitKey(key);
    if (!split.ok()) return split.status().WithContext("Shelly.GetStatus");
    if (split->type == nullptr) continue;
    any_component = true;
    WATTLINE_RETURN_IF_ERROR(
        ParseStatusComponent(*split, key, component, device, timestamp_ms, &samples, &faults));
  }
  if (!any_component) return Status::InvalidArgument(std::string(kNoMeteringComponent));
  WATTLINE_RETURN_IF_ERROR(CheckDistinct(samples).WithContext("Shelly.GetStatus"));
  MoveAppend(samples, out);
  faulty->insert(faulty->end(), faults.begin(), faults.end());
  return Status::Ok();
}

Status ParseShellyStatusComponent(std::string_view key, const Json& component,
                                  std::string_view device, int64_t timestamp_ms, Samples* out,
                                  std::vector<std::string>* faulty) {
  if (device.empty()) return Status::InvalidArgument("device name is empty");
  Result<ComponentKey> split = SplitKey(key);
  if (!split.ok()) return split.status().WithContext("Shelly.GetStatus");
  if (split->type == nullptr) return Status::InvalidArgument(std::string(kNoMeteringComponent));
  // No CheckDistinct(): within one component, its type's field table gives
  // every series once.
  return ParseStatusComponent(*split, key, component, device, timestamp_ms, out, faulty);
}

}  // namespace wattline::agent
