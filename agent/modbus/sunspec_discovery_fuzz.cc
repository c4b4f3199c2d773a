// libFuzzer target for what the agent parses out of a SunSpec device: the
// marker search and model walk (sunspec.h) over an arbitrary register map,
// and the decoding of model 203 with the built-in profile's fields, scale
// factors and "not implemented" values (poll_plan.h). The input is the
// device's holding registers: two bytes pick the base (40000, 50000 or 0),
// the rest are big-endian words from that base on; everything else answers
// with an exception. Must never crash, hang or read out of bounds. Seeds are
// in agent/modbus/fuzz_corpus/sunspec/.
//
// Built by the fuzz build (tests/fuzz/fuzzers.cmake), which embeds the
// built-in profile as the agent does:
//   ninja -C build-fuzz sunspec_discovery_fuzz
//   build-fuzz/tests/fuzz/sunspec_discovery_fuzz agent/modbus/fuzz_corpus/sunspec/
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

#include "agent/modbus/builtin_profiles.h"
#include "agent/modbus/poll_plan.h"
#include "agent/modbus/sunspec.h"

namespace {

using namespace wattline::agent::modbus;

std::shared_ptr<const ModbusProfile> Meter203() {
  static const std::shared_ptr<const ModbusProfile> profile = [] {
    wattline::Result<ModbusProfile> loaded = LoadBuiltinProfile("sunspec_meter_203");
    if (!loaded.ok()) std::abort();
    return std::make_shared<const ModbusProfile>(std::move(*loaded));
  }();
  return profile;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint16_t bases[] = {40000, 50000, 0};
  const uint32_t base = bases[data[0] % 3];
  std::vector<uint16_t> words;
  for (size_t i = 2; i + 1 < size; i += 2) {
    words.push_back(static_cast<uint16_t>(data[i] << 8 | data[i + 1]));
  }
  int reads = 0;
  const auto read_words = [&](uint32_t address, uint16_t count, uint16_t* dest) {
    ++reads;
    for (uint16_t i = 0; i < count; ++i) {
      const uint32_t at = address + i;
      if (at < base || at - base >= words.size()) {
        return ModbusStatus::Error(ModbusErrorKind::kException,
                                   wattline::Status::Unavailable("illegal data address"));
      }
      dest[i] = words[at - base];
    }
    return ModbusStatus::Ok();
  };
  HoldingReader reader = [&](uint16_t address, uint16_t count, uint16_t* dest) {
    return read_words(address, count, dest);
  };
  SunSpecOptions options;
  options.model = 203;
  SunSpecModelLocation location;
  ModbusStatus status = FindSunSpecModel(reader, options, &location);
  if (reads > 3 + kMaxSunSpecModels) std::abort();  // the walk is bounded
  if (!status.ok()) return 0;
  wattline::Result<PollPlan> plan =
      PollPlan::CreateSunSpec(Meter203(), location.address, location.length);
  if (!plan.ok()) return 0;
  std::vector<std::vector<uint16_t>> answers;
  for (const PlannedRead& read : plan->reads()) {
    std::vector<uint16_t> answer(read.count);
    if (!read_words(read.address, read.count, answer.data()).ok()) answer.clear();
    answers.push_back(std::move(answer));
  }
  wattline::agent::Samples samples;
  plan->Decode(answers, "fuzz", 0, &samples);
  if (samples.size() > Meter203()->fields.size()) std::abort();
  return 0;
}
