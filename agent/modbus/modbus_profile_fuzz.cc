// libFuzzer target for the Modbus profile parser (modbus_profile.h), the
// address notation inside it (modbus_value.h) and what a parsed profile
// feeds: the read planner and the decoder. Every input must come back as a
// Status or a profile whose reads respect its limits; never a crash, a throw
// (yaml-cpp's exceptions stop in config_tree.cc) or a leak. Seeds are in
// agent/modbus/fuzz_corpus/modbus_profile/.
//
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -I. \
//     agent/modbus/modbus_profile_fuzz.cc agent/modbus/modbus_profile.cc \
//     agent/modbus/modbus_value.cc agent/modbus/read_plan.cc agent/modbus/poll_plan.cc \
//     agent/modbus/sunspec.cc common/config/config_tree.cc common/labels.cc \
//     common/status.cc -lyaml-cpp -o modbus_profile_fuzz
//   ./modbus_profile_fuzz agent/modbus/fuzz_corpus/modbus_profile/
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>
#include <vector>

#include "agent/modbus/modbus_profile.h"
#include "agent/modbus/poll_plan.h"

namespace {

using wattline::Result;
using wattline::agent::Samples;
using namespace wattline::agent::modbus;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view yaml(reinterpret_cast<const char*>(data), size);
  Result<ModbusProfile> parsed = ParseModbusProfile(yaml, "fuzz.yaml", "fuzz");
  if (!parsed.ok()) {
    if (parsed.status().message().empty()) std::abort();  // errors must say what is wrong
    return 0;
  }
  auto profile = std::make_shared<const ModbusProfile>(std::move(*parsed));
  if (profile->fields.empty()) std::abort();
  Result<PollPlan> plan =
      profile->sunspec ? PollPlan::CreateSunSpec(profile, 40070, 105) : PollPlan::Create(profile);
  if (!plan.ok()) {
    // A SunSpec profile may not fit the model length assumed here; a plain
    // profile that parsed must always plan.
    if (!profile->sunspec) std::abort();
    return 0;
  }
  std::vector<std::vector<uint16_t>> answers;
  for (const PlannedRead& read : plan->reads()) {
    const int limit = wattline::agent::modbus::IsBitTable(read.table)
                          ? profile->limits.max_bits
                          : profile->limits.max_registers;
    if (read.count == 0 || read.count > limit) std::abort();
    if (profile->limits.even_alignment && !IsBitTable(read.table) &&
        (read.address % 2 != 0 || read.count % 2 != 0)) {
      std::abort();
    }
    // Answers made of the input's own bytes, so decoding sees varied words.
    std::vector<uint16_t> words(read.count);
    for (size_t i = 0; i < words.size(); ++i) {
      words[i] = size == 0 ? 0 : static_cast<uint16_t>(data[i % size] << 8 | data[(i * 7) % size]);
    }
    answers.push_back(std::move(words));
  }
  Samples samples;
  const size_t count = plan->Decode(answers, "fuzz", 0, &samples);
  if (count != samples.size() || count > profile->fields.size()) std::abort();
  return 0;
}
