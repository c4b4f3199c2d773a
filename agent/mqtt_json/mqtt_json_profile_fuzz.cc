// libFuzzer target for mqtt_json profile files, the YAML a user writes for a
// device of their own (mqtt_json_profiles.h, mqtt_json_mapping.h): every
// input must come back as a Status that says what is wrong, or a mapping that
// passes its checks and then maps messages without crashing. yaml-cpp's
// exceptions stop in config_tree.cc. The mapping gets a few messages whose
// topics come from the input itself, so the topic patterns it declares are
// exercised too. Seeds are in agent/mqtt_json/fuzz_corpus/mqtt_json_profile/.
//
// Built by the fuzz build (tests/fuzz/fuzzers.cmake):
//   ninja -C build-fuzz mqtt_json_profile_fuzz
//   build-fuzz/tests/fuzz/mqtt_json_profile_fuzz agent/mqtt_json/fuzz_corpus/mqtt_json_profile/
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "agent/mqtt_json/mqtt_json_fuzz_map.h"
#include "agent/mqtt_json/mqtt_json_mapper.h"
#include "agent/mqtt_json/mqtt_json_profiles.h"
#include "common/config/config_tree.h"

namespace {

using wattline::agent::MqttJsonMapper;
using wattline::agent::MqttJsonMapping;

// The text after "topic:" on the input's first line that has one, with the
// captures and wildcards replaced by plain levels: a topic the mapping may
// match.
std::string TopicFromInput(std::string_view yaml) {
  const size_t at = yaml.find("topic:");
  if (at == std::string_view::npos) return "tele/plug/SENSOR";
  std::string_view rest = yaml.substr(at + 6);
  rest = rest.substr(0, rest.find('\n'));
  std::string topic;
  for (char c : rest) {
    if (c == ' ' || c == '"' || c == '\'' || c == '{' || c == '}') continue;
    topic += c == '+' || c == '#' ? 'x' : c;
  }
  return topic;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view yaml(reinterpret_cast<const char*>(data), size);
  auto tree = wattline::ParseYamlConfig(yaml, "fuzz.yaml");
  if (!tree.ok()) {
    if (tree.status().message().empty()) std::abort();  // errors must say what is wrong
    return 0;
  }
  MqttJsonMapping mapping;
  wattline::Status read = wattline::agent::ReadMqttJsonProfile(*tree, &mapping);
  if (read.ok()) read = wattline::agent::CheckMqttJsonMapping(mapping, "fuzz.yaml");
  if (!read.ok()) {
    if (read.message().empty()) std::abort();
    return 0;
  }
  const MqttJsonMapper mapper(std::move(mapping));
  const std::string topic = TopicFromInput(yaml);
  for (std::string_view payload :
       {std::string_view(R"({"ENERGY":{"Power":[5,0],"Total":1.5},"a":[1,{"b":2}],"t":1700000000})"),
        std::string_view("12.5"), std::string_view("Online"), yaml}) {
    for (const std::string& t : {topic, topic + "/0/power", topic + "/ch1/P_DC"}) {
      wattline::agent::FuzzMapAndCheck(mapper, t, payload, /*retained=*/false);
    }
  }
  return 0;
}
