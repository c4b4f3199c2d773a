// libFuzzer target for the Zigbee2MQTT parsers: bridge/devices and the
// series its exposes give, state messages with and without exposes,
// availability, rename notices and topic resolution. Every input goes to all
// of them; they must never crash, throw or leak, and every sample must have
// canonical labels and a finite value. Seeds are in
// agent/zigbee2mqtt/fuzz_corpus/zigbee2mqtt/.
//
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -I. \
//     agent/zigbee2mqtt/zigbee2mqtt_fuzz.cc agent/zigbee2mqtt/zigbee2mqtt_devices.cc \
//     agent/zigbee2mqtt/zigbee2mqtt_series.cc agent/zigbee2mqtt/zigbee2mqtt_state_mapper.cc \
//     agent/zigbee2mqtt/zigbee2mqtt_topics.cc common/labels.cc common/status.cc \
//     -o zigbee2mqtt_fuzz
//   ./zigbee2mqtt_fuzz agent/zigbee2mqtt/fuzz_corpus/zigbee2mqtt/
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "agent/zigbee2mqtt/zigbee2mqtt_devices.h"
#include "agent/zigbee2mqtt/zigbee2mqtt_series.h"
#include "agent/zigbee2mqtt/zigbee2mqtt_state_mapper.h"
#include "agent/zigbee2mqtt/zigbee2mqtt_topics.h"

namespace {

using wattline::agent::Samples;

void CheckSamples(const Samples& samples) {
  for (const auto& sample : samples) {
    if (!wattline::ValidateCanonical(sample.labels).ok() || !std::isfinite(sample.value)) {
      std::abort();
    }
  }
}

// The TS011F's series, as its exposes give them.
constexpr std::string_view kPlug = R"([{"ieee_address":"0x1","friendly_name":"z1","definition":{
  "exposes":[{"type":"numeric","name":"power","property":"power","access":5,"unit":"W"},
             {"type":"numeric","name":"energy","property":"energy","access":5,"unit":"kWh"},
             {"type":"numeric","name":"current","property":"current","access":5,"unit":"mA"}]}}])";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  static const std::vector<wattline::agent::Z2mFieldSeries> plug =
      *wattline::agent::SeriesForDevice((*wattline::agent::ParseZ2mDeviceList(kPlug))[0]);

  wattline::agent::Z2mFriendlyNames names = {"z1", "kitchen/floor_plug"};
  auto devices = wattline::agent::ParseZ2mDeviceList(input);
  if (devices.ok()) {
    for (const auto& device : *devices) {
      names.insert(device.friendly_name);
      auto series = wattline::agent::SeriesForDevice(device);
      if (series.has_value()) {
        Samples samples;
        (void)wattline::agent::MapZ2mState(input, &*series, "fuzz", 0, &samples);
        CheckSamples(samples);
      }
    }
  }
  for (const wattline::agent::Z2mFriendlyNames* known :
       {static_cast<const wattline::agent::Z2mFriendlyNames*>(&names),
        static_cast<const wattline::agent::Z2mFriendlyNames*>(nullptr)}) {
    auto topic = wattline::agent::ClassifyZ2mTopic(input, "zigbee2mqtt", known);
    if (!topic.friendly_name.empty() &&
        (topic.friendly_name.data() < input.data() ||
         topic.friendly_name.data() + topic.friendly_name.size() > input.data() + input.size())) {
      std::abort();  // the name must be a view into the topic
    }
  }
  for (const auto* series : {&plug, static_cast<decltype(&plug)>(nullptr)}) {
    Samples samples;
    size_t added = 0;
    (void)wattline::agent::MapZ2mState(input, series, "fuzz", 0, &samples, &added);
    if (added != samples.size()) std::abort();
    CheckSamples(samples);
  }
  (void)wattline::agent::ParseZ2mAvailability(input);
  (void)wattline::agent::ParseZ2mBridgeEvent(input);
  (void)wattline::agent::ParseZ2mRenameResponse(input);
  return 0;
}
