#include "aggregator/storage/chunk_codec.h"

#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cassert>
#include <cmath>
#include <cstddef>
#include <limits>
#include <optional>

#include "aggregator/storage/chunk_bits.h"
#include "aggregator/storage/chunk_format.h"
#include "aggregator/storage/chunk_zstd.h"

namespace wattline::aggregator {
namespace {

using chunk_bits::BitReader;
using chunk_bits::BitWidth;
using chunk_bits::BitWriter;
using chunk_bits::UnZigZag;
using chunk_bits::ZigZag;
using chunk_format::Delta;
using chunk_format::Invalid;
using chunk_format::kLastEncoding;
using chunk_format::kMaxDecimalExponent;
using chunk_format::kPow10;
using chunk_format::kVersion;
using chunk_format::ValueEncoding;
// Mantissas are kept within the doubles' exact integers, so the decoder's
// m / 10^e is one correctly rounded division: the same double strtod gives
// for the decimal text.
constexpr double kMaxExactMantissa = 9007199254740992.0;  // 2^53

// Integers bit-packed in blocks of this many, each block at the width of its
// widest member: a step in the data widens one block, not the chunk.
constexpr uint32_t kBlock = 64;

// Below this many samples the zstd frame's own bytes outweigh what its
// entropy coding saves, and the ingest log's small chunks skip its cost.
constexpr size_t kMinZstdSamples = 64;

// Counts bits instead of writing them, so the encoder sizes every candidate
// value encoding with the code that writes it.
struct BitCounter {
  uint64_t count = 0;
  void Write(uint64_t /*v*/, int n) { count += static_cast<uint64_t>(n); }
};

uint64_t Bits(double v) { return std::bit_cast<uint64_t>(v); }

bool FitsSigned(int64_t v, int bits) {
  const int64_t half = int64_t{1} << (bits - 1);
  return v >= -half && v < half;
}

// A width (7 bits, 0..64) then that many bits: the format's "uvar".
template <typename Sink>
void WriteUvar(Sink* w, uint64_t v) {
  const int width = BitWidth(v);
  w->Write(static_cast<uint64_t>(width), 7);
  w->Write(v, width);
}

// Timestamps: the first is the header's minimum; then the first delta as a
// uvar, then the deltas-of-delta in blocks of kBlock: a 0 bit for a block of
// zeros (a steady interval costs 1 bit per 64 samples), or a 1 bit and each
// dod in the Gorilla paper's buckets (section 4.1.1; its 32-bit last bucket
// widened to 64). Arithmetic is modulo 2^64, so any int64 span is exact.
struct DodBucket {
  uint64_t prefix;
  int prefix_bits;
  int value_bits;
};
constexpr DodBucket kDodBuckets[] = {{0b10, 2, 7}, {0b110, 3, 9}, {0b1110, 4, 12},
                                     {0b1111, 4, 64}};

template <typename Sink>
void WriteDod(int64_t dod, Sink* w) {
  if (dod == 0) {
    w->Write(0, 1);
    return;
  }
  for (const DodBucket& bucket : kDodBuckets) {
    if (bucket.value_bits == 64 || FitsSigned(dod, bucket.value_bits)) {
      w->Write(bucket.prefix, bucket.prefix_bits);
      const uint64_t mask =
          bucket.value_bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bucket.value_bits) - 1;
      w->Write(static_cast<uint64_t>(dod) & mask, bucket.value_bits);
      return;
    }
  }
}

template <typename Sink>
void EncodeTimestamps(std::span<const SamplePoint> samples, Sink* w) {
  if (samples.size() < 2) return;
  WriteUvar(w, Delta(samples, 1));
  for (size_t start = 2; start < samples.size(); start += kBlock) {
    const size_t end = std::min<size_t>(start + kBlock, samples.size());
    bool steady = true;
    for (size_t i = start; i < end && steady; ++i) steady = Delta(samples, i) == Delta(samples, i - 1);
    w->Write(steady ? 0 : 1, 1);
    if (steady) continue;
    for (size_t i = start; i < end; ++i) {
      WriteDod(static_cast<int64_t>(Delta(samples, i) - Delta(samples, i - 1)), w);
    }
  }
}

// Gorilla's XOR encoding (Pelkonen et al., VLDB 2015, section 4.1.2).
template <typename Sink>
void EncodeGorilla(std::span<const SamplePoint> samples, Sink* w) {
  uint64_t prev = Bits(samples[0].value);
  w->Write(prev, 64);
  int lead = -1;  // no window yet
  int trail = 0;
  for (size_t i = 1; i < samples.size(); ++i) {
    const uint64_t bits = Bits(samples[i].value);
    const uint64_t x = bits ^ prev;
    prev = bits;
    if (x == 0) {
      w->Write(0, 1);
      continue;
    }
    const int l = std::min(std::countl_zero(x), 31);  // 5 bits hold it
    const int t = std::countr_zero(x);
    if (lead >= 0 && l >= lead && t >= trail) {
      w->Write(0b10, 2);
      w->Write(x >> trail, 64 - lead - trail);
      continue;
    }
    lead = l;
    trail = t;
    const int significant = 64 - l - t;
    w->Write(0b11, 2);
    w->Write(static_cast<uint64_t>(l), 5);
    w->Write(static_cast<uint64_t>(significant & 63), 6);  // 64 is written as 0
    w->Write(x >> t, significant);
  }
}

template <typename Sink>
void WriteBlocks(const std::vector<uint64_t>& zigzags, Sink* w) {
  for (size_t start = 0; start < zigzags.size(); start += kBlock) {
    const size_t end = std::min<size_t>(start + kBlock, zigzags.size());
    uint64_t all = 0;
    for (size_t i = start; i < end; ++i) all |= zigzags[i];
    const int width = BitWidth(all);
    w->Write(static_cast<uint64_t>(width), 7);
    for (size_t i = start; i < end; ++i) w->Write(zigzags[i], width);
  }
}

// Scaled integers m (value = m / 10^e) and their differences of first or
// second order, ready to be written.
struct Decimal {
  int exponent = 0;
  std::vector<int64_t> mantissas;
};

// m with m / 10^e == v bit for bit, if there is one.
std::optional<int64_t> Mantissa(double v, int e) {
  const double scaled = v * kPow10[e];
  if (!(std::fabs(scaled) <= kMaxExactMantissa)) return std::nullopt;  // also NaN, inf
  const int64_t m = std::llround(scaled);
  if (Bits(static_cast<double>(m) / kPow10[e]) != Bits(v)) return std::nullopt;  // -0.0 too
  return m;
}

std::optional<Decimal> ToDecimal(std::span<const SamplePoint> samples) {
  // A value exact at 10^e is exact at every larger exponent (the same
  // rational rounds to the same double), so the smallest common exponent is
  // the largest of the values' own.
  int e = 0;
  for (const SamplePoint& s : samples) {
    while (!Mantissa(s.value, e)) {
      if (++e > kMaxDecimalExponent) return std::nullopt;
    }
  }
  Decimal decimal{e, {}};
  decimal.mantissas.reserve(samples.size());
  for (const SamplePoint& s : samples) {
    const std::optional<int64_t> m = Mantissa(s.value, e);
    if (!m) return std::nullopt;  // only if the value near 2^53 rounds badly when scaled
    decimal.mantissas.push_back(*m);
  }
  return decimal;
}

// |m| <= 2^53, so the differences cannot overflow.
std::vector<uint64_t> Differences(const std::vector<int64_t>& m, size_t from, int order) {
  std::vector<uint64_t> out;
  for (size_t i = from; i < m.size(); ++i) {
    const int64_t d = m[i] - m[i - 1];
    out.push_back(ZigZag(order == 1 ? d : d - (m[i - 1] - m[i - 2])));
  }
  return out;
}

template <typename Sink>
void EncodeDecimal(const Decimal& decimal, ValueEncoding encoding, Sink* w) {
  const std::vector<int64_t>& m = decimal.mantissas;
  w->Write(static_cast<uint64_t>(decimal.exponent), 4);
  WriteUvar(w, ZigZag(m[0]));
  if (encoding == ValueEncoding::kDecimalDelta) {
    WriteBlocks(Differences(m, 1, 1), w);
  } else if (m.size() >= 2) {
    WriteUvar(w, ZigZag(m[1] - m[0]));
    WriteBlocks(Differences(m, 2, 2), w);
  }
}

template <typename Sink>
void EncodeValues(std::span<const SamplePoint> samples, const std::optional<Decimal>& decimal,
                  ValueEncoding encoding, Sink* w) {
  if (encoding == ValueEncoding::kGorilla) {
    EncodeGorilla(samples, w);
  } else {
    EncodeDecimal(*decimal, encoding, w);
  }
}

struct Header {
  ValueEncoding encoding = ValueEncoding::kGorilla;
  ChunkSummary summary;
  size_t body_offset = 0;
};

Result<Header> ParseHeader(std::string_view chunk) {
  if (chunk.empty()) return Invalid("empty");
  const auto tag = static_cast<uint8_t>(chunk[0]);
  if (tag >> 4 != kVersion) return Invalid("unsupported version " + std::to_string(tag >> 4));
  if ((tag & 0x0f) > kLastEncoding) {
    return Invalid("unknown value encoding " + std::to_string(tag & 0x0f));
  }
  Header h;
  h.encoding = static_cast<ValueEncoding>(tag & 0x0f);
  size_t pos = 1;
  uint64_t count = 0;
  uint64_t min_zigzag = 0;
  uint64_t span = 0;
  if (!chunk_bits::GetVarint(chunk, &pos, &count) ||
      !chunk_bits::GetVarint(chunk, &pos, &min_zigzag) ||
      !chunk_bits::GetVarint(chunk, &pos, &span)) {
    return Invalid("truncated header");
  }
  if (count == 0 || count > kMaxChunkSamples) {
    return Invalid("sample count " + std::to_string(count) + " outside 1.." +
                   std::to_string(kMaxChunkSamples));
  }
  const int64_t min = UnZigZag(min_zigzag);
  if (span > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) -
                 static_cast<uint64_t>(min)) {
    return Invalid("maximum timestamp beyond int64");
  }
  // Strictly increasing whole milliseconds: n samples span at least n - 1.
  if (span < count - 1 || (count == 1 && span != 0)) {
    return Invalid("time span " + std::to_string(span) + " ms impossible for " +
                   std::to_string(count) + " samples");
  }
  // Every kBlock samples cost at least a block flag of timestamps and a
  // block width of values (or a bit each for XOR), 8 bits: a body of fewer
  // than count / 64 bytes is truncated. (The encoder keeps a decimal-zstd
  // body that small bit-packed instead.) Refusing it here bounds what the
  // decoder allocates (16 bytes a sample) by 1024 times the input's size.
  if ((chunk.size() - pos) * 64 < count) {
    return Invalid(std::to_string(chunk.size() - pos) + " body bytes too few for " +
                   std::to_string(count) + " samples");
  }
  h.summary.samples = static_cast<uint32_t>(count);
  h.summary.min_timestamp_ms = min;
  h.summary.max_timestamp_ms = static_cast<int64_t>(static_cast<uint64_t>(min) + span);
  h.body_offset = pos;
  return h;
}

