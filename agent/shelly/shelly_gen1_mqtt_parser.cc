#include "agent/shelly/shelly_gen1_mqtt_parser.h"

#include <charconv>
#include <cmath>
#include <string>

namespace wattline::agent {
namespace {

struct FieldMapping {
  std::string_view field;
  std::string_view metric;
};

// The same metric names as agent/shelly/shelly_gen2_parser.cc.
constexpr FieldMapping kFields[] = {
    {"power", "power_watts"},
    {"voltage", "voltage_volts"},
    {"current", "current_amperes"},
    {"pf", "power_factor"},
    {"total", "energy_imported_watt_hours_total"},
    {"total_returned", "energy_exported_watt_hours_total"},
};

constexpr std::string_view kPhases[] = {"a", "b", "c"};

std::string_view TrimAscii(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n";
  const size_t begin = s.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  return s.substr(begin, s.find_last_not_of(kSpace) - begin + 1);
}

// Splits "emeter/<i>/<field>" into index and field; false when the subtopic
// has another shape.
bool SplitEmeterTopic(std::string_view subtopic, std::string_view* index,
                      std::string_view* field) {
  constexpr std::string_view kPrefix = "emeter/";
  if (subtopic.substr(0, kPrefix.size()) != kPrefix) return false;
  subtopic.remove_prefix(kPrefix.size());
  const size_t slash = subtopic.find('/');
  if (slash == std::string_view::npos) return false;
  *index = subtopic.substr(0, slash);
  *field = subtopic.substr(slash + 1);
  return field->find('/') == std::string_view::npos;
}

}  // namespace

Result<double> ParsePlainNumber(std::string_view text) {
  const std::string_view number = TrimAscii(text);
  double value = 0;
  const char* end = number.data() + number.size();
  auto [ptr, error] = std::from_chars(number.data(), end, value, std::chars_format::general);
  if (number.empty() || error != std::errc() || ptr != end) {
    return Status::InvalidArgument("not a decimal number (" + std::to_string(text.size()) +
                                   " bytes)");
  }
  // from_chars reads "inf" and "nan"; a counter or a power never is one.
  if (!std::isfinite(value)) return Status::InvalidArgument("not a finite number");
  return value;
}

Status ParseShellyGen1Message(std::string_view subtopic, std::string_view payload,
                              std::string_view device, int64_t timestamp_ms, Samples* out) {
  if (device.empty()) return Status::InvalidArgument("device name is empty");
  std::string_view index;
  std::string_view field;
  if (!SplitEmeterTopic(subtopic, &index, &field)) return Status::Ok();
  const FieldMapping* mapping = nullptr;
  for (const FieldMapping& candidate : kFields) {
    if (candidate.field == field) mapping = &candidate;
  }
  if (mapping == nullptr) return Status::Ok();  // energy, returned_energy, newer fields
  if (index.size() != 1 || index[0] < '0' || index[0] > '2') {
    return Status::InvalidArgument("emeter index \"" + std::string(index) +
                                   "\" is not 0, 1 or 2");
  }
  Result<double> value = ParsePlainNumber(payload);
  if (!value.ok()) return value.status().WithContext("emeter/" + std::string(index) + "/" +
                                                     std::string(field));
  Sample sample;
  // Canonical order: "__name__" < "device" < "phase".
  sample.labels = {{std::string(kMetricNameLabel), std::string(mapping->metric)},
                   {"device", std::string(device)},
                   {"phase", std::string(kPhases[index[0] - '0'])}};
  sample.timestamp_ms = timestamp_ms;
  sample.value = *value;
  out->push_back(std::move(sample));
  return Status::Ok();
}

}  // namespace wattline::agent
