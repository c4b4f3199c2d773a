#include "agent/shelly/shelly_gen2_mqtt_status.h"

#include <cmath>
#include <iterator>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "agent/shelly/shelly_gen2_parser.h"
#include "agent/shelly/shelly_gen2_status_json.h"

namespace wattline::agent {
namespace {

using Json = nlohmann::json;

// The metering component types ParseShellyStatus() knows
// (shelly_gen2_parser.h); the key is "<type>:<decimal id>".
constexpr std::string_view kMeteringTypes[] = {"em", "emdata", "em1", "em1data", "switch", "pm1"};

bool IsMeteringComponent(std::string_view key) {
  const size_t colon = key.find(':');
  if (colon == std::string_view::npos || colon + 1 == key.size() || key.size() - colon > 6) {
    return false;
  }
  for (char c : key.substr(colon + 1)) {
    if (c < '0' || c > '9') return false;
  }
  for (std::string_view type : kMeteringTypes) {
    if (key.substr(0, colon) == type) return true;
  }
  return false;
}

// 2017-01-01T00:00:00Z. A Shelly without NTP time counts from 1970 at boot.
constexpr double kPlausibleAfterS = 1'483'228'800.0;

// A status is a handful of levels deep; merge_patch() and dump() recurse, so a
// hostile frame nested thousands of levels deep is refused first.
constexpr size_t kMaxDepth = 16;

bool DeeperThan(const Json& root, size_t limit) {
  std::vector<std::pair<const Json*, size_t>> stack = {{&root, 1}};
  while (!stack.empty()) {
    auto [node, depth] = stack.back();
    stack.pop_back();
    if (depth > limit) return true;
    if (node->is_structured()) {
      for (const Json& child : *node) stack.emplace_back(&child, depth + 1);
    }
  }
  return false;
}

// What a known status could take as text, without writing it out: keys and
// strings at their length (escapes aside), any other value at the width of
// the longest number ("-1.7976931348623157e+308"), plus punctuation.
size_t ApproxTextBytes(const Json& root) {
  constexpr size_t kLongestNumber = 24;
  size_t bytes = 0;
  std::vector<const Json*> stack = {&root};
  while (!stack.empty()) {
    const Json* node = stack.back();
    stack.pop_back();
    if (node->is_object()) {
      bytes += 2;
      for (auto it = node->begin(); it != node->end(); ++it) {
        bytes += it.key().size() + 4;  // "key":,
        stack.push_back(&it.value());
      }
    } else if (node->is_array()) {
      bytes += 2 + node->size();
      for (const Json& child : *node) stack.push_back(&child);
    } else if (node->is_string()) {
      bytes += node->get_ref<const std::string&>().size() + 2;
    } else {
      bytes += kLongestNumber;
    }
  }
  return bytes;
}

Status Malformed(std::string message) { return Status::InvalidArgument(std::move(message)); }

}  // namespace

struct ShellyGen2MqttStatus::Impl {
  std::string device;
  std::map<std::string, Json, std::less<>> known;
  // Kept across Clear(), so time order holds across a device's restart.
  std::map<std::string, int64_t, std::less<>> last_emitted_ms;

  Result<Json> ParseFrame(std::string_view payload) const {
    if (payload.size() > kMaxShellyFrameBytes) {
      return Malformed("message of " + std::to_string(payload.size()) + " bytes is over the limit");
    }
    Json doc = Json::parse(payload.begin(), payload.end(), nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) return Malformed("not valid JSON");
    if (!doc.is_object()) return Malformed(std::string("expected an object, got ") + doc.type_name());
    if (DeeperThan(doc, kMaxDepth)) return Malformed("nested too deeply");
    return doc;
  }