bool ReadUvar(BitReader* r, uint64_t* v) {
  const auto width = static_cast<int>(r->ReadShort(7));
  if (width > 64) return false;
  *v = r->Read(width);
  return true;
}

// The next delta-of-delta, from one peek when it is not 64 bits wide. The
// buckets are spelled out rather than read from kDodBuckets: this is the
// decoder's hottest loop on jittery timestamps, and the branches predict.
int64_t ReadDod(BitReader* r) {
  const uint64_t peek = r->Peek();
  static_assert(kDodBuckets[0].value_bits == 7 && kDodBuckets[1].value_bits == 9 &&
                kDodBuckets[2].value_bits == 12 && kDodBuckets[3].value_bits == 64);
  if ((peek >> 63) == 0) {
    r->Skip(1);
    return 0;
  }
  if ((peek >> 62 & 1) == 0) {
    r->Skip(2 + 7);
    return static_cast<int64_t>(peek << 2) >> (64 - 7);  // sign-extends the field
  }
  if ((peek >> 61 & 1) == 0) {
    r->Skip(3 + 9);
    return static_cast<int64_t>(peek << 3) >> (64 - 9);
  }
  if ((peek >> 60 & 1) == 0) {
    r->Skip(4 + 12);
    return static_cast<int64_t>(peek << 4) >> (64 - 12);
  }
  r->Skip(4);
  return static_cast<int64_t>(r->Read(64));
}

