#include "aggregator/storage/chunk_codec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "aggregator/storage/chunk_bits.h"
#include "aggregator/storage/chunk_predict.h"
#include "aggregator/storage/chunk_zstd.h"
#include "aggregator/storage/chunk_zstd_frame.h"
#include "common/zstd_frame.h"

namespace wattline::aggregator {
namespace {

constexpr int64_t kStart = 1764633600000;  // 2025-12-02T00:00:00Z
constexpr double kStale = std::bit_cast<double>(uint64_t{0x7ff0000000000002});

// The chunk's value encoding, the low nibble of its first byte (chunk.md).
int EncodingOf(const std::string& chunk) { return static_cast<uint8_t>(chunk[0]) & 0x0f; }

std::vector<SamplePoint> Regular(const std::vector<double>& values, int64_t step_ms = 1000) {
  std::vector<SamplePoint> out;
  for (size_t i = 0; i < values.size(); ++i) {
    out.push_back({kStart + static_cast<int64_t>(i) * step_ms, values[i]});
  }
  return out;
}

// Bit-exact comparison: NaN payloads and -0.0 count, which == would not see.
void ExpectRoundTrip(const std::vector<SamplePoint>& samples) {
  const std::string chunk = EncodeChunk(samples);
  std::vector<SamplePoint> decoded;
  const Status status = DecodeChunk(chunk, &decoded);
  ASSERT_TRUE(status.ok()) << status.ToString();
  ASSERT_EQ(decoded.size(), samples.size());
  for (size_t i = 0; i < samples.size(); ++i) {
    ASSERT_EQ(decoded[i].timestamp_ms, samples[i].timestamp_ms) << "sample " << i;
    ASSERT_EQ(std::bit_cast<uint64_t>(decoded[i].value), std::bit_cast<uint64_t>(samples[i].value))
        << "sample " << i << ": " << decoded[i].value << " != " << samples[i].value;
  }
  const Result<ChunkSummary> summary = SummarizeChunk(chunk);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->samples, samples.size());
  EXPECT_EQ(summary->min_timestamp_ms, samples.front().timestamp_ms);
  EXPECT_EQ(summary->max_timestamp_ms, samples.back().timestamp_ms);
}

std::vector<double> Voltage(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> noise(0, 0.4);
  std::vector<double> out;
  for (size_t i = 0; i < n; ++i) out.push_back(std::round((230 + noise(rng)) * 100) / 100);
  return out;
}

TEST(ChunkCodec, RoundTripsSingleSample) {
  for (double v : {0.0, -0.0, 1.5, -230.12, kStale, std::numeric_limits<double>::infinity(),
                   std::numeric_limits<double>::denorm_min()}) {
    ExpectRoundTrip({{kStart, v}});
  }
  ExpectRoundTrip({{std::numeric_limits<int64_t>::min(), 1}});
  ExpectRoundTrip({{std::numeric_limits<int64_t>::max(), 1}});
}

TEST(ChunkCodec, RoundTripsConstantSeries) {
  ExpectRoundTrip(Regular(std::vector<double>(3600, 230.0)));
  ExpectRoundTrip(Regular(std::vector<double>(3600, 0.1)));
  const std::string chunk = EncodeChunk(Regular(std::vector<double>(3600, 230.0)));
  // Steady timestamps and equal values cost a bit per 64 samples each, and
  // a block width per 64: about 60 bytes for the hour.
  EXPECT_LT(chunk.size(), 100u);
}

TEST(ChunkCodec, RoundTripsCountersAndSteps) {
  std::vector<double> counter;
  std::vector<double> steps;
  double wh = 12345678.9;
  for (int i = 0; i < 3600; ++i) {
    wh = std::round((wh + (i % 7) * 0.1) * 10) / 10;
    counter.push_back(wh);
    steps.push_back((i / 300) % 2 == 0 ? 0.25 : 9.875);
  }
  ExpectRoundTrip(Regular(counter));
  ExpectRoundTrip(Regular(steps));
}

TEST(ChunkCodec, RoundTripsNoisyDecimalsOfEveryScale) {
  std::mt19937_64 rng(7);
  for (int e = 0; e <= 9; ++e) {
    std::uniform_int_distribution<int64_t> mantissa(-1000000, 1000000);
    std::vector<double> values;
    for (int i = 0; i < 500; ++i) values.push_back(static_cast<double>(mantissa(rng)) / std::pow(10, e));
    ExpectRoundTrip(Regular(values));
  }
}

TEST(ChunkCodec, KeepsNaNPayloadsAndStaleMarkersBitExact) {
  const double quiet = std::numeric_limits<double>::quiet_NaN();
  const double payload = std::bit_cast<double>(uint64_t{0xfff8dead0000beef});
  ExpectRoundTrip(Regular({230.1, kStale, 230.2, quiet, payload, kStale, kStale, 1.0}));
  EXPECT_EQ(EncodingOf(EncodeChunk(Regular({230.1, kStale}))), 0) << "NaN is not decimal";
}

TEST(ChunkCodec, KeepsNegativeZeroInsteadOfMakingItDecimal) {
  const std::vector<SamplePoint> samples = Regular({1.5, -0.0, 2.5, 0.0});
  ExpectRoundTrip(samples);
  EXPECT_EQ(EncodingOf(EncodeChunk(samples)), 0);
  ExpectRoundTrip(Regular({-0.0, -0.0, -0.0}));
}

TEST(ChunkCodec, KeepsInfinitiesSubnormalsAndExtremes) {
  const double inf = std::numeric_limits<double>::infinity();
  ExpectRoundTrip(Regular({inf, -inf, std::numeric_limits<double>::denorm_min(),
                           -std::numeric_limits<double>::denorm_min(),
                           std::numeric_limits<double>::max(), std::numeric_limits<double>::lowest(),
                           std::numeric_limits<double>::min(), 1e300, 9007199254740993.0}));
}

TEST(ChunkCodec, RoundTripsRandomBitPatterns) {
  std::mt19937_64 rng(42);
  std::vector<SamplePoint> samples;
  for (int i = 0; i < 2000; ++i) samples.push_back({kStart + i, std::bit_cast<double>(rng())});
  ExpectRoundTrip(samples);
}

TEST(ChunkCodec, RoundTripsHugeIrregularAndNegativeTimestamps) {
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  ExpectRoundTrip({{kMin, 1}, {kMax, 2}});  // a span of 2^64 - 1
  ExpectRoundTrip({{kMin, 1}, {kMin + 1, 2}, {kMax - 1, 3}, {kMax, 4}});
  ExpectRoundTrip({{-5000, 1}, {-4000, 2}, {-1, 3}, {0, 4}, {1, 5}, {1000000000000000, 6}});
  std::mt19937_64 rng(3);
  std::vector<SamplePoint> irregular;
  int64_t ts = -86400000;
  for (int i = 0; i < 5000; ++i) {
    // Mostly 1 s with jitter, some gaps of up to days, some of 1 ms: every
    // delta-of-delta bucket.
    const uint64_t kind = rng() % 10;
    ts += kind == 0 ? 1 + static_cast<int64_t>(rng() % 400000000) : kind == 1 ? 1 : 995 + static_cast<int64_t>(rng() % 11);
    irregular.push_back({ts, static_cast<double>(i)});
  }
  ExpectRoundTrip(irregular);
}

TEST(ChunkCodec, RoundTripsMaxChunkSamples) {
  std::vector<SamplePoint> samples;
  samples.reserve(kMaxChunkSamples);
  for (uint32_t i = 0; i < kMaxChunkSamples; ++i) {
    samples.push_back({kStart + int64_t{i} * 1000, static_cast<double>(i % 1000) / 10});
  }
  ExpectRoundTrip(samples);
}

TEST(ChunkCodec, ChoosesDecimalForDecimalDataAndIsSmaller) {
  const std::vector<SamplePoint> decimal = Regular(Voltage(3600, 1));
  std::vector<SamplePoint> off_by_an_ulp = decimal;
  for (SamplePoint& s : off_by_an_ulp) s.value = std::nextafter(s.value, 1e9);
  const std::string decimal_chunk = EncodeChunk(decimal);
  const std::string gorilla_chunk = EncodeChunk(off_by_an_ulp);
  EXPECT_NE(EncodingOf(decimal_chunk), 0);
  EXPECT_EQ(EncodingOf(gorilla_chunk), 0);
  EXPECT_LT(decimal_chunk.size() * 2, gorilla_chunk.size());
  ExpectRoundTrip(decimal);
  ExpectRoundTrip(off_by_an_ulp);
}

TEST(ChunkCodec, ChoosesDeltaOfDeltaForSteadyRamps) {
  std::vector<double> ramp;
  for (int i = 0; i < 600; ++i) ramp.push_back(1000.0 + i * 0.5);
  EXPECT_EQ(EncodingOf(EncodeChunk(Regular(ramp))), 2);
}

TEST(ChunkCodec, AppendsToExistingOutput) {
  std::vector<SamplePoint> out = {{1, 1}};
  ASSERT_TRUE(DecodeChunk(EncodeChunk(Regular({2.5, 3.5})), &out).ok());
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0], (SamplePoint{1, 1}));
  EXPECT_EQ(out[2], (SamplePoint{kStart + 1000, 3.5}));
}

