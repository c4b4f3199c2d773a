#include "aggregator/storage/chunk_zstd.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "aggregator/storage/chunk_bits.h"
#include "aggregator/storage/chunk_format.h"
#include "common/zstd_frame.h"

namespace wattline::aggregator {
namespace {

using chunk_bits::GetVarint;
using chunk_bits::PutVarint;
using chunk_bits::UnZigZag;
using chunk_bits::ZigZag;
using chunk_format::Invalid;

// Measured on bench/meter_data.h's series (docs/formats/chunk.md).
constexpr int kZstdLevel = 1;

enum class TimestampForm : uint8_t {
  kRegular = 0,  // ts[i] = ts[0] + i * span / (count - 1): nothing in the stream
  kStream = 1,   // the first delta, then zigzag deltas-of-delta
};

// A varint takes at most 10 bytes, and the stream holds at most two a sample.
constexpr uint64_t kMaxRawBytesPerSample = 20;

// Modulo 2^64: any two int64 timestamps.
uint64_t Delta(std::span<const SamplePoint> samples, size_t i) {
  return static_cast<uint64_t>(samples[i].timestamp_ms) -
         static_cast<uint64_t>(samples[i - 1].timestamp_ms);
}

// Whether ts[i] = ts[0] + i * delta: then the stream holds no timestamps.
bool Regular(std::span<const SamplePoint> samples) {
  for (size_t i = 2; i < samples.size(); ++i) {
    if (Delta(samples, i) != Delta(samples, 1)) return false;
  }
  return true;
}

// The first delta, then the deltas-of-delta. REQUIRES: 2 or more samples.
std::string Timestamps(std::span<const SamplePoint> samples) {
  std::string raw;
  PutVarint(&raw, Delta(samples, 1));
  for (size_t i = 2; i < samples.size(); ++i) {
    PutVarint(&raw, ZigZag(static_cast<int64_t>(Delta(samples, i) - Delta(samples, i - 1))));
  }
  return raw;
}

// The mantissa each value is predicted to be, from those before it; the
// stream holds zigzag(m[i] - prediction). Arithmetic modulo 2^64, as the
// decoder's on damaged input; for |m| <= 2^53 nothing wraps.
//   1 previous        m[i-1]                      (0 for m[0], as all)
//   2 linear          2 m[i-1] - m[i-2]           (from i = 2; before, as 1)
//   3, 4, 5 mean      floor(sum of the last k / k), k = 2, 4, 8 (from i = k;
//                     before, as 1): white noise about a slow trend costs
//                     its own spread, not the spread of its differences
// `step(i, prediction)` gives m[i].
template <int kPredictor, typename Step>
void Predict(uint32_t n, Step step) {
  constexpr int kLogMean = kPredictor - 2;
  constexpr uint32_t kMean = kPredictor >= 3 ? 1u << kLogMean : 0;
  uint64_t ring[8] = {};
  uint64_t sum = 0;  // of m[i-kMean .. i-1]
  for (uint32_t i = 0; i < n; ++i) {
    uint64_t prediction = i > 0 ? ring[(i - 1) & 7] : 0;
    if constexpr (kPredictor == 2) {
      if (i >= 2) prediction = 2 * ring[(i - 1) & 7] - ring[(i - 2) & 7];
    }
    if constexpr (kMean > 0) {
      if (i >= kMean) prediction = static_cast<uint64_t>(static_cast<int64_t>(sum) >> kLogMean);
    }
    const uint64_t m = step(i, prediction);
    if constexpr (kMean > 0) {
      sum += m;
      if (i >= kMean) sum -= ring[(i - kMean) & 7];
    }
    ring[i & 7] = m;
  }
}

constexpr int kLastPredictor = kLastZstdPredictor;

template <typename Step>
void PredictWith(int predictor, uint32_t n, Step step) {
  switch (predictor) {
    case 1:
      return Predict<1>(n, step);
    case 2:
      return Predict<2>(n, step);
    case 3:
      return Predict<3>(n, step);
    case 4:
      return Predict<4>(n, step);
    case 5:
      return Predict<5>(n, step);
  }
  static_assert(kLastPredictor == 5);
}

void AppendValues(std::span<const int64_t> m, int predictor, std::string* raw) {
  PredictWith(predictor, static_cast<uint32_t>(m.size()), [&](uint32_t i, uint64_t prediction) {
    const auto v = static_cast<uint64_t>(m[i]);
    PutVarint(raw, ZigZag(static_cast<int64_t>(v - prediction)));
    return v;
  });
}

double EntropyBits(std::string_view bytes) {
  uint32_t counts[256] = {};
  for (char c : bytes) ++counts[static_cast<uint8_t>(c)];
  const auto n = static_cast<double>(bytes.size());
  double bits = 0;
  for (uint32_t count : counts) {
    if (count > 0) bits -= count * std::log2(count / n);
  }
  return bits;
}

class RawReader {
 public:
  explicit RawReader(std::string_view raw) : raw_(raw) {}
  bool Next(uint64_t* v) {
    // Most fields of noise and all of steady timestamps are one byte.
    if (pos_ < raw_.size() && static_cast<uint8_t>(raw_[pos_]) < 0x80) {
      *v = static_cast<uint8_t>(raw_[pos_++]);
      return true;
    }
    return GetVarint(raw_, &pos_, v);
  }
  size_t left() const { return raw_.size() - pos_; }

