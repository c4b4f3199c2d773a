#include "aggregator/storage/rollup.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>

#include "aggregator/storage/chunk_codec.h"

namespace wattline::aggregator {
namespace {

constexpr int64_t kMinute = kMinuteResolutionMs;
const double kStale = std::bit_cast<double>(kStaleNaNBits);

TEST(Rollup, SummarisesEachBucketFromItsSamples) {
  const std::vector<SamplePoint> samples = {
      {0, 5},        {20'000, 7},    {40'000, 2},  // minute 0: a counter reset at 40 s
      {70'000, 10},  {90'000, 10.5},               // minute 1
      {200'000, -1},                               // minute 3 (minute 2 has nothing)
  };
  const std::vector<Rollup> rollups = ComputeRollups(samples, kMinute);
  ASSERT_EQ(rollups.size(), 3u);
  const Rollup& first = rollups[0];
  EXPECT_EQ(first.start_ms, 0);
  EXPECT_EQ(first.count, 3);
  EXPECT_DOUBLE_EQ(first.sum, 14);
  EXPECT_DOUBLE_EQ(first.min, 2);
  EXPECT_DOUBLE_EQ(first.max, 7);
  EXPECT_DOUBLE_EQ(first.first, 5);
  EXPECT_DOUBLE_EQ(first.last, 2);
  EXPECT_EQ(first.first_ms, 0);
  EXPECT_EQ(first.last_ms, 40'000);
  EXPECT_DOUBLE_EQ(first.increase, 2 + 2) << "5 to 7, then a reset counting up to 2";
  EXPECT_EQ(rollups[1].start_ms, 60'000);
  EXPECT_DOUBLE_EQ(rollups[1].increase, 0.5);
  EXPECT_EQ(rollups[2].start_ms, 180'000);
  EXPECT_EQ(rollups[2].count, 1);
}

TEST(Rollup, StaleMarkersAreNotSamplesButOtherNaNsAre) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<SamplePoint> stale_only = {{0, kStale}, {1000, kStale}};
  EXPECT_TRUE(ComputeRollups(stale_only, kMinute).empty());
  const std::vector<SamplePoint> samples = {{0, nan}, {1000, 3}, {2000, kStale}, {3000, 1}};
  const std::vector<Rollup> rollups = ComputeRollups(samples, kMinute);
  ASSERT_EQ(rollups.size(), 1u);
  EXPECT_EQ(rollups[0].count, 3);
  EXPECT_TRUE(std::isnan(rollups[0].sum));
  EXPECT_DOUBLE_EQ(rollups[0].min, 1) << "a number replaces a NaN minimum, as in Prometheus";
  EXPECT_DOUBLE_EQ(rollups[0].max, 3);
  EXPECT_DOUBLE_EQ(rollups[0].last, 1);
}

TEST(Rollup, TheIncreaseOverBucketsIsTheRawIncreaseWithResets) {
  std::mt19937_64 random(7);
  std::vector<SamplePoint> samples;
  double counter = 1000;
  for (int64_t ts = 0; ts < 6 * 3600'000; ts += 1000) {
    counter += static_cast<double>(random() % 100) / 10;
    if (random() % 5000 == 0) counter = static_cast<double>(random() % 10);  // meter replaced
    samples.push_back({ts, counter});
  }
  double raw = 0;
  for (size_t i = 1; i < samples.size(); ++i) {
    raw += CounterStep(samples[i - 1].value, samples[i].value);
  }
  for (int64_t resolution : {kMinuteResolutionMs, kHourResolutionMs}) {
    const std::vector<Rollup> rollups = ComputeRollups(samples, resolution);
    EXPECT_NEAR(RollupIncrease(rollups), raw, 1e-6 * raw) << resolution;
  }
}

TEST(Rollup, RoundTripsThroughItsEncoding) {
  constexpr int64_t kStart = 1'699'999'980'000;  // a whole minute
  std::vector<SamplePoint> samples;
  for (int64_t ts = kStart; ts < kStart + 3600'000; ts += 1000) {
    samples.push_back({ts, 230 + static_cast<double>(ts % 997) / 100});
  }
  samples.push_back({kStart + 3600'500, kStale});  // no bucket of its own
  const std::vector<Rollup> rollups = ComputeRollups(samples, kMinute);
  ASSERT_EQ(rollups.size(), 60u);
  std::vector<Rollup> decoded;
  ASSERT_TRUE(DecodeRollups(EncodeRollups(rollups), &decoded).ok());
  EXPECT_EQ(decoded, rollups);
}

TEST(Rollup, MalformedEncodingsAreRefused) {
  const std::vector<Rollup> rollups = ComputeRollups(std::vector<SamplePoint>{{0, 1}}, kMinute);
  const std::string good = EncodeRollups(rollups);
  std::vector<Rollup> out;
  EXPECT_FALSE(DecodeRollups(good.substr(0, good.size() - 1), &out).ok()) << "truncated";
  EXPECT_FALSE(DecodeRollups(good + "x", &out).ok()) << "trailing bytes";
  EXPECT_FALSE(DecodeRollups("", &out).ok());
  std::string wrong_fields = good;
  wrong_fields[0] = 3;
  EXPECT_FALSE(DecodeRollups(wrong_fields, &out).ok());
  EXPECT_TRUE(out.empty()) << "nothing appended on failure";
}

// The first on-disk form: the field count as a 4-byte integer, then each
// field as a 4-byte length and a chunk keyed by bucket start.
std::string FirstFormat(const std::vector<Rollup>& buckets) {
  auto put_u32 = [](std::string* out, uint32_t v) {
    for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
  };
  std::string out;
  put_u32(&out, 9);
  for (int field = 0; field < 9; ++field) {
    std::vector<SamplePoint> column;
    for (const Rollup& r : buckets) {
      const double values[] = {static_cast<double>(r.count),
                               r.sum,
                               r.min,
                               r.max,
                               r.first,
                               r.last,
                               static_cast<double>(r.first_ms - r.start_ms),
                               static_cast<double>(r.last_ms - r.start_ms),
                               r.increase};
      column.push_back({r.start_ms, values[field]});
    }
    const std::string chunk = EncodeChunk(column);
    put_u32(&out, static_cast<uint32_t>(chunk.size()));
    out += chunk;
  }
  return out;
}

TEST(Rollup, TheFirstFormatStillDecodesAndTheCurrentOneIsSmaller) {
  constexpr int64_t kStart = 1'700'000'000'000 - 1'700'000'000'000 % kHourResolutionMs;
  std::vector<SamplePoint> samples;
  for (int64_t ts = kStart; ts < kStart + 24 * kHourResolutionMs; ts += 1000) {
    samples.push_back({ts, 230 + static_cast<double>(ts % 997) / 100});
  }
  const std::vector<Rollup> hours = ComputeRollups(samples, kHourResolutionMs);
  ASSERT_EQ(hours.size(), 24u);
  const std::string first = FirstFormat(hours);
  std::vector<Rollup> decoded;
  ASSERT_TRUE(DecodeRollups(first, &decoded).ok());
  EXPECT_EQ(decoded, hours);
  const std::string current = EncodeRollups(hours);
  decoded.clear();
  ASSERT_TRUE(DecodeRollups(current, &decoded).ok());
  EXPECT_EQ(decoded, hours);
  // Eight fields no longer repeat the bucket starts.
  EXPECT_LT(current.size() + 64, first.size()) << current.size() << " vs " << first.size();
}

}  // namespace
}  // namespace wattline::aggregator