// A chunk built field by field (docs/formats/chunk.md), to damage one field.
std::string Craft(uint8_t tag, uint64_t count, int64_t min, uint64_t span,
                  const std::function<void(chunk_bits::BitWriter*)>& body) {
  std::string out(1, static_cast<char>(tag));
  chunk_bits::PutVarint(&out, count);
  chunk_bits::PutVarint(&out, chunk_bits::ZigZag(min));
  chunk_bits::PutVarint(&out, span);
  chunk_bits::BitWriter w(&out);
  body(&w);
  w.Finish();
  return out;
}

void ExpectRejected(const std::string& chunk, const std::string& reason) {
  std::vector<SamplePoint> out = {{7, 7}};
  const Status status = DecodeChunk(chunk, &out);
  EXPECT_EQ(status.code(), Status::Code::kInvalidArgument) << status.ToString();
  EXPECT_NE(status.message().find(reason), std::string::npos) << status.message();
  EXPECT_EQ(out.size(), 1u) << "a failed decode appends nothing";
}

// Two gorilla samples (stale markers: not decimal) with the given first
// delta, as EncodeChunk writes them.
auto TwoSamples(uint64_t delta) {
  return [delta](chunk_bits::BitWriter* w) {
    w->Write(static_cast<uint64_t>(chunk_bits::BitWidth(delta)), 7);
    w->Write(delta, chunk_bits::BitWidth(delta));
    w->Write(std::bit_cast<uint64_t>(kStale), 64);
    w->Write(0, 1);
  };
}

