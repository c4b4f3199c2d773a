// libFuzzer target for remote write bodies (remote_write.h). The first byte
// picks the layer: even, the whole body (snappy, then protobuf); odd, the
// protobuf alone, which mutations reach far more often. Any input gives a
// Result, never a crash, hang or leak; what is accepted is fit for
// SampleStore::Write and survives encoding again bit for bit (NaN payloads
// included). Seeds: aggregator/ingest/fuzz_corpus/remote_write/.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "aggregator/ingest/fuzz_checks.h"
#include "aggregator/ingest/remote_write.h"

namespace {

using namespace wattline;
using namespace wattline::aggregator;

void RequireSameBits(const std::vector<SeriesSamples>& a, const std::vector<SeriesSamples>& b) {
  if (a.size() != b.size()) std::abort();
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].labels != b[i].labels || a[i].timestamps_ms != b[i].timestamps_ms) std::abort();
    for (size_t j = 0; j < a[i].values.size(); ++j) {
      if (std::bit_cast<uint64_t>(a[i].values[j]) != std::bit_cast<uint64_t>(b[i].values[j])) {
        std::abort();
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto series = data[0] % 2 == 0 ? DecodeRemoteWrite(body, 1 << 20) : ParseWriteRequest(body);
  if (!series.ok()) return 0;
  RequireWritable(*series);
  std::vector<RemoteWriteSeries> again;
  for (const SeriesSamples& one : *series) {
    RemoteWriteSeries out;
    for (const Label& label : one.labels) out.labels.emplace_back(label.name, label.value);
    for (size_t i = 0; i < one.values.size(); ++i) {
      out.samples.emplace_back(one.timestamps_ms[i], one.values[i]);
    }
    again.push_back(std::move(out));
  }
  auto decoded = DecodeRemoteWrite(EncodeRemoteWrite(again), SIZE_MAX);
  if (!decoded.ok()) std::abort();
  RequireSameBits(*series, *decoded);
  return 0;
}