Status DecodeTimestamps(const ChunkSummary& summary, BitReader* r, SamplePoint* out) {
  int64_t ts = summary.min_timestamp_ms;
  out[0].timestamp_ms = ts;
  uint64_t delta = 0;
  if (summary.samples >= 2 && !ReadUvar(r, &delta)) return Invalid("first delta wider than 64 bits");
  const uint32_t n = summary.samples;
  for (uint32_t i = 1; i < n;) {
    uint32_t end = i + 1;  // the first delta stands alone; then blocks of dods
    bool steady = true;
    if (i >= 2) {
      end = std::min(i + kBlock, n);
      steady = r->ReadShort(1) == 0;
    }
    for (; i < end; ++i) {
      if (!steady) delta += static_cast<uint64_t>(ReadDod(r));
      if (!chunk_format::Advance(&ts, delta)) {
        if (r->overrun()) return Invalid("truncated timestamps");
        return Invalid("timestamps not strictly increasing at sample " + std::to_string(i));
      }
      out[i].timestamp_ms = ts;
    }
  }
  if (r->overrun()) return Invalid("truncated timestamps");
  if (ts != summary.max_timestamp_ms) {
    return Invalid("last timestamp " + std::to_string(ts) + " is not the header's maximum " +
                   std::to_string(summary.max_timestamp_ms));
  }
  return Status::Ok();
}