TEST(ChunkCodec, CraftedChunkDecodes) {
  // Guards the tests below: the crafted layout is the real one.
  std::vector<SamplePoint> out;
  ASSERT_TRUE(DecodeChunk(Craft(0x10, 2, 5, 1, TwoSamples(1)), &out).ok());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].timestamp_ms, 6);
  EXPECT_EQ(std::bit_cast<uint64_t>(out[1].value), std::bit_cast<uint64_t>(kStale));
  EXPECT_EQ(Craft(0x10, 2, 5, 1, TwoSamples(1)), EncodeChunk(out));
}

TEST(ChunkCodec, RejectsEmptyAndTruncatedHeaders) {
  ExpectRejected("", "empty");
  ExpectRejected(std::string(1, '\x10'), "truncated header");
  ExpectRejected(std::string("\x10\x02\x80", 3), "truncated header");
}

TEST(ChunkCodec, RejectsUnknownVersionAndEncoding) {
  std::string chunk = EncodeChunk(Regular({1.0, 2.0}));
  chunk[0] = static_cast<char>(0x20 | (chunk[0] & 0x0f));
  ExpectRejected(chunk, "unsupported version 2");
  chunk[0] = 0x15;
  ExpectRejected(chunk, "unknown value encoding 5");
  EXPECT_FALSE(SummarizeChunk(chunk).ok());
}

TEST(ChunkCodec, RejectsImplausibleCountsBeforeAllocating) {
  ExpectRejected(Craft(0x10, 0, 5, 0, TwoSamples(1)), "sample count 0");
  ExpectRejected(Craft(0x10, kMaxChunkSamples + 1, 5, kMaxChunkSamples, TwoSamples(1)),
                 "sample count 1048577");
  ExpectRejected(Craft(0x10, kMaxChunkSamples, 5, kMaxChunkSamples, TwoSamples(1)),
                 "too few for 1048576 samples");
}

TEST(ChunkCodec, RejectsImpossibleTimeSpans) {
  ExpectRejected(Craft(0x10, 3, 5, 1, TwoSamples(1)), "impossible for 3 samples");
  ExpectRejected(Craft(0x10, 1, 5, 1, TwoSamples(1)), "impossible for 1 samples");
  ExpectRejected(Craft(0x10, 2, std::numeric_limits<int64_t>::max(), 1, TwoSamples(1)),
                 "beyond int64");
  ExpectRejected(Craft(0x10, 2, 5, 9, TwoSamples(1)), "not the header's maximum");
}

TEST(ChunkCodec, RejectsNonIncreasingTimestamps) {
  ExpectRejected(Craft(0x10, 2, 5, 1, TwoSamples(0)), "not strictly increasing at sample 1");
  // A delta that wraps past INT64_MAX is not an increase either.
  ExpectRejected(Craft(0x10, 2, 5, 1, TwoSamples(std::numeric_limits<uint64_t>::max())),
                 "not strictly increasing");
  // Third sample: delta 1 then delta-of-delta -1.
  ExpectRejected(Craft(0x10, 3, 5, 2,
                       [](chunk_bits::BitWriter* w) {
                         w->Write(1, 7);
                         w->Write(1, 1);
                         w->Write(1, 1);  // a block of dods follows
                         w->Write(0b10, 2);
                         w->Write(0x7f, 7);  // -1
                         w->Write(0, 64);
                         w->Write(0, 2);
                       }),
                 "not strictly increasing at sample 2");
}

TEST(ChunkCodec, RejectsEveryTruncation) {
  const std::string chunk = EncodeChunk(Regular(Voltage(300, 3)));
  for (size_t size = 0; size < chunk.size(); ++size) {
    std::vector<SamplePoint> out;
    EXPECT_FALSE(DecodeChunk(chunk.substr(0, size), &out).ok()) << "prefix of " << size;
  }
  const std::string gorilla = EncodeChunk(Regular({kStale, 1.25e-300, 3.0, kStale}));
  for (size_t size = 0; size < gorilla.size(); ++size) {
    std::vector<SamplePoint> out;
    EXPECT_FALSE(DecodeChunk(gorilla.substr(0, size), &out).ok()) << "prefix of " << size;
  }
}

