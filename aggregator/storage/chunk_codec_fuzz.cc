// libFuzzer target for the storage chunk codec (chunk_codec.h). The input is
// used twice:
//   - as a chunk: DecodeChunk and SummarizeChunk must not crash or read out
//     of bounds; when it decodes, the summary agrees with the samples, and
//     the samples re-encoded decode to themselves, bit for bit (NaN payloads
//     included, so not ==);
//   - as samples (per 16 bytes: an increasing timestamp step and a value's
//     bits, some of them snapped to decimals), which must survive
//     EncodeChunk and DecodeChunk bit for bit: that reaches the encoder's
//     choice between its value encodings with values no seed has;
//   - as the same samples with every value made a decimal, written as a
//     decimal-zstd or decimal-zstd-bare chunk (chunk_zstd.h) with the
//     predictor the input picks, even where the encoder would not choose it
//     (few samples): every predictor and timestamp form of both must decode
//     back bit for bit.
// Seeds in aggregator/storage/fuzz_corpus/chunk/ are chunks EncodeChunk made.
//
// Built by the fuzz build (tests/fuzz/fuzzers.cmake):
//   ninja -C build-fuzz chunk_codec_fuzz
//   build-fuzz/tests/fuzz/chunk_codec_fuzz aggregator/storage/fuzz_corpus/chunk/
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aggregator/storage/chunk_bits.h"
#include "aggregator/storage/chunk_codec.h"
#include "aggregator/storage/chunk_predict.h"
#include "aggregator/storage/chunk_zstd.h"

namespace {

using wattline::aggregator::SamplePoint;

void Require(bool condition) {
  if (!condition) std::abort();
}

bool SameBits(const std::vector<SamplePoint>& a, const std::vector<SamplePoint>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].timestamp_ms != b[i].timestamp_ms ||
        std::bit_cast<uint64_t>(a[i].value) != std::bit_cast<uint64_t>(b[i].value)) {
      return false;
    }
  }
  return true;
}

void CheckRoundTrip(const std::vector<SamplePoint>& samples) {
  const std::string chunk = wattline::aggregator::EncodeChunk(samples);
  std::vector<SamplePoint> again;
  Require(wattline::aggregator::DecodeChunk(chunk, &again).ok());
  Require(SameBits(again, samples));
}

void CheckChunk(std::string_view input) {
  std::vector<SamplePoint> samples;
  const wattline::Status status = wattline::aggregator::DecodeChunk(input, &samples);
  const wattline::Result<wattline::aggregator::ChunkSummary> summary =
      wattline::aggregator::SummarizeChunk(input);
  if (!status.ok()) {
    Require(samples.empty());
    return;
  }
  Require(summary.ok() && summary->samples == samples.size() &&
          summary->min_timestamp_ms == samples.front().timestamp_ms &&
          summary->max_timestamp_ms == samples.back().timestamp_ms);
  CheckRoundTrip(samples);
}

// Every predictor of the form (chunk_predict.h), and 0: the encoder's pick.
std::vector<int> Predictors(wattline::aggregator::ZstdBodyForm form) {
  namespace predict = wattline::aggregator::chunk_predict;
  std::vector<int> out;
  for (int p = 0; p <= predict::kSmoothedLast; ++p) {
    if (p == 0 || predict::Known(p, form == wattline::aggregator::ZstdBodyForm::kBare)) {
      out.push_back(p);
    }
  }
  return out;
}

// `samples` with decimal values m / 10^e (m from the value's bits, within
// 2^53, e from `scale_choice`), as a decimal-zstd (odd `choice`) or
// decimal-zstd-bare chunk with the predictor the rest of `choice` picks.
void CheckZstdBody(std::vector<SamplePoint> samples, uint8_t choice, uint8_t scale_choice) {
  using wattline::aggregator::ZstdBodyForm;
  const ZstdBodyForm form = (choice & 1) != 0 ? ZstdBodyForm::kStandard : ZstdBodyForm::kBare;
  const std::vector<int> predictors = Predictors(form);
  const int predictor = predictors[(choice >> 1) % predictors.size()];
  const int e = scale_choice % 10;
  const double scale = std::pow(10.0, e);
  std::vector<int64_t> mantissas;
  for (SamplePoint& s : samples) {
    const uint64_t bits = std::bit_cast<uint64_t>(s.value);
    // Small steps mostly, as meters make; sometimes anything within 2^53.
    const int64_t m = (bits >> 63) != 0 ? static_cast<int64_t>(bits % (uint64_t{1} << 54)) -
                                              (int64_t{1} << 53)
                                        : static_cast<int64_t>(bits % 2001) - 1000;
    mantissas.push_back(m);
    s.value = static_cast<double>(m) / scale;
  }
  const std::optional<std::string> body =
      wattline::aggregator::EncodeZstdBody(samples, e, mantissas, form, predictor);
  Require(body.has_value());
  if (body->size() * 64 < samples.size()) return;  // the decoder's minimum, as EncodeChunk's
  // Version 1, decimal-zstd or decimal-zstd-bare.
  std::string chunk(1, static_cast<char>(form == ZstdBodyForm::kStandard ? 0x13 : 0x14));
  wattline::aggregator::chunk_bits::PutVarint(&chunk, samples.size());
  wattline::aggregator::chunk_bits::PutVarint(
      &chunk, wattline::aggregator::chunk_bits::ZigZag(samples.front().timestamp_ms));
  wattline::aggregator::chunk_bits::PutVarint(
      &chunk, static_cast<uint64_t>(samples.back().timestamp_ms) -
                  static_cast<uint64_t>(samples.front().timestamp_ms));
  std::vector<SamplePoint> again;
  Require(wattline::aggregator::DecodeChunk(chunk + *body, &again).ok());
  Require(SameBits(again, samples));
}

uint64_t Load64(const uint8_t* p) {
  uint64_t v = 0;
  std::memcpy(&v, p, sizeof v);
  return v;
}

void CheckSamples(const uint8_t* data, size_t size) {
  std::vector<SamplePoint> samples;
  int64_t ts = -1000000;
  for (size_t at = 0; at + 16 <= size; at += 16) {
    const uint64_t step = Load64(data + at);
    // Mostly small steps (every delta-of-delta bucket), rarely huge ones.
    const uint64_t increment = (step >> 62) == 3 ? step >> 2 : (step % 5000) + 1;
    const auto next = static_cast<int64_t>(static_cast<uint64_t>(ts) + increment);
    if (next <= ts) break;  // wrapped past int64
    ts = next;
    double value = std::bit_cast<double>(Load64(data + at + 8));
    if ((step & 0x30) == 0 && std::isfinite(value)) {
      value = std::round(std::fmod(value, 1e6) * 1000) / 1000;  // a decimal, mostly
    }
    samples.push_back({ts, value});
  }
  if (samples.empty()) return;
  CheckRoundTrip(samples);
  CheckZstdBody(samples, data[0], data[size - 1]);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  CheckChunk(std::string_view(reinterpret_cast<const char*>(data), size));
  CheckSamples(data, size);
  return 0;
}
