// libFuzzer target for the Shelly Gen2 status parsers. Both parsers get every
// input; they must return a Status, never crash, throw or leak. Seeds are in
// agent/shelly/fuzz_corpus/shelly_gen2/.
//
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -I. \
//     agent/shelly/shelly_gen2_parser_fuzz.cc agent/shelly/shelly_gen2_parser.cc \
//     common/labels.cc common/status.cc -o shelly_gen2_parser_fuzz
//   ./shelly_gen2_parser_fuzz agent/shelly/fuzz_corpus/shelly_gen2/
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

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
  return 0;
}