TEST(ChunkCodec, RejectsTrailingBytesAndPadding) {
  const std::string chunk = EncodeChunk(Regular({1.0, 2.0, 4.0}));
  ExpectRejected(chunk + '\0', "1 trailing bytes");
  ExpectRejected(Craft(0x10, 2, 5, 1,
                       [](chunk_bits::BitWriter* w) {
                         TwoSamples(1)(w);
                         w->Write(1, 1);  // a set padding bit
                       }),
                 "non-zero padding");
}

TEST(ChunkCodec, RejectsOutOfRangeFields) {
  ExpectRejected(Craft(0x10, 2, 5, 1,
                       [](chunk_bits::BitWriter* w) {
                         w->Write(65, 7);  // first delta 65 bits wide
                         w->Write(0, 64);
                         w->Write(0, 64);
                       }),
                 "first delta wider than 64 bits");
  ExpectRejected(Craft(0x10, 2, 5, 1,
                       [](chunk_bits::BitWriter* w) {
                         w->Write(1, 7);
                         w->Write(1, 1);
                         w->Write(0, 64);
                         w->Write(0b11, 2);
                         w->Write(31, 5);  // leading zeros 31 + 40 significant bits
                         w->Write(40, 6);
                         w->Write(0, 40);
                       }),
                 "XOR window");
  ExpectRejected(Craft(0x11, 2, 5, 1,
                       [](chunk_bits::BitWriter* w) {
                         w->Write(1, 7);
                         w->Write(1, 1);
                         w->Write(10, 4);  // exponent 10
                         w->Write(0, 7);
                         w->Write(0, 7);
                       }),
                 "decimal exponent 10");
  ExpectRejected(Craft(0x11, 2, 5, 1,
                       [](chunk_bits::BitWriter* w) {
                         w->Write(1, 7);
                         w->Write(1, 1);
                         w->Write(2, 4);
                         w->Write(0, 7);
                         w->Write(100, 7);  // block width 100
                         w->Write(0, 64);
                       }),
                 "block width 100");
}

TEST(ChunkCodec, SummarizesFromTheHeaderAlone) {
  const std::string chunk = EncodeChunk(std::vector<SamplePoint>{{-20, 1.5}, {10, 2.5}, {3000, 3.5}});
  std::string damaged = chunk;
  damaged.back() = static_cast<char>(damaged.back() ^ 0x01);  // padding or value bits
  std::vector<SamplePoint> out;
  const Result<ChunkSummary> summary = SummarizeChunk(damaged);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->samples, 3u);
  EXPECT_EQ(summary->min_timestamp_ms, -20);
  EXPECT_EQ(summary->max_timestamp_ms, 3000);
  EXPECT_EQ(SummarizeChunk("").status().code(), Status::Code::kInvalidArgument);
}

TEST(ChunkCodec, ChecksumIsZlibCrc32AndSeesAFlippedBit) {
  EXPECT_EQ(ChunkChecksum("123456789"), 0xCBF43926u);  // the CRC-32 check value
  const std::string chunk = EncodeChunk(Regular(Voltage(100, 4)));
  for (size_t bit = 0; bit < chunk.size() * 8; bit += 13) {
    std::string flipped = chunk;
    flipped[bit / 8] = static_cast<char>(flipped[bit / 8] ^ (1 << (bit % 8)));
    EXPECT_NE(ChunkChecksum(flipped), ChunkChecksum(chunk)) << "bit " << bit;
  }
}

// --- decimal-zstd (encoding 3) and decimal-zstd-bare (encoding 4)

constexpr uint8_t kZstdTag = 0x13;
constexpr uint8_t kBareTag = 0x14;

// The chunk of `samples` in the form's encoding with `predictor` (0: the
// encoder's choice), values scaled by 10^e.
std::string ZstdChunk(ZstdBodyForm form, const std::vector<SamplePoint>& samples, int e,
                      int predictor) {
  std::vector<int64_t> mantissas;
  for (const SamplePoint& s : samples) mantissas.push_back(std::llround(s.value * std::pow(10, e)));
  std::string chunk = Craft(form == ZstdBodyForm::kBare ? kBareTag : kZstdTag, samples.size(),
                            samples.front().timestamp_ms,
                            static_cast<uint64_t>(samples.back().timestamp_ms) -
                                static_cast<uint64_t>(samples.front().timestamp_ms),
                            [](chunk_bits::BitWriter*) {});
  const std::optional<std::string> body = EncodeZstdBody(samples, e, mantissas, form, predictor);
  EXPECT_TRUE(body.has_value());
  return chunk + body.value_or("");
}

void ExpectSameSamples(const std::string& chunk, const std::vector<SamplePoint>& samples) {
  std::vector<SamplePoint> decoded;
  const Status status = DecodeChunk(chunk, &decoded);
  ASSERT_TRUE(status.ok()) << status.ToString();
  ASSERT_EQ(decoded.size(), samples.size());
  for (size_t i = 0; i < samples.size(); ++i) {
    ASSERT_EQ(decoded[i].timestamp_ms, samples[i].timestamp_ms) << "sample " << i;
    ASSERT_EQ(std::bit_cast<uint64_t>(decoded[i].value), std::bit_cast<uint64_t>(samples[i].value))
        << "sample " << i;
  }
}