 private:
  std::string_view raw_;
  size_t pos_ = 0;
};

Status DecodeTimestamps(const ChunkSummary& summary, TimestampForm form, RawReader* r,
                        SamplePoint* out) {
  const uint32_t n = summary.samples;
  if (form == TimestampForm::kRegular) {
    // The header's checks make delta >= 1 and ts[0] + span <= INT64_MAX.
    const uint64_t span = static_cast<uint64_t>(summary.max_timestamp_ms) -
                          static_cast<uint64_t>(summary.min_timestamp_ms);
    const uint64_t delta = n > 1 ? span / (n - 1) : 0;
    if (n > 1 && delta * (n - 1) != span) {
      return Invalid("time span " + std::to_string(span) + " ms not a multiple of " +
                     std::to_string(n - 1) + " regular steps");
    }
    for (uint32_t i = 0; i < n; ++i) {
      out[i].timestamp_ms =
          static_cast<int64_t>(static_cast<uint64_t>(summary.min_timestamp_ms) + i * delta);
    }
    return Status::Ok();
  }
  int64_t ts = summary.min_timestamp_ms;
  out[0].timestamp_ms = ts;
  uint64_t delta = 0;
  for (uint32_t i = 1; i < n; ++i) {
    uint64_t field = 0;
    if (!r->Next(&field)) return Invalid("truncated timestamps");
    delta = i == 1 ? field : delta + static_cast<uint64_t>(UnZigZag(field));
    if (!chunk_format::Advance(&ts, delta)) {
      return Invalid("timestamps not strictly increasing at sample " + std::to_string(i));
    }
    out[i].timestamp_ms = ts;
  }
  if (ts != summary.max_timestamp_ms) {
    return Invalid("last timestamp " + std::to_string(ts) + " is not the header's maximum " +
                   std::to_string(summary.max_timestamp_ms));
  }
  return Status::Ok();
}

Status DecodeValues(uint32_t n, int predictor, double scale, RawReader* r, SamplePoint* out) {
  bool truncated = false;
  PredictWith(predictor, n, [&](uint32_t i, uint64_t prediction) {
    uint64_t field = 0;
    truncated |= !r->Next(&field);
    const uint64_t m = prediction + static_cast<uint64_t>(UnZigZag(field));
    out[i].value = chunk_format::DecimalValue(m, scale);
    return m;
  });
  return truncated ? Invalid("truncated values") : Status::Ok();
}

// zstd's literal coder comes within a few percent of the order-0 entropy of
// a noisy stream, so that ranks the predictors for the price of one zstd
// pass instead of one each. Counters' streams are runs that zstd matches
// rather than noise: the previous and linear predictors, which suit them,
// are compressed too.
std::vector<int> Candidates(std::span<const int64_t> mantissas) {
  int ranked = 1;
  double ranked_bits = 0;
  for (int predictor = 1; predictor <= kLastPredictor; ++predictor) {
    std::string values;
    AppendValues(mantissas, predictor, &values);
    const double bits = EntropyBits(values);
    if (predictor == 1 || bits < ranked_bits) {
      ranked = predictor;
      ranked_bits = bits;
    }
  }
  if (ranked <= 2) return {1, 2};
  return {1, 2, ranked};
}

}  // namespace

std::optional<std::string> EncodeZstdBody(std::span<const SamplePoint> samples, int exponent,
                                          std::span<const int64_t> mantissas, int predictor) {
  const TimestampForm form = Regular(samples) ? TimestampForm::kRegular : TimestampForm::kStream;
  const std::string timestamps = form == TimestampForm::kRegular ? "" : Timestamps(samples);
  std::optional<std::string> best;
  ZstdCompressor compressor(kZstdLevel);
  for (int candidate : predictor == 0 ? Candidates(mantissas) : std::vector<int>{predictor}) {
    std::string raw = timestamps;
    AppendValues(mantissas, candidate, &raw);
    const Result<std::string> frame = compressor.Compress(raw);
    if (!frame.ok()) return std::nullopt;
    std::string body;
    body.push_back(static_cast<char>(candidate));
    body.push_back(static_cast<char>(exponent));
    body.push_back(static_cast<char>(form));
    PutVarint(&body, raw.size());
    body += *frame;
    if (!best || body.size() < best->size()) best = std::move(body);
  }
  return best;
}

Status DecodeZstdBody(const ChunkSummary& summary, std::string_view body, SamplePoint* out) {
  if (body.size() < 3) return Invalid("truncated decimal-zstd body");
  const auto predictor = static_cast<uint8_t>(body[0]);
  const auto e = static_cast<uint8_t>(body[1]);
  const auto form = static_cast<uint8_t>(body[2]);
  if (predictor < 1 || predictor > kLastPredictor) {
    return Invalid("predictor " + std::to_string(predictor));
  }
  if (e > chunk_format::kMaxDecimalExponent) {
    return Invalid("decimal exponent " + std::to_string(e) + " over 9");
  }
  if (form > static_cast<uint8_t>(TimestampForm::kStream)) {
    return Invalid("timestamp form " + std::to_string(form));
  }
  size_t pos = 3;
  uint64_t raw_size = 0;
  if (!GetVarint(body, &pos, &raw_size)) return Invalid("truncated decimal-zstd body");
  if (raw_size > kMaxRawBytesPerSample * summary.samples) {
    return Invalid("zstd stream of " + std::to_string(raw_size) + " bytes, over 20 a sample");
  }
  const Result<std::string> raw = ZstdDecompress(body.substr(pos), raw_size);
  if (!raw.ok()) return Invalid(raw.status().message());
  if (raw->size() != raw_size) {
    return Invalid("zstd frame holds " + std::to_string(raw->size()) + " bytes, not " +
                   std::to_string(raw_size));
  }
  RawReader r(*raw);
  WATTLINE_RETURN_IF_ERROR(DecodeTimestamps(summary, static_cast<TimestampForm>(form), &r, out));
  WATTLINE_RETURN_IF_ERROR(
      DecodeValues(summary.samples, predictor, chunk_format::kPow10[e], &r, out));
  if (r.left() != 0) return Invalid(std::to_string(r.left()) + " trailing bytes in the zstd frame");
  return Status::Ok();
}

}  // namespace wattline::aggregator
