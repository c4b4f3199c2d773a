#include "agent/zigbee2mqtt/zigbee2mqtt_state_mapper.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>

namespace wattline::agent {
namespace {

using Json = nlohmann::json;

constexpr size_t kMaxAvailabilityBytes = 1024;

std::string_view Trim(std::string_view text) {
  const char* kSpace = " \t\r\n";
  size_t first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kSpace) - first + 1);
}

// Appends the sample of `series` when `value` is a number; an error when it
// is neither a number nor null. A series already given by another field of
// this message (illuminance and illuminance_lux both feed illuminance_lux)
// is not repeated: samples from `first` on are this message's.
Status AddField(const Z2mFieldSeries& series, const Json& value, std::string_view device,
                int64_t timestamp_ms, size_t first, Samples* out) {
  if (value.is_null()) return Status::Ok();
  if (!value.is_number()) {
    return Status::InvalidArgument("field \"" + series.property + "\": expected a number, got " +
                                   value.type_name());
  }
  const double scaled = value.get<double>() * series.scale;
  if (!std::isfinite(scaled)) {
    return Status::InvalidArgument("field \"" + series.property + "\": not a finite number");
  }
  Sample sample;
  sample.labels = series.labels;
  sample.labels.push_back({std::string(kMetricNameLabel), series.metric});
  sample.labels.push_back({"device", std::string(device)});
  WATTLINE_RETURN_IF_ERROR(Canonicalize(sample.labels));
  for (size_t i = first; i < out->size(); ++i) {
    if ((*out)[i].labels == sample.labels) return Status::Ok();
  }
  sample.timestamp_ms = timestamp_ms;
  sample.value = scaled;
  out->push_back(std::move(sample));
  return Status::Ok();
}

}  // namespace

Status MapZ2mState(std::string_view json, const std::vector<Z2mFieldSeries>* series,
                   std::string_view device, int64_t timestamp_ms, Samples* out, size_t* appended) {
  const size_t before = out->size();
  if (appended != nullptr) *appended = 0;
  if (json.size() > kMaxZ2mStateBytes) {
    return Status::InvalidArgument("state of " + std::to_string(json.size()) +
                                   " bytes is over the limit of " +
                                   std::to_string(kMaxZ2mStateBytes));
  }
  Json doc = Json::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Status::InvalidArgument("state is not JSON");
  if (!doc.is_object()) {
    return Status::InvalidArgument(std::string("state is not a JSON object but ") +
                                   doc.type_name());
  }
  Status first_error;
  auto note = [&](Status status) {
    if (!status.ok() && first_error.ok()) first_error = std::move(status);
  };
  if (series != nullptr) {
    for (const Z2mFieldSeries& field : *series) {
      auto it = doc.find(field.property);
      if (it != doc.end()) note(AddField(field, *it, device, timestamp_ms, before, out));
    }
  } else {
    for (const auto& [key, value] : doc.items()) {
      std::optional<Z2mFieldSeries> field = SeriesForKnownField(key);
      if (field.has_value()) note(AddField(*field, value, device, timestamp_ms, before, out));
    }
  }
  if (appended != nullptr) *appended = out->size() - before;
  return first_error;
}

Result<bool> ParseZ2mAvailability(std::string_view payload) {
  if (payload.size() > kMaxAvailabilityBytes) {
    return Status::InvalidArgument("availability payload of " + std::to_string(payload.size()) +
                                   " bytes");
  }
  std::string_view text = Trim(payload);
  if (text == "online") return true;
  if (text == "offline") return false;
  Json doc = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_object()) {
    auto state = doc.find("state");
    if (state != doc.end() && state->is_string()) {
      const std::string& value = state->get_ref<const std::string&>();
      if (value == "online") return true;
      if (value == "offline") return false;
    }
  }
  return Status::InvalidArgument("availability is neither online nor offline: \"" +
                                 std::string(text.substr(0, 64)) + "\"");
}

}  // namespace wattline::agent