// Every predictor of encoding 4 (chunk_predict.h) but a sample of the
// smoothed ones' weights and restarts, and 0: the encoder's choice.
std::vector<int> BarePredictors() {
  std::vector<int> out = {0, 1, 2, 3, 4, 5, chunk_predict::kTrend};
  for (int weight_shift : {1, 3, 7}) {
    for (int restart_bits : {0, 1, 4, 7}) {
      out.push_back(chunk_predict::kSmoothedBase + 8 * weight_shift + restart_bits);
    }
  }
  return out;
}

TEST(ChunkCodec, DecimalZstdRoundTripsEveryShapeWithEveryPredictor) {
  std::mt19937_64 rng(11);
  struct Shape {
    std::vector<SamplePoint> samples;
    int e;
  };
  std::vector<Shape> shapes = {
      {{{kStart, 230.12}}, 2},
      {{{kStart, -7}}, 0},
      {Regular(std::vector<double>(500, 230.0)), 0},
      {Regular(std::vector<double>(500, 0.1)), 1},
      {Regular(Voltage(3600, 5)), 2},
      {{{std::numeric_limits<int64_t>::min(), 1}, {std::numeric_limits<int64_t>::max(), 2}}, 0},
      {{{std::numeric_limits<int64_t>::min(), 1}, {std::numeric_limits<int64_t>::min() + 1, 2},
        {std::numeric_limits<int64_t>::max() - 1, 3}, {std::numeric_limits<int64_t>::max(), 4}}, 0},
      {{{-5000, 1}, {-4000, 2}, {-1, 3}, {0, 4}, {1, 5}, {1000000000000000, 6}}, 0},
      {Regular({9007199254740992.0, -9007199254740992.0, 0, 9007199254740992.0}), 0},
  };
  std::vector<double> counter;
  std::vector<double> steps;
  double wh = 12345678.9;
  // Short enough that zstd's frame keeps a byte per 64 samples, as the
  // decoder requires (the encoder keeps more compressible ones bit-packed).
  for (int i = 0; i < 700; ++i) {
    wh = std::round((wh + (i % 7) * 0.1) * 10) / 10;
    counter.push_back(wh);
    steps.push_back((i / 300) % 2 == 0 ? 0.25 : 9.875);
  }
  shapes.push_back({Regular(counter), 1});
  shapes.push_back({Regular(steps), 3});
  for (int e = 0; e <= 9; ++e) {
    std::uniform_int_distribution<int64_t> mantissa(-1000000, 1000000);
    std::vector<double> values;
    for (int i = 0; i < 500; ++i) values.push_back(static_cast<double>(mantissa(rng)) / std::pow(10, e));
    shapes.push_back({Regular(values), e});
  }
  std::vector<SamplePoint> irregular;
  int64_t ts = -86400000;
  for (int i = 0; i < 5000; ++i) {
    const uint64_t kind = rng() % 10;
    ts += kind == 0 ? 1 + static_cast<int64_t>(rng() % 400000000)
                    : kind == 1 ? 1 : 995 + static_cast<int64_t>(rng() % 11);
    irregular.push_back({ts, static_cast<double>(i % 977) / 100});
  }
  shapes.push_back({irregular, 2});
  for (size_t shape = 0; shape < shapes.size(); ++shape) {
    // The standard frames of encoding 3, as chunks written before
    // encoding 4 hold them, still decode.
    for (int predictor = 0; predictor <= chunk_predict::kLastMean; ++predictor) {
      SCOPED_TRACE("shape " + std::to_string(shape) + ", encoding 3, predictor " +
                   std::to_string(predictor));
      ExpectSameSamples(
          ZstdChunk(ZstdBodyForm::kStandard, shapes[shape].samples, shapes[shape].e, predictor),
          shapes[shape].samples);
    }
    for (int predictor : BarePredictors()) {
      SCOPED_TRACE("shape " + std::to_string(shape) + ", encoding 4, predictor " +
                   std::to_string(predictor));
      ExpectSameSamples(
          ZstdChunk(ZstdBodyForm::kBare, shapes[shape].samples, shapes[shape].e, predictor),
          shapes[shape].samples);
    }
  }
}

