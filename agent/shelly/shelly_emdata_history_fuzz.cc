// libFuzzer target for the EMData and EM1Data history parsers and the counter
// reconstruction (shelly_emdata_history.h): no input may crash, throw or
// leak, and rebuilt counters must never fall nor pass the current ones.
// Seeds are in agent/shelly/fuzz_corpus/shelly_emdata/.
//
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -I. \
//     agent/shelly/shelly_emdata_history_fuzz.cc agent/shelly/shelly_emdata_history.cc \
//     common/labels.cc common/status.cc -o shelly_emdata_history_fuzz
//   ./shelly_emdata_history_fuzz agent/shelly/fuzz_corpus/shelly_emdata/
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "agent/shelly/shelly_emdata_history.h"

namespace {

using namespace wattline::agent;

void RunOne(const EmDataComponent& component, std::string_view json) {
  (void)ParseEmDataRecords(component, json);
  (void)DecodeEmDataAnchor(component, json);
  wattline::Result<EmDataPage> page = ParseEmDataData(component, json);
  if (!page.ok() || page->intervals.empty()) return;
  EmDataAnchor shipped;
  shipped.timestamp_ms = page->intervals.front().start_s * 1000 + 30'000;
  shipped.wh = {100, 200, 300, 600, 1, 2, 3, 6};
  EmDataAnchor current = shipped;
  current.timestamp_ms += 3'600'000;
  for (double& wh : current.wh) wh += 5;
  const EmDataReconstruction result =
      ReconstructEmData(component, shipped, current, page->intervals);
  EmDataCounters previous = shipped.wh;
  for (const EmDataRow& row : result.rows) {
    for (size_t k = 0; k < kEmDataCounterCount; ++k) {
      if (std::isnan(row.wh[k])) continue;
      if (k >= component.counters()) std::abort();  // a counter it does not have
      if (row.wh[k] < previous[k] || row.wh[k] > current.wh[k]) std::abort();
      previous[k] = row.wh[k];
    }
  }
  Samples samples;
  AppendEmDataSamples(component, result.rows, "fuzz", &samples);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  RunOne(kEmDataComponent, json);
  RunOne(Em1DataComponent(1), json);
  return 0;
}
