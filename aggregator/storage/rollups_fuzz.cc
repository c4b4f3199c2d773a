// libFuzzer target for stored rollups (rollup.h, docs/formats/rollups.md):
// DecodeRollups must not crash or read out of bounds on any input, in
// either format; what decodes must encode to bytes that decode to the same
// buckets, and encoding those again gives the same bytes (compared as
// bytes: NaN sums are legal and never equal themselves).
// Seeds in aggregator/storage/fuzz_corpus/rollups/ are rows of both formats.
//
// Built by the fuzz build (tests/fuzz/fuzzers.cmake):
//   ninja -C build-fuzz rollups_fuzz
//   build-fuzz/tests/fuzz/rollups_fuzz aggregator/storage/fuzz_corpus/rollups/
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "aggregator/storage/rollup.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using wattline::aggregator::DecodeRollups;
  using wattline::aggregator::EncodeRollups;
  using wattline::aggregator::Rollup;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<Rollup> decoded;
  if (!DecodeRollups(input, &decoded).ok()) {
    if (!decoded.empty()) std::abort();  // nothing appended on failure
    return 0;
  }
  const std::string encoded = EncodeRollups(decoded);
  std::vector<Rollup> again;
  if (!DecodeRollups(encoded, &again).ok()) std::abort();
  if (again.size() != decoded.size()) std::abort();
  if (EncodeRollups(again) != encoded) std::abort();
  return 0;
}