Status DecodeGorilla(uint32_t n, BitReader* r, SamplePoint* out) {
  uint64_t prev = r->Read(64);
  out[0].value = std::bit_cast<double>(prev);
  int lead = 0;
  int significant = 64;
  for (uint32_t i = 1; i < n; ++i) {
    const uint64_t peek = r->Peek();
    if ((peek >> 63) == 0) {
      r->Skip(1);
    } else {
      if (((peek >> 62) & 1) == 0) {
        r->Skip(2);
      } else {
        lead = static_cast<int>((peek >> 57) & 31);
        significant = static_cast<int>((peek >> 51) & 63);
        if (significant == 0) significant = 64;
        if (lead + significant > 64) {
          return Invalid("XOR window of " + std::to_string(lead) + "+" +
                         std::to_string(significant) + " bits at sample " + std::to_string(i));
        }
        r->Skip(13);
      }
      prev ^= r->Read(significant) << (64 - lead - significant);
    }
    out[i].value = std::bit_cast<double>(prev);
  }
  return Status::Ok();
}

// Calls on_value(i, zigzag) for i in [first, n), block by block.
template <typename F>
Status ReadBlocks(uint32_t first, uint32_t n, BitReader* r, F on_value) {
  for (uint32_t start = first; start < n; start += kBlock) {
    const uint32_t end = std::min(start + kBlock, n);
    const auto width = static_cast<int>(r->ReadShort(7));
    if (width > 64) return Invalid("block width " + std::to_string(width) + " over 64");
    if (width == 0) {
      for (uint32_t i = start; i < end; ++i) on_value(i, 0);
    } else if (width <= 57) {
      for (uint32_t i = start; i < end; ++i) on_value(i, r->ReadShort(width));
    } else {
      for (uint32_t i = start; i < end; ++i) on_value(i, r->Read(width));
    }
  }
  return Status::Ok();
}

Status DecodeDecimal(ValueEncoding encoding, uint32_t n, BitReader* r, SamplePoint* out) {
  const auto e = static_cast<int>(r->ReadShort(4));
  if (e > kMaxDecimalExponent) return Invalid("decimal exponent " + std::to_string(e) + " over 9");
  const double scale = kPow10[e];
  uint64_t m = 0;  // modulo 2^64: a damaged chunk wraps instead of overflowing
  if (!ReadUvar(r, &m)) return Invalid("first mantissa wider than 64 bits");
  m = static_cast<uint64_t>(UnZigZag(m));
  out[0].value = chunk_format::DecimalValue(m, scale);
  if (encoding == ValueEncoding::kDecimalDelta) {
    return ReadBlocks(1, n, r, [&](uint32_t i, uint64_t zigzag) {
      m += static_cast<uint64_t>(UnZigZag(zigzag));
      out[i].value = chunk_format::DecimalValue(m, scale);
    });
  }
  if (n < 2) return Status::Ok();
  uint64_t delta = 0;
  if (!ReadUvar(r, &delta)) return Invalid("first mantissa delta wider than 64 bits");
  delta = static_cast<uint64_t>(UnZigZag(delta));
  m += delta;
  out[1].value = chunk_format::DecimalValue(m, scale);
  return ReadBlocks(2, n, r, [&](uint32_t i, uint64_t zigzag) {
    delta += static_cast<uint64_t>(UnZigZag(zigzag));
    m += delta;
    out[i].value = chunk_format::DecimalValue(m, scale);
  });
}

