#include "aggregator/storage/chunk_zstd.h"

#include <cmath>
#include <vector>

#include "aggregator/storage/chunk_bits.h"
#include "aggregator/storage/chunk_format.h"
#include "aggregator/storage/chunk_predict.h"
#include "aggregator/storage/chunk_zstd_frame.h"
#include "common/zstd_frame.h"

namespace wattline::aggregator {
namespace {

using chunk_bits::GetVarint;
using chunk_bits::PutVarint;
using chunk_bits::UnZigZag;
using chunk_bits::ZigZag;
using chunk_format::Delta;
using chunk_format::Invalid;

// Encoding 3's, measured on bench/meter_data.h's series (docs/formats/chunk.md);
// encoding 4 sets its own (chunk_zstd_frame.h).
constexpr int kZstdLevel = 1;

enum class TimestampForm : uint8_t {
  kRegular = 0,  // ts[i] = ts[0] + i * span / (count - 1): nothing in the stream
  kStream = 1,   // the first delta, then zigzag deltas-of-delta
};

// A varint takes at most 10 bytes, and the stream holds at most two a sample.
constexpr uint64_t kMaxRawBytesPerSample = 20;

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

void AppendValues(std::span<const int64_t> m, int predictor, std::string* raw) {
  chunk_predict::PredictWith(predictor, static_cast<uint32_t>(m.size()),
                             [&](uint32_t i, uint64_t prediction) {
                               const auto v = static_cast<uint64_t>(m[i]);
                               PutVarint(raw, ZigZag(static_cast<int64_t>(v - prediction)));
                               return v;
                             });
}

// The order-0 entropy of the bytes AppendValues would write, without
// writing them.
double EntropyBits(std::span<const int64_t> m, int predictor) {
  uint32_t counts[256] = {};
  uint64_t bytes = 0;
  chunk_predict::PredictWith(predictor, static_cast<uint32_t>(m.size()),
                             [&](uint32_t i, uint64_t prediction) {
                               const auto v = static_cast<uint64_t>(m[i]);
                               uint64_t z = ZigZag(static_cast<int64_t>(v - prediction));
                               for (; z >= 0x80; z >>= 7, ++bytes) ++counts[(z & 0x7f) | 0x80];
                               ++counts[z];
                               ++bytes;
                               return v;
                             });
  const auto n = static_cast<double>(bytes);
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
  chunk_predict::PredictWith(predictor, n, [&](uint32_t i, uint64_t prediction) {
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
std::vector<int> Candidates(std::span<const int64_t> mantissas, ZstdBodyForm form) {
  std::vector<int> ranking = {1, 2, 3, 4, 5};
  if (form == ZstdBodyForm::kBare) {
    ranking.push_back(chunk_predict::kTrend);
    // Weights 1/4 .. 1/32, restarting never or past 8 .. 64: what won on
    // meter data (docs/formats/chunk.md); the decoder takes any.
    for (int weight_shift = 2; weight_shift <= 5; ++weight_shift) {
      for (int restart_bits : {0, 3, 4, 5, 6}) {
        ranking.push_back(chunk_predict::kSmoothedBase + 8 * weight_shift + restart_bits);
      }
    }
  }
  int ranked = 1;
  double ranked_bits = 0;
  for (int predictor : ranking) {
    const double bits = EntropyBits(mantissas, predictor);
    if (predictor == 1 || bits < ranked_bits) {
      ranked = predictor;
      ranked_bits = bits;
    }
  }
  if (ranked <= 2) return {1, 2};
  return {1, 2, ranked};
}

// The frame of `raw` in the body's form: the best of the fast and the deep
// search for bare frames (the deep one only pays on counters and steps).
Result<std::string> Frame(std::string_view raw, ZstdBodyForm form, BareZstdCompressor* bare) {
  if (form == ZstdBodyForm::kStandard) return ZstdCompress(raw, kZstdLevel);
  Result<std::string> fast = bare->Compress(raw, BareZstdEffort::kFast);
  if (!fast.ok()) return fast;
  Result<std::string> deep = bare->Compress(raw, BareZstdEffort::kDeep);
  if (!deep.ok() || deep->size() >= fast->size()) return fast;
  return deep;
}

}  // namespace

std::optional<std::string> EncodeZstdBody(std::span<const SamplePoint> samples, int exponent,
                                          std::span<const int64_t> mantissas, ZstdBodyForm form,
                                          int predictor) {
  const TimestampForm ts_form =
      Regular(samples) ? TimestampForm::kRegular : TimestampForm::kStream;
  const std::string timestamps = ts_form == TimestampForm::kRegular ? "" : Timestamps(samples);
  std::optional<std::string> best;
  BareZstdCompressor bare;
  for (int candidate :
       predictor == 0 ? Candidates(mantissas, form) : std::vector<int>{predictor}) {
    std::string raw = timestamps;
    AppendValues(mantissas, candidate, &raw);
    const Result<std::string> frame = Frame(raw, form, &bare);
    if (!frame.ok()) return std::nullopt;
    std::string body;
    body.push_back(static_cast<char>(candidate));
    body.push_back(static_cast<char>(exponent));
    body.push_back(static_cast<char>(ts_form));
    PutVarint(&body, raw.size());
    body += *frame;
    if (!best || body.size() < best->size()) best = std::move(body);
  }
  return best;
}

Status DecodeZstdBody(const ChunkSummary& summary, std::string_view body, ZstdBodyForm body_form,
                      SamplePoint* out) {
  if (body.size() < 3) return Invalid("truncated decimal-zstd body");
  const auto predictor = static_cast<uint8_t>(body[0]);
  const auto e = static_cast<uint8_t>(body[1]);
  const auto form = static_cast<uint8_t>(body[2]);
  if (!chunk_predict::Known(predictor, body_form == ZstdBodyForm::kBare)) {
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
  const Result<std::string> raw = body_form == ZstdBodyForm::kBare
                                      ? BareZstdDecompress(body.substr(pos), raw_size)
                                      : ZstdDecompress(body.substr(pos), raw_size);
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
