// libFuzzer target for the mqtt_json mapping: topic patterns, JSON paths,
// value and device-time parsing. The input is a topic, a newline, and the
// payload; the first byte (when it is '!') marks the message retained. Every
// built-in profile and one inline mapping with arrays, values and device
// times get every input; they must never crash, throw or leak, a message
// that matches nothing must add no samples, and every sample must have
// canonical labels and a finite value. Seeds are in
// agent/mqtt_json/fuzz_corpus/mqtt_json/.
//
// Built by the fuzz build (tests/fuzz/fuzzers.cmake), which embeds the
// built-in profiles as the agent does:
//   ninja -C build-fuzz mqtt_json_mapper_fuzz
//   build-fuzz/tests/fuzz/mqtt_json_mapper_fuzz agent/mqtt_json/fuzz_corpus/mqtt_json/
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>
#include <vector>

#include "agent/mqtt_json/mqtt_json_fuzz_map.h"
#include "agent/mqtt_json/mqtt_json_mapper.h"
#include "agent/mqtt_json/mqtt_json_profiles.h"

namespace {

using wattline::agent::MqttJsonMapper;
using wattline::agent::MqttJsonMapping;

constexpr std::string_view kInline = R"(
topic: "x/{device}/#"
timestamp_path: t
timestamp_zone: "+01:00"
series:
  - {topic: "ch{input}/+", path: "a[1].b", metric: m_one, scale: 1e300}
  - {path: "a[0]", metric: m_two, values: {"on": 1, "2": 2, "true": 3}}
  - {topic: "#", metric: m_three, retained: true}
)";

std::vector<std::unique_ptr<MqttJsonMapper>> MakeMappers() {
  std::vector<std::unique_ptr<MqttJsonMapper>> mappers;
  for (const auto& text : wattline::agent::BuiltinMqttJsonProfileTexts()) {
    MqttJsonMapping mapping;
    auto tree = wattline::agent::FindMqttJsonProfile(text.name, "");
    if (!tree.ok() || !wattline::agent::ReadMqttJsonProfile(*tree, &mapping).ok() ||
        !wattline::agent::CheckMqttJsonMapping(mapping, "fuzz").ok()) {
      std::abort();
    }
    mappers.push_back(std::make_unique<MqttJsonMapper>(std::move(mapping)));
  }
  MqttJsonMapping mapping;
  auto tree = wattline::ParseYamlConfig(kInline, "inline");
  if (!tree.ok() || !wattline::agent::ReadMqttJsonMappingLayer(*tree, false, &mapping).ok() ||
      !wattline::agent::CheckMqttJsonMapping(mapping, "fuzz").ok()) {
    std::abort();
  }
  mappers.push_back(std::make_unique<MqttJsonMapper>(std::move(mapping)));
  return mappers;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<std::unique_ptr<MqttJsonMapper>> mappers = MakeMappers();
  std::string_view input(reinterpret_cast<const char*>(data), size);
  bool retained = false;
  if (!input.empty() && input.front() == '!') {
    retained = true;
    input.remove_prefix(1);
  }
  const size_t newline = input.find('\n');
  const std::string_view topic = input.substr(0, newline);
  const std::string_view payload =
      newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
  for (const auto& mapper : mappers) {
    wattline::agent::FuzzMapAndCheck(*mapper, topic, payload, retained);
  }
  return 0;
}
