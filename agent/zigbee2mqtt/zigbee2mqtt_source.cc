#include "agent/zigbee2mqtt/zigbee2mqtt_source.h"

#include <algorithm>
#include <utility>

#include "agent/mqtt/mqtt_client.h"
#include "agent/zigbee2mqtt/zigbee2mqtt_state_mapper.h"

namespace wattline::agent {
namespace {

// bridge/devices comes through the shared client, which drops what is over
// its own limit: the largest device list the parser takes must get through.
static_assert(kMaxZ2mDeviceListBytes <= MqttClient::kMaxMessageBytes);

bool Listed(const std::vector<std::string>& list, const std::string& ieee,
            const std::string& name) {
  return std::any_of(list.begin(), list.end(), [&](const std::string& entry) {
    return entry == name || (!ieee.empty() && entry == ieee);
  });
}

// The quick test, before the device list is known, of whether a payload is
// a state document: attribute topics carry plain values.
bool LooksLikeObject(std::string_view payload) {
  size_t first = payload.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && payload[first] == '{';
}

}  // namespace

Zigbee2MqttSource::Zigbee2MqttSource(uv_loop_t* loop, Zigbee2MqttOptions options,
                                     MqttClient* client, const Clock* clock, SampleSink sink)
    : loop_(loop),
      options_(std::move(options)),
      client_(client),
      clock_(clock),
      sink_(std::move(sink)),
      name_("zigbee2mqtt " + options_.base_topic),
      availability_timer_(loop_),
      subscriber_(client, {options_.base_topic + "/#"},
                  [this](const MqttMessage& message) { OnMessage(message); }) {}

Status Zigbee2MqttSource::Start() {
  WATTLINE_RETURN_IF_ERROR(availability_timer_.Start(options_.availability_interval_ms,
                                                     options_.availability_interval_ms,
                                                     [this] { RepeatAvailability(); }));
  subscriber_.Start();
  return Status::Ok();
}

void Zigbee2MqttSource::Stop() {
  subscriber_.Stop();
  availability_timer_.Stop();
}

void Zigbee2MqttSource::AppendHealth(std::vector<DeviceHealth>* out) const {
  for (const auto& [key, device] : devices_) {
    if (device.included) out->push_back(device.health);
  }
}

void Zigbee2MqttSource::OnMessage(const MqttMessage& message) {
  const Z2mTopic topic =
      ClassifyZ2mTopic(message.topic, options_.base_topic, list_known_ ? &names_ : nullptr);
  switch (topic.kind) {
    case Z2mTopic::Kind::kIgnored:
      return;
    case Z2mTopic::Kind::kDeviceList:
      OnDeviceList(message.payload);
      return;
    case Z2mTopic::Kind::kBridgeEvent: {
      Result<std::optional<Z2mRename>> rename = ParseZ2mBridgeEvent(message.payload);
      if (!rename.ok()) return LogBridgeError("bridge/event", rename.status());
      return OnRename(std::move(*rename));
    }
    case Z2mTopic::Kind::kRenameResponse: {
      Result<std::optional<Z2mRename>> rename = ParseZ2mRenameResponse(message.payload);
      if (!rename.ok()) return LogBridgeError("bridge/response/device/rename", rename.status());
      return OnRename(std::move(*rename));
    }
    case Z2mTopic::Kind::kBridgeState:
      OnBridgeState(message.payload);
      return;
    case Z2mTopic::Kind::kState:
      OnState(topic.friendly_name, message);
      return;
    case Z2mTopic::Kind::kAvailability:
      OnAvailability(topic.friendly_name, message);
      return;
  }
}

void Zigbee2MqttSource::Configure(Device& device) const {
  device.included = (options_.include.empty() ||
                     Listed(options_.include, device.ieee_address, device.friendly_name)) &&
                    !Listed(options_.exclude, device.ieee_address, device.friendly_name);
  std::string label = device.friendly_name;
  if (auto it = options_.rename.find(device.ieee_address);
      !device.ieee_address.empty() && it != options_.rename.end()) {
    label = it->second;
  } else if (auto by_name = options_.rename.find(device.friendly_name);
             by_name != options_.rename.end()) {
    label = by_name->second;
  }
  device.label = options_.device_prefix + label;
  device.health.device = device.label;
}

void Zigbee2MqttSource::OnDeviceList(std::string_view payload) {
  Result<std::vector<Z2mDevice>> list = ParseZ2mDeviceList(payload);
  if (!list.ok()) return LogBridgeError("bridge/devices", list.status());
  if (list->size() > kMaxDevices) {
    if (overflow_log_.Allow(clock_->NowMonotonicMs())) {
      LogWarning(name_, "bridge/devices lists " + std::to_string(list->size()) +
                            " devices; reading the first " + std::to_string(kMaxDevices));
    }
    list->resize(kMaxDevices);
  }
  std::map<std::string, Device, std::less<>> devices;
  std::map<std::string, std::string, std::less<>> key_by_name;
  for (Z2mDevice& entry : *list) {
    Device device;
    // What was learned about it so far stays: its health and availability,
    // found by address, or by name for a device first seen by its topic.
    auto old = devices_.find(entry.ieee_address);
    if (old == devices_.end()) {
      if (auto key = key_by_name_.find(entry.friendly_name); key != key_by_name_.end()) {
        old = devices_.find(key->second);
      }
    }
    if (old != devices_.end()) {
      device.health = std::move(old->second.health);
      device.online = old->second.online;
      devices_.erase(old);
    }
    device.ieee_address = entry.ieee_address;
    device.friendly_name = entry.friendly_name;
    device.series = SeriesForDevice(entry);
    Configure(device);
    key_by_name[entry.friendly_name] = entry.ieee_address;
    devices[entry.ieee_address] = std::move(device);
  }
  devices_ = std::move(devices);
  key_by_name_ = std::move(key_by_name);
  names_.clear();
  for (const auto& [name, key] : key_by_name_) names_.insert(name);
  list_known_ = true;
}

void Zigbee2MqttSource::OnRename(std::optional<Z2mRename> rename) {
  if (!rename.has_value()) return;
  auto key = key_by_name_.find(rename->from);
  if (key == key_by_name_.end()) return;  // already applied (bridge/devices came first)
  const std::string device_key = key->second;
  key_by_name_.erase(key);
  names_.erase(rename->from);
  auto it = devices_.find(device_key);
  if (it == devices_.end()) return;
  it->second.friendly_name = rename->to;
  Configure(it->second);
  key_by_name_[rename->to] = device_key;
  names_.insert(rename->to);
  LogInfo(name_,
          "device " + rename->from + " is now " + rename->to + " (label " + it->second.label + ")");
}

void Zigbee2MqttSource::OnBridgeState(std::string_view payload) {
  Result<bool> online = ParseZ2mAvailability(payload);
  if (!online.ok()) return LogBridgeError("bridge/state", online.status());
  const bool was_online = bridge_online_;
  bridge_online_ = *online;
  if (was_online && !bridge_online_) {
    LogWarning(name_, "the bridge is offline; its devices read as device_online 0");
    std::vector<Device*> known;
    for (auto& [key, device] : devices_) {
      if (device.included && device.online.has_value()) known.push_back(&device);
    }
    EmitOnline(known);
  }
}

Zigbee2MqttSource::Device* Zigbee2MqttSource::FindOrLearn(std::string_view friendly_name) {
  if (auto key = key_by_name_.find(friendly_name); key != key_by_name_.end()) {
    auto it = devices_.find(key->second);
    return it != devices_.end() ? &it->second : nullptr;
  }
  if (list_known_) return nullptr;
  if (devices_.size() >= kMaxDevices) {
    if (overflow_log_.Allow(clock_->NowMonotonicMs())) {
      LogWarning(name_, "more than " + std::to_string(kMaxDevices) +
                            " devices; ignoring new ones such as " + std::string(friendly_name));
    }
    return nullptr;
  }
  const std::string key = "?" + std::string(friendly_name);
  Device& device = devices_[key];
  device.friendly_name = std::string(friendly_name);
  Configure(device);
  key_by_name_[device.friendly_name] = key;
  return &device;
}

void Zigbee2MqttSource::OnState(std::string_view friendly_name, const MqttMessage& message) {
  // A retained state is the last one Zigbee2MQTT published, of unknown age.
  if (message.retained) return;
  if (!list_known_ && !LooksLikeObject(message.payload)) return;
  Device* device = FindOrLearn(friendly_name);
  if (device == nullptr || !device->included) return;
  DeviceHealth& health = device->health;
  ++health.polls;
  const int64_t now_ms = clock_->NowUnixMs();
  Samples samples;
  size_t added = 0;
  Status status = MapZ2mState(message.payload, device->series ? &*device->series : nullptr,
                              device->label, now_ms, &samples, &added);
  if (!status.ok()) {
    health.RecordError(kErrorMalformed);
    if (error_log_.Allow(clock_->NowMonotonicMs())) {
      LogWarning(name_, std::string(message.topic) + ": " + status.message());
    }
  }
  if (status.ok() || added > 0) health.RecordSuccess(now_ms, /*latency_ms=*/-1, added);
  if (!samples.empty()) sink_(std::move(samples));
}

void Zigbee2MqttSource::OnAvailability(std::string_view friendly_name, const MqttMessage& message) {
  Device* device = FindOrLearn(friendly_name);
  if (device == nullptr || !device->included) return;
  ++device->health.polls;
  Result<bool> online = ParseZ2mAvailability(message.payload);
  if (!online.ok()) {
    device->health.RecordError(kErrorMalformed);
    if (error_log_.Allow(clock_->NowMonotonicMs())) {
      LogWarning(name_, std::string(message.topic) + ": " + online.status().message());
    }
    return;
  }
  device->online = *online;
  EmitOnline({device});
}

void Zigbee2MqttSource::RepeatAvailability() {
  if (!subscriber_.started()) return;
  std::vector<Device*> known;
  for (auto& [key, device] : devices_) {
    // While the broker is away nothing is known; retained availability
    // arrives again after the reconnect.
    if (!client_->connected()) device.online.reset();
    if (device.included && device.online.has_value()) known.push_back(&device);
  }
  if (!client_->connected()) bridge_online_ = true;
  EmitOnline(known);
}

void Zigbee2MqttSource::EmitOnline(const std::vector<Device*>& devices) {
  if (devices.empty()) return;
  const int64_t now_ms = clock_->NowUnixMs();
  Samples samples;
  samples.reserve(devices.size());
  for (Device* device : devices) {
    samples.push_back(DeviceOnlineSample(device->label, bridge_online_ && *device->online, now_ms));
    device->health.samples += 1;
  }
  sink_(std::move(samples));
}

void Zigbee2MqttSource::LogBridgeError(const std::string& what, const Status& status) {
  if (bridge_log_.Allow(clock_->NowMonotonicMs())) {
    LogWarning(name_, what + ": " + status.message());
  }
}

}  // namespace wattline::agent