// What decimal-delta (encoding 1) takes for `samples` at scale 10^e, from
// the grammar in docs/formats/chunk.md: the bit-packed layout the decimal-
// zstd encoding has to beat.
size_t DecimalDeltaBytes(const std::vector<SamplePoint>& samples, int e) {
  std::vector<uint64_t> zigzags;
  for (size_t i = 1; i < samples.size(); ++i) {
    zigzags.push_back(chunk_bits::ZigZag(std::llround((samples[i].value - samples[i - 1].value) *
                                                      std::pow(10, e))));
  }
  const uint64_t first_delta = static_cast<uint64_t>(samples[1].timestamp_ms - samples[0].timestamp_ms);
  uint64_t bits = 7 + static_cast<uint64_t>(chunk_bits::BitWidth(first_delta));
  bits += (samples.size() - 2 + 63) / 64;  // steady dod blocks
  bits += 4 + 7 + static_cast<uint64_t>(chunk_bits::BitWidth(chunk_bits::ZigZag(
                      std::llround(samples[0].value * std::pow(10, e)))));
  for (size_t start = 0; start < zigzags.size(); start += 64) {
    uint64_t all = 0;
    const size_t end = std::min(start + 64, zigzags.size());
    for (size_t i = start; i < end; ++i) all |= zigzags[i];
    bits += 7 + (end - start) * static_cast<uint64_t>(chunk_bits::BitWidth(all));
  }
  return 8 + (bits + 7) / 8;  // the header: tag and three varints, 8 bytes here
}

TEST(ChunkCodec, ChoosesDecimalZstdForNoisyDecimalsAndIsSmaller) {
  const std::vector<SamplePoint> voltage = Regular(Voltage(3600, 2));
  const std::string chunk = EncodeChunk(voltage);
  EXPECT_EQ(EncodingOf(chunk), 4);
  EXPECT_LT(chunk.size() * 20, DecimalDeltaBytes(voltage, 2) * 19) << "at least 5% smaller";
  ExpectRoundTrip(voltage);
  // Jittered timestamps go in the zstd stream too.
  std::vector<SamplePoint> jittered = voltage;
  std::mt19937_64 rng(9);
  for (size_t i = 1; i < jittered.size(); ++i) {
    jittered[i].timestamp_ms += static_cast<int64_t>(rng() % 31) - 15;
  }
  EXPECT_EQ(EncodingOf(EncodeChunk(jittered)), 4);
  ExpectRoundTrip(jittered);
}

TEST(ChunkCodec, KeepsSmallChunksBitPacked) {
  // Under 64 samples a zstd frame's own bytes outweigh its gain; the
  // ingest log's chunks are that small.
  EXPECT_LT(EncodingOf(EncodeChunk(Regular(Voltage(63, 4)))), 3);
}

// A decimal-zstd chunk field by field: 3 samples at kStart + 0, 1000, 2000,
// the body's bytes as given.
std::string CraftZstd(const std::string& body, uint64_t count = 3, uint64_t span = 2000) {
  return Craft(kZstdTag, count, kStart, span, [](chunk_bits::BitWriter*) {}) + body;
}

// predictor, e, timestamp form, raw size, then the frame of `raw`.
std::string ZstdBody(uint8_t predictor, uint8_t e, uint8_t form, const std::string& raw,
                     uint64_t raw_size) {
  std::string body{static_cast<char>(predictor), static_cast<char>(e), static_cast<char>(form)};
  chunk_bits::PutVarint(&body, raw_size);
  Result<std::string> frame = ZstdCompress(raw, 1);
  EXPECT_TRUE(frame.ok());
  return frame.ok() ? body + *frame : body;
}

// Values 1.5, 2.5, 3.5 at e = 1 with the previous-value predictor.
const std::string kRaw = {30, 20, 20};

TEST(ChunkCodec, CraftedDecimalZstdChunkDecodes) {
  std::vector<SamplePoint> out;
  const Status status = DecodeChunk(CraftZstd(ZstdBody(1, 1, 0, kRaw, 3)), &out);
  ASSERT_TRUE(status.ok()) << status.ToString();
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[2], (SamplePoint{kStart + 2000, 3.5}));
  // The same with the timestamps in the stream: first delta 1000, dod 0.
  std::string raw;
  chunk_bits::PutVarint(&raw, 1000);
  raw += std::string(1, '\0') + kRaw;
  out.clear();
  ASSERT_TRUE(DecodeChunk(CraftZstd(ZstdBody(1, 1, 1, raw, raw.size())), &out).ok());
  EXPECT_EQ(out[1], (SamplePoint{kStart + 1000, 2.5}));
}

TEST(ChunkCodec, RejectsBadDecimalZstdFields) {
  ExpectRejected(CraftZstd(std::string("\x01\x01", 2)), "truncated decimal-zstd body");
  ExpectRejected(CraftZstd(ZstdBody(0, 1, 0, kRaw, 3)), "predictor 0");
  ExpectRejected(CraftZstd(ZstdBody(6, 1, 0, kRaw, 3)), "predictor 6");
  ExpectRejected(CraftZstd(ZstdBody(1, 10, 0, kRaw, 3)), "decimal exponent 10");
  ExpectRejected(CraftZstd(ZstdBody(1, 1, 2, kRaw, 3)), "timestamp form 2");
  ExpectRejected(CraftZstd(ZstdBody(1, 1, 0, kRaw, 3), 3, 2001), "not a multiple of 2 regular");
}

