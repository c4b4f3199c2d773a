// libFuzzer target for what the Shelly MQTT sources parse: the Gen1
// per-topic numbers (shelly_gen1_mqtt_parser.h) and the Gen2+ notification
// merge (shelly_gen2_mqtt_status.h). Neither may crash, throw or leak; a
// Gen1 message that fails must append nothing. Seeds are in
// agent/shelly/fuzz_corpus/shelly_mqtt/.
//
// Input: messages separated by '\n'. A message "<topic> <payload>": topics
// emeter/... go to the Gen1 parser, status/<component> and events/rpc to one
// Gen2 merge state, so that sequences of partial updates are explored.
//
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -I. \
//     agent/shelly/shelly_mqtt_fuzz.cc agent/shelly/shelly_gen1_mqtt_parser.cc \
//     agent/shelly/shelly_gen2_mqtt_status.cc agent/shelly/shelly_gen2_parser.cc \
//     agent/shelly/shelly_json.cc common/labels.cc common/status.cc -o shelly_mqtt_fuzz
//   ./shelly_mqtt_fuzz agent/shelly/fuzz_corpus/shelly_mqtt/
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "agent/shelly/shelly_gen1_mqtt_parser.h"
#include "agent/shelly/shelly_gen2_mqtt_status.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  wattline::agent::ShellyGen2MqttStatus state("fuzz");
  wattline::agent::Samples out;
  int64_t now = 1'757'059'800'000;
  while (!input.empty()) {
    const size_t end = input.find('\n');
    const std::string_view message = input.substr(0, end);
    input = end == std::string_view::npos ? std::string_view() : input.substr(end + 1);
    const size_t space = message.find(' ');
    const std::string_view topic = message.substr(0, space);
    const std::string_view payload =
        space == std::string_view::npos ? std::string_view() : message.substr(space + 1);
    now += 1000;
    if (topic.substr(0, 7) == "emeter/") {
      const size_t before = out.size();
      if (!wattline::agent::ParseShellyGen1Message(topic, payload, "fuzz", now, &out).ok() &&
          out.size() != before) {
        std::abort();
      }
    } else if (topic.substr(0, 7) == "status/") {
      (void)state.OnComponentStatus(topic.substr(7), payload, false, now, &out);
    } else if (topic == "events/rpc") {
      (void)state.OnRpcFrame(payload, false, now, &out);
    } else if (topic == "retained") {
      (void)state.OnRpcFrame(payload, true, now, &out);
    } else if (topic == "clear") {
      state.Clear();
    }
    if (out.size() > 10000) out.clear();
  }
  return 0;
}
