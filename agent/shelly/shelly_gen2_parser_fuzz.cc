// libFuzzer target for the Shelly Gen2 status parsers. Every parser gets
// every input (the component parser under each component key); they must
// return a Status, never crash, throw or leak, and leave their outputs as they
// found them when they fail. Seeds are in agent/shelly/fuzz_corpus/shelly_gen2/.
//
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -I. \
//     agent/shelly/shelly_gen2_parser_fuzz.cc agent/shelly/shelly_gen2_parser.cc \
//     agent/shelly/shelly_json.cc common/labels.cc common/status.cc -o shelly_gen2_parser_fuzz
//   ./shelly_gen2_parser_fuzz agent/shelly/fuzz_corpus/shelly_gen2/
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "agent/shelly/shelly_gen2_parser.h"

namespace {

// A parser that fails must leave the output as it found it.
void Check(const wattline::Status& status, size_t before, const wattline::agent::Samples& out) {
  if (!status.ok() && out.size() != before) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  wattline::agent::Samples out;
  wattline::Status status = wattline::agent::ParseEmStatus(json, "fuzz", 0, &out);
  Check(status, 0, out);
  const size_t before = out.size();
  status = wattline::agent::ParseEmDataStatus(json, "fuzz", 0, &out);
  Check(status, before, out);
  for (const char* key : {"em:0", "emdata:1", "em1:2", "em1data:0", "switch:0", "pm1:0"}) {
    const size_t count = out.size();
    status = wattline::agent::ParseShellyComponentStatus(key, json, "fuzz", 0, &out);
    Check(status, count, out);
  }
  const size_t count = out.size();
  std::vector<std::string> faulty;
  status = wattline::agent::ParseShellyStatus(json, "fuzz", 0, &out, &faulty);
  Check(status, count, out);
  if (!status.ok() && !faulty.empty()) std::abort();
  return 0;
}