TEST(ChunkCodec, RejectsBadZstdFrames) {
  std::string chunk = CraftZstd(ZstdBody(1, 1, 0, kRaw, 3));
  std::string bad_magic = chunk;
  bad_magic[chunk.size() - 12] = static_cast<char>(bad_magic[chunk.size() - 12] ^ 0x40);
  std::vector<SamplePoint> out;
  EXPECT_FALSE(DecodeChunk(bad_magic, &out).ok());
  EXPECT_TRUE(out.empty());
  const size_t frame_at = chunk.size() - ZstdCompress(kRaw, 1)->size();
  std::string not_a_frame = chunk;
  not_a_frame[frame_at] = 0;  // the magic number's first byte
  ExpectRejected(not_a_frame, "not a zstd frame");
  ExpectRejected(chunk.substr(0, chunk.size() - 1), "");
  ExpectRejected(chunk + '\0', "trailing bytes after the zstd frame");
}

TEST(ChunkCodec, RejectsZstdSizeMismatches) {
  // The frame declares 3 bytes: more is refused before decompressing, and
  // fewer than the body states is a mismatch.
  ExpectRejected(CraftZstd(ZstdBody(1, 1, 0, kRaw, 2)), "over the limit of 2");
  ExpectRejected(CraftZstd(ZstdBody(1, 1, 0, kRaw, 4)), "holds 3 bytes, not 4");
  ExpectRejected(CraftZstd(ZstdBody(1, 1, 0, kRaw, 61)), "over 20 a sample");
  // The stream itself: a value missing, or bytes left after the last.
  ExpectRejected(CraftZstd(ZstdBody(1, 1, 0, kRaw.substr(0, 2), 2)), "truncated values");
  ExpectRejected(CraftZstd(ZstdBody(1, 1, 0, kRaw + '\x01', 4)),
                 "1 trailing bytes in the zstd frame");
  ExpectRejected(CraftZstd(ZstdBody(1, 1, 1, kRaw, 3)), "not the header's maximum");
  ExpectRejected(CraftZstd(ZstdBody(1, 1, 1, std::string(1, '\0') + kRaw, 4)),
                 "not strictly increasing at sample 1");
  ExpectRejected(CraftZstd(ZstdBody(1, 1, 1, std::string(1, '\x80'), 1)), "truncated timestamps");
}

TEST(ChunkCodec, RejectsEveryTruncationOfDecimalZstd) {
  const std::vector<SamplePoint> voltage = Regular(Voltage(1000, 3));
  const std::string chunk = EncodeChunk(voltage);
  ASSERT_EQ(EncodingOf(chunk), 4);
  for (const std::string& encoded : {chunk, ZstdChunk(ZstdBodyForm::kStandard, voltage, 2, 0)}) {
    for (size_t size = 0; size < encoded.size(); ++size) {
      std::vector<SamplePoint> out;
      EXPECT_FALSE(DecodeChunk(encoded.substr(0, size), &out).ok()) << "prefix of " << size;
    }
  }
}

// Power-like readings: a load's level with white noise on it, switching
// between levels (a fridge, a kettle). The mean of the last k cannot follow
// the steps and the previous value carries the noise twice; the smoothed
// mean that restarts at a step does both.
std::vector<SamplePoint> NoisySteps(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> noise(-1.2, 1.2);
  std::vector<double> values;
  double level = 40;
  for (size_t i = 0; i < n; ++i) {
    if (i % 600 == 300) level = level == 40 ? 1840 : 40;
    values.push_back(std::round((level + noise(rng)) * 10) / 10);
  }
  return Regular(values);
}

TEST(ChunkCodec, DecimalZstdBarePicksTheSmoothedMeanForNoisySteps) {
  const std::vector<SamplePoint> power = NoisySteps(3600, 21);
  const std::string chunk = EncodeChunk(power);
  ASSERT_EQ(EncodingOf(chunk), 4);
  ExpectRoundTrip(power);
  // The body's first byte, after the 8-byte header, is the predictor.
  EXPECT_TRUE(chunk_predict::Smoothed(static_cast<uint8_t>(chunk[8])))
      << "predictor " << static_cast<int>(static_cast<uint8_t>(chunk[8]));
  // Smaller than the best of encoding 3's predictors by more than the
  // frame's header bytes: the predictor is what wins.
  const std::string standard = ZstdChunk(ZstdBodyForm::kStandard, power, 1, 0);
  EXPECT_LT(chunk.size() * 100, standard.size() * 97) << chunk.size() << " vs " << standard.size();
}

TEST(ChunkCodec, DecimalZstdBareIsSmallerThanStandardOnNoise) {
  // The same predictor either way: the bare frame's savings alone.
  const std::vector<SamplePoint> voltage = Regular(Voltage(3600, 6));
  const std::string bare = ZstdChunk(ZstdBodyForm::kBare, voltage, 2, 1);
  const std::string standard = ZstdChunk(ZstdBodyForm::kStandard, voltage, 2, 1);
  EXPECT_LE(bare.size() + 4, standard.size()) << "no magic number, no content size";
  ExpectSameSamples(bare, voltage);
}

