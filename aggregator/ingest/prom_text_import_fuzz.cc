// libFuzzer target for the text import's parser (prom_text_import.h): any
// input gives a Result, never a crash, hang or leak; what it accepts is fit
// for SampleStore::Write, one sample per sample line at most, and a refusal
// names a line and column. Seeds: aggregator/ingest/fuzz_corpus/prom_text/.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "aggregator/ingest/fuzz_checks.h"
#include "aggregator/ingest/prom_text_import.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace wattline::aggregator;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto series = ParsePromText(text, 1'700'000'000'000);
  if (!series.ok()) {
    if (series.status().message().rfind("line ", 0) != 0) std::abort();
    if (series.status().message().find(", column ") == std::string::npos) std::abort();
    return 0;
  }
  RequireWritable(*series);
  size_t samples = 0;
  for (const auto& one : *series) samples += one.values.size();
  size_t lines = 1;
  for (char c : text) lines += c == '\n';
  if (samples > lines) std::abort();
  return 0;
}
