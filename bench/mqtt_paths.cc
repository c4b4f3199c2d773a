// The MQTT JSON paths: a Zigbee2MQTT plug's state message (MapZ2mState with
// the series its exposes give) and the generic mapper with two shipped
// profiles, Tasmota (one JSON document per update) and OpenDTU (one plain
// number per topic). Baseline: nlohmann::json::parse of every payload, which
// each of these paths starts with.
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "agent/mqtt_json/mqtt_json_mapper.h"
#include "agent/mqtt_json/mqtt_json_profiles.h"
#include "agent/zigbee2mqtt/zigbee2mqtt_devices.h"
#include "agent/zigbee2mqtt/zigbee2mqtt_series.h"
#include "agent/zigbee2mqtt/zigbee2mqtt_state_mapper.h"
#include "bench/source_path.h"

namespace wattline::bench {
namespace {

using Json = nlohmann::json;

volatile size_t g_sink = 0;

// What an MQTT path is handed: topic and payload.
struct Message {
  std::string topic;
  std::string payload;
};

void ParseEach(const std::vector<Message>& messages) {
  for (const Message& message : messages) {
    Json doc = Json::parse(message.payload);
    g_sink = doc.size();
  }
}

// "topic\npayload", the mqtt_json fuzz corpus' format.
Message CorpusMessage(const std::string& file) {
  const std::string text = ReadSourceFile("agent/mqtt_json/fuzz_corpus/mqtt_json/" + file);
  const size_t newline = text.find('\n');
  CheckSetup(newline != std::string::npos, file + " has no topic line");
  return {text.substr(0, newline), text.substr(newline + 1)};
}

SourcePath Zigbee2Mqtt() {
  struct State {
    std::vector<agent::Z2mFieldSeries> series;
    std::vector<Message> messages;
    agent::Samples out;
  };
  auto state = std::make_shared<State>();
  // The TS011F plug z1 of the corpus' bridge/devices, and its state message
  // as captured (DEVICES.md C.1).
  auto devices = agent::ParseZ2mDeviceList(
      ReadSourceFile("agent/zigbee2mqtt/fuzz_corpus/zigbee2mqtt/bridge_devices"));
  CheckSetup(devices.ok() && !devices->empty() && devices->front().friendly_name == "z1",
             "the corpus' bridge/devices no longer starts with z1");
  auto series = agent::SeriesForDevice(devices->front());
  CheckSetup(series.has_value(), "z1 has no series");
  state->series = std::move(*series);
  state->messages.push_back(
      {"zigbee2mqtt/z1", ReadSourceFile("agent/zigbee2mqtt/fuzz_corpus/zigbee2mqtt/ts011f_state")});

  SourcePath path;
  path.name = "zigbee2mqtt";
  path.what = "MapZ2mState, a TS011F plug's state (DEVICES.md C.1 capture), series from exposes";
  path.baseline = "json::parse";
  path.run = [state] {
    size_t appended = 0;
    CheckSetup(agent::MapZ2mState(state->messages.front().payload, &state->series, "z1",
                                  kBenchStartMs, &state->out, &appended)
                   .ok(),
               "the TS011F state does not map");
    return appended;
  };
  path.run_baseline = [state] { ParseEach(state->messages); };
  path.reset = [state] { state->out.clear(); };
  return path;
}

std::unique_ptr<agent::MqttJsonMapper> ProfileMapper(const std::string& name) {
  auto tree = agent::FindMqttJsonProfile(name, "");
  CheckSetup(tree.ok(), "no built-in mqtt_json profile " + name);
  agent::MqttJsonMapping mapping;
  CheckSetup(agent::ReadMqttJsonProfile(*tree, &mapping).ok() &&
                 agent::CheckMqttJsonMapping(mapping, "bench").ok(),
             "the built-in profile " + name + " does not read");
  return std::make_unique<agent::MqttJsonMapper>(std::move(mapping));
}

SourcePath MqttJson(std::string name, std::string what, const std::string& profile,
                    std::vector<Message> messages, int64_t arrival_ms) {
  struct State {
    std::unique_ptr<agent::MqttJsonMapper> mapper;
    std::vector<Message> messages;
    int64_t arrival_ms = 0;
    agent::Samples out;
  };
  auto state = std::make_shared<State>();
  state->mapper = ProfileMapper(profile);
  state->messages = std::move(messages);
  state->arrival_ms = arrival_ms;

  SourcePath path;
  path.name = std::move(name);
  path.what = std::move(what);
  path.baseline = "json::parse";
  path.messages_per_round = state->messages.size();
  path.run = [state] {
    size_t samples = 0;
    for (const Message& message : state->messages) {
      agent::MqttJsonOutcome outcome = state->mapper->Map(message.topic, message.payload,
                                                          /*retained=*/false, state->arrival_ms,
                                                          &state->out);
      if (!outcome.error.ok()) Fail(message.topic + ": " + outcome.error.ToString());
      samples += outcome.samples;
    }
    return samples;
  };
  path.run_baseline = [state] { ParseEach(state->messages); };
  path.reset = [state] { state->out.clear(); };
  return path;
}

SourcePath Tasmota() {
  // The corpus' SENSOR message carries the device's local time
  // 2022-01-11T21:57:38; arriving then (main() runs in UTC) it is used, as
  // on a Tasmota with NTP.
  constexpr int64_t kSensorTimeMs = 1'641'938'258'000;
  return MqttJson("mqtt_json_tasmota",
                  "MqttJsonMapper::Map, profile tasmota_energy, a tele/<device>/SENSOR document",
                  "tasmota_energy", {CorpusMessage("tasmota_sensor")}, kSensorTimeMs);
}

SourcePath OpenDtu() {
  // One publish round of a two-input Hoymiles inverter, as OpenDTU sends it
  // (docs/MQTT_Topics.md): a topic per value, some of them not mapped by the
  // profile (yieldday, irradiation, status) but received all the same.
  static constexpr const char* kRound[][2] = {
      {"0/power", "412.3"},          {"0/voltage", "231.4"},      {"0/current", "1.78"},
      {"0/frequency", "50.01"},      {"0/powerfactor", "0.999"},  {"0/reactivepower", "2.1"},
      {"0/temperature", "38.2"},     {"0/efficiency", "95.41"},   {"0/yieldtotal", "1234.567"},
      {"0/yieldday", "2345"},        {"0/powerdc", "432.1"},      {"1/power", "218.4"},
      {"1/voltage", "33.2"},         {"1/current", "6.58"},       {"1/yieldtotal", "617.283"},
      {"1/yieldday", "1172"},        {"1/irradiation", "52.0"},   {"2/power", "213.7"},
      {"2/voltage", "32.9"},         {"2/current", "6.50"},       {"2/yieldtotal", "617.284"},
      {"2/yieldday", "1173"},        {"2/irradiation", "50.9"},   {"status/reachable", "1"},
      {"status/producing", "1"},     {"status/last_update", "1757059800"},
  };
  std::vector<Message> messages;
  for (const auto& [subtopic, payload] : kRound) {
    messages.push_back({std::string("solar/116181234567/") + subtopic, payload});
  }
  return MqttJson("mqtt_json_opendtu",
                  "MqttJsonMapper::Map, profile opendtu, one publish round of a 2-input inverter",
                  "opendtu", std::move(messages), kBenchStartMs);
}

}  // namespace

std::vector<SourcePath> MqttPaths() {
  std::vector<SourcePath> paths;
  paths.push_back(Zigbee2Mqtt());
  paths.push_back(Tasmota());
  paths.push_back(OpenDtu());
  return paths;
}

}  // namespace wattline::bench
