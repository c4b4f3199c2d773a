// libFuzzer target for the Shelly Gen1 /status parser. It must return a
// Status, never crash, throw or leak, and leave its outputs as it found them
// when it fails. Seeds are in agent/shelly/fuzz_corpus/shelly_gen1/.
//
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -I. \
//     agent/shelly/shelly_gen1_parser_fuzz.cc agent/shelly/shelly_gen1_parser.cc \
//     agent/shelly/shelly_json.cc common/labels.cc common/status.cc -o shelly_gen1_parser_fuzz
//   ./shelly_gen1_parser_fuzz agent/shelly/fuzz_corpus/shelly_gen1/
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "agent/shelly/shelly_gen1_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  wattline::agent::Samples out;
  std::vector<std::string> invalid;
  wattline::Status status = wattline::agent::ParseGen1Status(json, "fuzz", 0, &out, &invalid);
  if (!status.ok() && (!out.empty() || !invalid.empty())) std::abort();
  for (const wattline::agent::Sample& sample : out) {
    if (!wattline::ValidateCanonical(sample.labels).ok()) std::abort();
  }
  return 0;
}