  // Applies one component's status (complete or partial) and emits its samples.
  Status Apply(std::string_view key, const Json& update, bool complete, bool retained,
               int64_t timestamp_ms, Samples* out) {
    if (!IsMeteringComponent(key)) return Status::Ok();
    const std::string context = "component " + std::string(key);
    if (!update.is_object()) {
      return Malformed(context + ": expected an object, got " + update.type_name());
    }
    Json merged;
    if (complete) {
      merged = update;
    } else {
      auto it = known.find(key);
      if (it != known.end()) merged = it->second;
      // RFC 7396: null removes the key, objects merge, everything else
      // replaces; keys the update leaves out keep their known value.
      merged.merge_patch(update);
    }
    // Each NotifyStatus may add keys: the known status is held to the size
    // of document the HTTP source takes.
    const size_t bytes = ApproxTextBytes(merged);
    if (bytes > kMaxShellyDocumentBytes) {
      return Malformed(context + ": merged status of about " + std::to_string(bytes) +
                       " bytes is over the limit");
    }
    // Parsed as a one-component Shelly.GetStatus: that parser takes a
    // component holding none of its type's fields (a first partial update
    // carrying only its id or a switch's output) as nothing to report rather
    // than as an error, and names a component reporting power_meter_failure
    // instead of failing.
    Samples samples;
    std::vector<std::string> faulty;
    Status status =
        ParseShellyStatusComponent(key, merged, device, timestamp_ms, &samples, &faulty);
    // A malformed update is refused and the known status stays as it was,
    // so one bad message does not poison the updates after it.
    if (!status.ok()) return status.WithContext(context);
    known[std::string(key)] = std::move(merged);
    if (retained) return Status::Ok();
    auto last = last_emitted_ms.find(key);
    if (last != last_emitted_ms.end() && timestamp_ms <= last->second) return Status::Ok();
    if (!faulty.empty()) {
      return Status::Unavailable(context + ": the meter reports power_meter_failure");
    }
    if (samples.empty()) return Status::Ok();
    last_emitted_ms[std::string(key)] = timestamp_ms;
    out->insert(out->end(), std::make_move_iterator(samples.begin()),
                std::make_move_iterator(samples.end()));
    return Status::Ok();
  }
};

ShellyGen2MqttStatus::ShellyGen2MqttStatus(std::string device) : impl_(std::make_unique<Impl>()) {
  impl_->device = std::move(device);
}

ShellyGen2MqttStatus::~ShellyGen2MqttStatus() = default;

Status ShellyGen2MqttStatus::OnRpcFrame(std::string_view payload, bool retained,
                                        int64_t arrival_ms, Samples* out) {
  Result<Json> frame = impl_->ParseFrame(payload);
  if (!frame.ok()) return frame.status().WithContext("events/rpc");
  auto method = frame->find("method");
  if (method == frame->end() || !method->is_string()) {
    return Malformed("events/rpc: frame has no method");
  }
  const std::string& name = method->get_ref<const std::string&>();
  const bool complete = name == "NotifyFullStatus";
  if (!complete && name != "NotifyStatus") return Status::Ok();  // NotifyEvent, replies, ...
  auto params = frame->find("params");
  if (params == frame->end() || !params->is_object()) {
    return Malformed("events/rpc: " + name + " without params object");
  }
  int64_t timestamp_ms = arrival_ms;
  auto ts = params->find("ts");
  if (ts != params->end() && ts->is_number()) {
    const double seconds = ts->get<double>();
    if (std::isfinite(seconds) && seconds > kPlausibleAfterS && seconds < 1e11) {
      timestamp_ms = std::llround(seconds * 1000.0);
    }
  }
  Status first_error;
  for (auto it = params->begin(); it != params->end(); ++it) {
    if (it.key() == "ts") continue;
    Status status = impl_->Apply(it.key(), it.value(), complete, retained, timestamp_ms, out);
    if (!status.ok() && first_error.ok()) first_error = status.WithContext(name);
  }
  return first_error;
}

Status ShellyGen2MqttStatus::OnComponentStatus(std::string_view component,
                                               std::string_view payload, bool retained,
                                               int64_t arrival_ms, Samples* out) {
  if (!IsMeteringComponent(component)) return Status::Ok();  // before parsing: cheap
  Result<Json> status = impl_->ParseFrame(payload);
  if (!status.ok()) return status.status().WithContext("status/" + std::string(component));
  return impl_->Apply(component, *status, /*complete=*/true, retained, arrival_ms, out)
      .WithContext("status/" + std::string(component));
}

void ShellyGen2MqttStatus::Clear() { impl_->known.clear(); }

size_t ShellyGen2MqttStatus::known_components() const { return impl_->known.size(); }

}  // namespace wattline::agent
