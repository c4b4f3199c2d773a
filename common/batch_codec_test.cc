#include "common/batch_codec.h"

#include <gtest/gtest.h>

namespace wattline {
namespace {

Batch SampleBatch() {
  Batch batch;
  batch.agent_id = "kitchen";
  batch.outbox_id = 0x1234567890abcdefULL;
  batch.sequence = 42;
  batch.sealed_at_ms = 1'700'000'005'000;
  SeriesSamples power;
  power.labels = {{"__name__", "power_watts"}, {"device", "panel"}, {"phase", "a"}};
  power.timestamps_ms = {1'700'000'000'000, 1'700'000'001'000, 1'700'000'001'999};
  power.values = {230.5, -12.25, 0.0};
  SeriesSamples energy;
  energy.labels = {{"__name__", "energy_imported_watt_hours_total"}, {"device", "panel"}};
  energy.timestamps_ms = {1'700'000'000'000};
  energy.values = {248533.57};
  batch.series = {power, energy};
  return batch;
}

TEST(BatchCodec, RoundTripsEveryField) {
  Batch batch = SampleBatch();
  Result<std::string> frame = EncodeBatch(batch);
  ASSERT_TRUE(frame.ok()) << frame.status().ToString();
  Result<Batch> decoded = DecodeBatch(*frame);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, batch);
  EXPECT_EQ(decoded->SampleCount(), 4u);
}

// The outbox keeps one compressor for every seal: a context that compressed
// other batches before, larger or smaller, must change nothing in the frame.
TEST(BatchCodec, ReusedCompressorGivesTheFramesOfAFreshOne) {
  Batch large = SampleBatch();
  for (int i = 0; i < 2000; ++i) {
    large.series[1].timestamps_ms.push_back(large.series[1].timestamps_ms.back() + 1000 + i % 7);
    large.series[1].values.push_back(248533.57 + i * 0.25);
  }
  Batch small = SampleBatch();
  small.sequence = 43;
  ZstdCompressor compressor(kDefaultZstdLevel);
  for (const Batch* batch : {&small, &large, &small, &large}) {
    Result<std::string> reused = EncodeBatch(*batch, compressor);
    ASSERT_TRUE(reused.ok()) << reused.status().ToString();
    EXPECT_EQ(*reused, *EncodeBatch(*batch));
    Result<Batch> decoded = DecodeBatch(*reused);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(*decoded, *batch);
  }
}

TEST(BatchCodec, RefusesUnsortedLabelsOnEncode) {
  Batch batch = SampleBatch();
  std::swap(batch.series[0].labels[1], batch.series[0].labels[2]);
  EXPECT_EQ(EncodeBatch(batch).status().code(), Status::Code::kInvalidArgument);
}

TEST(BatchCodec, RefusesColumnsOfDifferentLength) {
  Batch batch = SampleBatch();
  batch.series[0].values.pop_back();
  EXPECT_FALSE(EncodeBatch(batch).ok());
}

TEST(BatchCodec, RefusesGarbage) {
  EXPECT_EQ(DecodeBatch("not zstd at all").status().code(), Status::Code::kInvalidArgument);
}

TEST(BatchCodec, RefusesFrameOverDecompressedLimitBeforeInflating) {
  Result<std::string> frame = EncodeBatch(SampleBatch());
  ASSERT_TRUE(frame.ok());
  BatchLimits limits;
  limits.max_decompressed_bytes = 16;
  EXPECT_EQ(DecodeBatch(*frame, limits).status().code(), Status::Code::kResourceExhausted);
}

TEST(BatchCodec, RefusesTooManySamples) {
  Result<std::string> frame = EncodeBatch(SampleBatch());
  ASSERT_TRUE(frame.ok());
  BatchLimits limits;
  limits.max_samples = 3;
  EXPECT_EQ(DecodeBatch(*frame, limits).status().code(), Status::Code::kResourceExhausted);
}

TEST(BatchCodec, RefusesTrailingBytes) {
  Result<std::string> frame = EncodeBatch(SampleBatch());
  ASSERT_TRUE(frame.ok());
  EXPECT_FALSE(DecodeBatch(*frame + "x").ok());
}

TEST(BatchCodec, AckRoundTrips) {
  Ack ack{7, 9, true, 1'700'000'000'123};
  Result<Ack> decoded = DecodeAck(EncodeAck(ack));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, ack);
}

}  // namespace
}  // namespace wattline