// A decimal-zstd-bare chunk field by field, as CraftZstd's.
std::string CraftBare(const std::string& body, uint64_t count = 3, uint64_t span = 2000) {
  return Craft(kBareTag, count, kStart, span, [](chunk_bits::BitWriter*) {}) + body;
}

std::string BareFrame(const std::string& raw) {
  Result<std::string> frame = BareZstdCompressor().Compress(raw, BareZstdEffort::kFast);
  EXPECT_TRUE(frame.ok());
  return frame.ok() ? *frame : "";
}

// predictor, e, timestamp form, raw size, then the bare frame of `raw`.
std::string BareBody(uint8_t predictor, uint8_t e, uint8_t form, const std::string& raw,
                     uint64_t raw_size) {
  std::string body{static_cast<char>(predictor), static_cast<char>(e), static_cast<char>(form)};
  chunk_bits::PutVarint(&body, raw_size);
  return body + BareFrame(raw);
}

TEST(ChunkCodec, CraftedDecimalZstdBareChunkDecodes) {
  std::vector<SamplePoint> out;
  const Status status = DecodeChunk(CraftBare(BareBody(1, 1, 0, kRaw, 3)), &out);
  ASSERT_TRUE(status.ok()) << status.ToString();
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[2], (SamplePoint{kStart + 2000, 3.5}));
  // Trend (6) before 8 samples, and a smoothed mean restarting past 2 (t =
  // 1: zigzag(10) = 20 >= 4) predict as the previous value.
  for (uint8_t predictor : {6, 64 + 8 * 3 + 1}) {
    out.clear();
    ASSERT_TRUE(DecodeChunk(CraftBare(BareBody(predictor, 1, 0, kRaw, 3)), &out).ok());
    EXPECT_EQ(out[1], (SamplePoint{kStart + 1000, 2.5})) << static_cast<int>(predictor);
    EXPECT_EQ(out[2], (SamplePoint{kStart + 2000, 3.5})) << static_cast<int>(predictor);
  }
  // Without restarts, weight 1/2: the mean after 1.5, 2.5 is 2.0, so 3.5 is
  // 2.0 + 15 tenths: zigzag(15) = 30.
  out.clear();
  const std::string smoothed = {30, 20, 30};
  ASSERT_TRUE(DecodeChunk(CraftBare(BareBody(64 + 8 * 1, 1, 0, smoothed, 3)), &out).ok());
  EXPECT_EQ(out[2], (SamplePoint{kStart + 2000, 3.5}));
}

TEST(ChunkCodec, RejectsBadDecimalZstdBareFields) {
  ExpectRejected(CraftBare(std::string("\x01\x01", 2)), "truncated decimal-zstd body");
  // Predictors: 0, 7 .. 71 (smoothed with weight 2^-0) and over 127 are none.
  for (int predictor : {0, 7, 63, 64, 71, 128, 255}) {
    ExpectRejected(CraftBare(BareBody(static_cast<uint8_t>(predictor), 1, 0, kRaw, 3)),
                   "predictor " + std::to_string(predictor));
  }
  // Encoding 3 has predictors 1 .. 5 only.
  ExpectRejected(CraftZstd(ZstdBody(64 + 8, 1, 0, kRaw, 3)), "predictor 72");
  ExpectRejected(CraftBare(BareBody(1, 10, 0, kRaw, 3)), "decimal exponent 10");
  ExpectRejected(CraftBare(BareBody(1, 1, 2, kRaw, 3)), "timestamp form 2");
  ExpectRejected(CraftBare(BareBody(1, 1, 0, kRaw, 61)), "over 20 a sample");
}

TEST(ChunkCodec, RejectsBadBareZstdFrames) {
  const std::string body = BareBody(1, 1, 0, kRaw, 3);
  ExpectRejected(CraftBare(body + '\0'), "trailing bytes after the zstd frame");
  ExpectRejected(CraftBare(body.substr(0, body.size() - 1)), "");
  // A standard frame, magic number and all, is not a bare one.
  std::string standard = {1, 1, 0, 3};
  standard += *ZstdCompress(kRaw, 1);
  ExpectRejected(CraftBare(standard), "zstd");
  // The frame holds 3 bytes: the body must say so.
  ExpectRejected(CraftBare(BareBody(1, 1, 0, kRaw, 2)), "holds more than 2 bytes");
  ExpectRejected(CraftBare(BareBody(1, 1, 0, kRaw, 4)), "holds 3 bytes, not 4");
  // Every bit of the frame flipped: refused or decoded, never a crash.
  for (size_t bit = 4 * 8; bit < body.size() * 8; ++bit) {
    std::string flipped = body;
    flipped[bit / 8] = static_cast<char>(flipped[bit / 8] ^ (1 << (bit % 8)));
    std::vector<SamplePoint> out;
    (void)DecodeChunk(CraftBare(flipped), &out);
    EXPECT_TRUE(out.empty() || out.size() == 3) << "bit " << bit;
  }
}

}  // namespace
}  // namespace wattline::aggregator