Status DecodeBody(const Header& h, std::string_view body, SamplePoint* out) {
  if (h.encoding == ValueEncoding::kDecimalZstd) {
    return DecodeZstdBody(h.summary, body, ZstdBodyForm::kStandard, out);
  }
  if (h.encoding == ValueEncoding::kDecimalZstdBare) {
    return DecodeZstdBody(h.summary, body, ZstdBodyForm::kBare, out);
  }
  BitReader r(body);
  WATTLINE_RETURN_IF_ERROR(DecodeTimestamps(h.summary, &r, out));
  if (h.encoding == ValueEncoding::kGorilla) {
    WATTLINE_RETURN_IF_ERROR(DecodeGorilla(h.summary.samples, &r, out));
  } else {
    WATTLINE_RETURN_IF_ERROR(DecodeDecimal(h.encoding, h.summary.samples, &r, out));
  }
  if (r.overrun()) return Invalid("truncated values");
  if (r.bytes_left() != 0) return Invalid(std::to_string(r.bytes_left()) + " trailing bytes");
  if (!r.padding_is_zero()) return Invalid("non-zero padding bits");
  return Status::Ok();
}

}  // namespace

std::string EncodeChunk(std::span<const SamplePoint> samples, ChunkEffort effort) {
  assert(!samples.empty() && samples.size() <= kMaxChunkSamples);
  assert(std::adjacent_find(samples.begin(), samples.end(), [](const auto& a, const auto& b) {
           return a.timestamp_ms >= b.timestamp_ms;
         }) == samples.end());

  const std::optional<Decimal> decimal = ToDecimal(samples);
  ValueEncoding best = ValueEncoding::kGorilla;
  BitCounter gorilla;
  EncodeGorilla(samples, &gorilla);
  uint64_t best_bits = gorilla.count;
  if (decimal) {
    for (ValueEncoding candidate :
         {ValueEncoding::kDecimalDelta, ValueEncoding::kDecimalDeltaOfDelta}) {
      BitCounter counter;
      EncodeDecimal(*decimal, candidate, &counter);
      if (counter.count < best_bits) {
        best = candidate;
        best_bits = counter.count;
      }
    }
  }

  std::string out;
  out.push_back(static_cast<char>(kVersion << 4 | static_cast<int>(best)));
  chunk_bits::PutVarint(&out, samples.size());
  chunk_bits::PutVarint(&out, ZigZag(samples.front().timestamp_ms));
  chunk_bits::PutVarint(&out, static_cast<uint64_t>(samples.back().timestamp_ms) -
                                  static_cast<uint64_t>(samples.front().timestamp_ms));
  if (effort == ChunkEffort::kSmallest && decimal && samples.size() >= kMinZstdSamples) {
    BitCounter timestamps;
    EncodeTimestamps(samples, &timestamps);
    const uint64_t packed_bytes = (timestamps.count + best_bits + 7) / 8;
    std::optional<std::string> body =
        EncodeZstdBody(samples, decimal->exponent, decimal->mantissas, ZstdBodyForm::kBare);
    // The decoder refuses bodies under a byte per 64 samples before it
    // allocates (ParseHeader); bit packing always takes more.
    if (body && body->size() < packed_bytes && body->size() * 64 >= samples.size()) {
      out[0] =
          static_cast<char>(kVersion << 4 | static_cast<int>(ValueEncoding::kDecimalZstdBare));
      out += *body;
      return out;
    }
  }
  BitWriter w(&out);
  EncodeTimestamps(samples, &w);
  EncodeValues(samples, decimal, best, &w);
  w.Finish();
  return out;
}

Status DecodeChunk(std::string_view chunk, std::vector<SamplePoint>* out) {
  Result<Header> header = ParseHeader(chunk);
  if (!header.ok()) return header.status();
  const size_t base = out->size();
  out->resize(base + header->summary.samples);
  Status status = DecodeBody(*header, chunk.substr(header->body_offset), out->data() + base);
  if (!status.ok()) out->resize(base);  // nothing appended on failure
  return status;
}

Result<ChunkSummary> SummarizeChunk(std::string_view chunk) {
  Result<Header> header = ParseHeader(chunk);
  if (!header.ok()) return header.status();
  return header->summary;
}

uint32_t ChunkChecksum(std::string_view chunk) {
  uLong crc = crc32(0L, Z_NULL, 0);
  // crc32_z takes a size_t length: chunks over 4 GiB are not possible, but
  // the call does not need to know that.
  crc = crc32_z(crc, reinterpret_cast<const Bytef*>(chunk.data()), chunk.size());
  return static_cast<uint32_t>(crc);
}

}  // namespace wattline::aggregator
