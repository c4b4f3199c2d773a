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

Upload SampleUpload() {
  Upload upload;
  upload.outbox_id = 0xfedcba9876543210ULL;
  upload.floor_sequence = 40;
  upload.batches.push_back(UploadBatch{*EncodeBatch(SampleBatch()), 0});
  upload.batches.push_back(UploadBatch{"any bytes: frames are decoded later", -1'234'567});
  return upload;
}

TEST(BatchCodec, UploadRoundTripsEveryField) {
  Upload upload = SampleUpload();
  Result<std::string> bytes = EncodeUpload(upload);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  Result<Upload> decoded = DecodeUpload(*bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, upload);
  Result<Batch> batch = DecodeBatch(decoded->batches[0].frame);
  ASSERT_TRUE(batch.ok());
  EXPECT_EQ(*batch, SampleBatch());
}

TEST(BatchCodec, EmptyUploadAsksForTheTime) {
  Upload upload;
  upload.outbox_id = 3;
  Result<Upload> decoded = DecodeUpload(*EncodeUpload(upload));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, upload);
}

TEST(BatchCodec, RefusesUploadGarbage) {
  EXPECT_EQ(DecodeUpload("\xff\xff\xff garbage").status().code(),
            Status::Code::kInvalidArgument);
  std::string truncated = *EncodeUpload(SampleUpload());
  truncated.pop_back();
  EXPECT_EQ(DecodeUpload(truncated).status().code(), Status::Code::kInvalidArgument);
}

TEST(BatchCodec, RefusesUploadWithTooManyBatches) {
  Upload upload = SampleUpload();
  UploadLimits limits;
  limits.max_batches = 1;
  EXPECT_EQ(DecodeUpload(*EncodeUpload(upload), limits).status().code(),
            Status::Code::kResourceExhausted);
  limits.max_batches = 2;
  EXPECT_TRUE(DecodeUpload(*EncodeUpload(upload), limits).ok());
}

UploadAck SampleAck() {
  UploadAck ack;
  ack.outbox_id = 0xfedcba9876543210ULL;
  ack.server_time_ms = 1'700'000'000'123;
  ack.batches.push_back(BatchAck{42, BatchOutcome::kStored, 4, 1, ""});
  ack.batches.push_back(BatchAck{41, BatchOutcome::kDuplicate, 0, 0, ""});
  ack.batches.push_back(BatchAck{0, BatchOutcome::kRefused, 0, 0, "decode batch: bad frame"});
  return ack;
}

TEST(BatchCodec, UploadAckRoundTripsEveryField) {
  UploadAck ack = SampleAck();
  Result<UploadAck> decoded = DecodeUploadAck(EncodeUploadAck(ack));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, ack);
}

TEST(BatchCodec, RefusesUploadAckGarbage) {
  EXPECT_FALSE(DecodeUploadAck("\xff\xff\xff garbage").ok());
  UploadAck long_refusal = SampleAck();
  long_refusal.batches[2].refusal.assign(kMaxRefusalBytes + 1, 'x');
  EXPECT_EQ(DecodeUploadAck(EncodeUploadAck(long_refusal)).status().code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(DecodeUploadAck(std::string(kMaxUploadAckBytes + 1, '\0')).status().code(),
            Status::Code::kResourceExhausted);
}

// An outcome this code does not know must not be read as one it does: the
// agent would delete a batch the aggregator never stored.
TEST(BatchCodec, RefusesUploadAckWithUnknownOutcome) {
  std::string bytes =
      EncodeUploadAck(UploadAck{1, 2, {BatchAck{7, BatchOutcome::kStored, 1, 0, ""}}});
  // Append a second BatchAck (field 3) holding only outcome = 9: tag 0x1a, length 2, 0x10 0x09.
  bytes += std::string("\x1a\x02\x10\x09", 4);
  EXPECT_EQ(DecodeUploadAck(bytes).status().code(), Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace wattline
