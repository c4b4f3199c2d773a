#include "agent/zigbee2mqtt/zigbee2mqtt_devices.h"

#include <nlohmann/json.hpp>

namespace wattline::agent {
namespace {

using Json = nlohmann::json;

// Exposes nest a level or two (a climate's features); deeper is not a real
// device and would only cost stack.
constexpr int kMaxExposeDepth = 8;

Result<Json> Parse(std::string_view json, size_t limit, std::string_view what) {
  if (json.size() > limit) {
    return Status::InvalidArgument(std::string(what) + " of " + std::to_string(json.size()) +
                                   " bytes is over the limit of " + std::to_string(limit));
  }
  Json doc = Json::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Status::InvalidArgument(std::string(what) + " is not JSON");
  return doc;
}

std::string StringAt(const Json& object, std::string_view key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

void CollectNumeric(const Json& exposes, int depth, std::vector<Z2mExpose>* out) {
  if (!exposes.is_array() || depth > kMaxExposeDepth) return;
  for (const Json& expose : exposes) {
    if (!expose.is_object()) continue;
    const std::string type = StringAt(expose, "type");
    if (type == "numeric") {
      Z2mExpose numeric;
      numeric.property = StringAt(expose, "property");
      numeric.name = StringAt(expose, "name");
      numeric.unit = StringAt(expose, "unit");
      numeric.endpoint = StringAt(expose, "endpoint");
      if (auto access = expose.find("access");
          access != expose.end() && access->is_number_integer()) {
        numeric.access = access->get<int>();
      }
      if (numeric.name.empty()) numeric.name = numeric.property;
      if (!numeric.property.empty()) out->push_back(std::move(numeric));
    } else if (type != "composite" && type != "list") {
      if (auto features = expose.find("features"); features != expose.end()) {
        CollectNumeric(*features, depth + 1, out);
      }
    }
  }
}

Result<std::optional<Z2mRename>> RenameFrom(const Json& doc) {
  auto data = doc.find("data");
  if (data == doc.end() || !data->is_object()) {
    return Status::InvalidArgument("rename without a data object");
  }
  Z2mRename rename{StringAt(*data, "from"), StringAt(*data, "to")};
  if (rename.from.empty() || rename.to.empty()) {
    return Status::InvalidArgument("rename without from and to");
  }
  return std::optional<Z2mRename>(std::move(rename));
}

}  // namespace

Result<std::vector<Z2mDevice>> ParseZ2mDeviceList(std::string_view json) {
  Result<Json> doc = Parse(json, kMaxZ2mDeviceListBytes, "bridge/devices");
  if (!doc.ok()) return doc.status();
  if (!doc->is_array()) return Status::InvalidArgument("bridge/devices is not an array");
  std::vector<Z2mDevice> devices;
  for (const Json& entry : *doc) {
    if (!entry.is_object()) continue;
    if (StringAt(entry, "type") == "Coordinator") continue;
    Z2mDevice device;
    device.ieee_address = StringAt(entry, "ieee_address");
    device.friendly_name = StringAt(entry, "friendly_name");
    if (device.ieee_address.empty() || device.friendly_name.empty()) continue;
    auto definition = entry.find("definition");
    if (definition != entry.end() && definition->is_object()) {
      device.has_definition = true;
      device.model = StringAt(*definition, "model");
      if (auto exposes = definition->find("exposes"); exposes != definition->end()) {
        CollectNumeric(*exposes, 0, &device.numeric_exposes);
      }
    }
    devices.push_back(std::move(device));
  }
  return devices;
}

Result<std::optional<Z2mRename>> ParseZ2mBridgeEvent(std::string_view json) {
  Result<Json> doc = Parse(json, kMaxZ2mBridgeMessageBytes, "bridge/event");
  if (!doc.ok()) return doc.status();
  if (!doc->is_object()) return Status::InvalidArgument("bridge/event is not an object");
  if (StringAt(*doc, "type") != "device_renamed") return std::optional<Z2mRename>();
  return RenameFrom(*doc);
}

Result<std::optional<Z2mRename>> ParseZ2mRenameResponse(std::string_view json) {
  Result<Json> doc = Parse(json, kMaxZ2mBridgeMessageBytes, "rename response");
  if (!doc.ok()) return doc.status();
  if (!doc->is_object()) return Status::InvalidArgument("rename response is not an object");
  if (StringAt(*doc, "status") != "ok") return std::optional<Z2mRename>();
  return RenameFrom(*doc);
}

}  // namespace wattline::agent
