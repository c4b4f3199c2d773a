#include "aggregator/ingest/ingest_handler.h"

#include <gtest/gtest.h>

#include "common/testing/temp_dir.h"

namespace wattline::aggregator {
namespace {

constexpr uint64_t kOutbox = 5;
constexpr int64_t kNowMs = 1'700'000'000'000;

Batch PowerBatch(uint64_t sequence, std::vector<int64_t> ts, std::vector<double> values) {
  Batch batch;
  batch.outbox_id = kOutbox;
  batch.sequence = sequence;
  batch.series.push_back(SeriesSamples{
      {{"__name__", "power_watts"}, {"device", "d"}}, std::move(ts), std::move(values)});
  return batch;
}

// Two samples a few seconds before the handler's clock.
std::string Frame(uint64_t sequence) {
  return *EncodeBatch(PowerBatch(sequence, {kNowMs - 2000, kNowMs - 1000}, {1, 2}));
}

class IngestHandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = SampleStore::Open(dir_.File("s.db"), &clock_);
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
    handler_ = std::make_unique<IngestHandler>(store_.get(), &clock_, IngestOptions{}, &counters_);
  }

  static HttpRequest Request(std::string body) {
    HttpRequest request;
    request.method = "POST";
    request.path = kAgentUploadPath;
    request.headers["content-type"] = "application/x-protobuf";
    request.body = std::move(body);
    request.peer_identity = "kitchen";
    return request;
  }

  static HttpRequest UploadRequest(std::vector<UploadBatch> batches, uint64_t floor = 0) {
    return Request(*EncodeUpload(Upload{kOutbox, floor, std::move(batches)}));
  }

  // Posts the upload; fails the test unless it is answered 200 with an ack.
  UploadAck Post(std::vector<UploadBatch> batches, uint64_t floor = 0) {
    HttpResponse response = handler_->Handle(UploadRequest(std::move(batches), floor));
    EXPECT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(response.content_type, "application/x-protobuf");
    Result<UploadAck> ack = DecodeUploadAck(response.body);
    EXPECT_TRUE(ack.ok()) << ack.status().ToString();
    return ack.ok() ? *ack : UploadAck{};
  }

  int64_t StoredSamples() { return store_->Stats()->samples; }

  std::vector<SamplePoint> StoredPoints() {
    auto series = store_->Select(
        {*LabelMatcher::Make(LabelMatcher::Type::kEqual, "__name__", "power_watts")});
    if (!series.ok() || series->size() != 1) return {};
    return *store_->ReadSamples((*series)[0].id, INT64_MIN, INT64_MAX);
  }

  testing::TempDir dir_;
  FakeClock clock_{kNowMs};
  IngestCounters counters_;
  std::unique_ptr<SampleStore> store_;
  std::unique_ptr<IngestHandler> handler_;
};

TEST_F(IngestHandlerTest, AcknowledgesEachBatchAfterStoringWithServerTime) {
  UploadAck ack = Post({{Frame(3), 0}, {Frame(1), 0}, {Frame(2), 0}});
  EXPECT_EQ(ack.outbox_id, kOutbox);
  EXPECT_EQ(ack.server_time_ms, kNowMs);
  ASSERT_EQ(ack.batches.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(ack.batches[i].outcome, BatchOutcome::kStored);
    EXPECT_EQ(ack.batches[i].samples_stored, 2u);
  }
  EXPECT_EQ(ack.batches[0].sequence, 3u);
  EXPECT_EQ(ack.batches[1].sequence, 1u);
  EXPECT_EQ(ack.batches[2].sequence, 2u);
  // The three batches carry the same two samples: stored once, then overwritten.
  EXPECT_EQ(StoredSamples(), 2);
  EXPECT_EQ(counters_.uploads_received.load(), 1u);
  EXPECT_EQ(counters_.batches_stored.load(), 3u);
  EXPECT_EQ(counters_.samples_stored.load(), 6u);
  EXPECT_EQ(counters_.samples_overwritten.load(), 4u);
}

TEST_F(IngestHandlerTest, EmptyUploadIsAnsweredWithTheTime) {
  clock_.AdvanceMs(1234);
  UploadAck ack = Post({});
  EXPECT_TRUE(ack.batches.empty());
  EXPECT_EQ(ack.server_time_ms, kNowMs + 1234);
}

TEST_F(IngestHandlerTest, ReplayedBatchesAreDuplicatesAndStoredOnce) {
  ASSERT_EQ(Post({{Frame(1), 0}}).batches[0].outcome, BatchOutcome::kStored);
  UploadAck replay = Post({{Frame(2), 0}, {Frame(1), 0}});
  ASSERT_EQ(replay.batches.size(), 2u);
  EXPECT_EQ(replay.batches[0].outcome, BatchOutcome::kStored);
  EXPECT_EQ(replay.batches[1].outcome, BatchOutcome::kDuplicate);
  EXPECT_EQ(replay.batches[1].sequence, 1u);
  EXPECT_EQ(counters_.batches_duplicate.load(), 1u);
  // An empty upload still raises the floor; a batch below it was settled by
  // the agent and is a duplicate, though it has no ledger row.
  Post({}, 10);
  EXPECT_EQ(Post({{Frame(7), 0}}).batches[0].outcome, BatchOutcome::kDuplicate);
  EXPECT_EQ(Post({{Frame(10), 0}}).batches[0].outcome, BatchOutcome::kStored);
}

TEST_F(IngestHandlerTest, GarbageFrameIsRefusedWhileTheOthersAreStored) {
  Batch other_outbox = PowerBatch(8, {kNowMs}, {7});
  other_outbox.outbox_id = kOutbox + 1;
  UploadAck ack = Post({{Frame(1), 0},
                        {"\x28\xb5\x2f\xfd garbage", 0},
                        {*EncodeBatch(other_outbox), 0},
                        {Frame(2), 0}});
  ASSERT_EQ(ack.batches.size(), 4u);
  EXPECT_EQ(ack.batches[0].outcome, BatchOutcome::kStored);
  EXPECT_EQ(ack.batches[1].outcome, BatchOutcome::kRefused);
  EXPECT_EQ(ack.batches[1].sequence, 0u);
  EXPECT_FALSE(ack.batches[1].refusal.empty());
  EXPECT_EQ(ack.batches[2].outcome, BatchOutcome::kRefused);
  EXPECT_EQ(ack.batches[2].sequence, 8u);
  EXPECT_NE(ack.batches[2].refusal.find("outbox"), std::string::npos) << ack.batches[2].refusal;
  EXPECT_EQ(ack.batches[3].outcome, BatchOutcome::kStored);
  EXPECT_EQ(StoredSamples(), 2);
  EXPECT_EQ(counters_.batches_refused.load(), 2u);
  EXPECT_EQ(counters_.batches_stored.load(), 2u);
}

TEST_F(IngestHandlerTest, FrameOverTheDecompressedLimitIsRefused) {
  IngestOptions tight;
  tight.batch_limits.max_decompressed_bytes = 32;
  IngestHandler handler(store_.get(), &clock_, tight, &counters_);
  HttpResponse response = handler.Handle(UploadRequest({{Frame(1), 0}}));
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(DecodeUploadAck(response.body)->batches[0].outcome, BatchOutcome::kRefused);
  EXPECT_EQ(StoredSamples(), 0);
}

TEST_F(IngestHandlerTest, TimeShiftMovesOnlyProvisionalTimestamps) {
  // Boot time 5 s and 6 s (provisional) beside a device-stamped sample.
  const int64_t device_ms = kNowMs - 60'000;
  const int64_t shift_ms = kNowMs - 10'000;
  Batch batch = PowerBatch(1, {5000, 6000, device_ms}, {1, 2, 3});
  UploadAck ack = Post({{*EncodeBatch(batch), shift_ms}});
  EXPECT_EQ(ack.batches[0].samples_stored, 3u);
  EXPECT_EQ(ack.batches[0].samples_refused, 0u);
  EXPECT_EQ(StoredPoints(), (std::vector<SamplePoint>{
                                {device_ms, 3}, {shift_ms + 5000, 1}, {shift_ms + 6000, 2}}));
}

TEST_F(IngestHandlerTest, ImpossibleTimestampsAreRefusedAndCounted) {
  const int64_t max_future = IngestOptions{}.max_future_ms;
  // Unshifted boot time; before 1970; the last ms in the window; beyond it;
  // now. Then a shift that overflows.
  Batch batch = PowerBatch(1,
                           {5000, -1, kNowMs + max_future, kNowMs + max_future + 1, kNowMs},
                           {1, 2, 3, 4, 5});
  UploadAck ack = Post({{*EncodeBatch(batch), 0}, {*EncodeBatch(PowerBatch(2, {-10}, {6})),
                                                   INT64_MIN}});
  ASSERT_EQ(ack.batches.size(), 2u);
  EXPECT_EQ(ack.batches[0].outcome, BatchOutcome::kStored);
  EXPECT_EQ(ack.batches[0].samples_stored, 2u);
  EXPECT_EQ(ack.batches[0].samples_refused, 3u);
  EXPECT_EQ(ack.batches[1].outcome, BatchOutcome::kStored) << "stored with nothing in it";
  EXPECT_EQ(ack.batches[1].samples_refused, 1u);
  EXPECT_EQ(StoredPoints(), (std::vector<SamplePoint>{{kNowMs, 5}, {kNowMs + max_future, 3}}));
  EXPECT_EQ(counters_.samples_refused_before_2000.load(), 3u);
  EXPECT_EQ(counters_.samples_refused_too_far_in_future.load(), 1u);
}

TEST_F(IngestHandlerTest, MalformedEnvelopeGets400AndChangesNothing) {
  HttpResponse response = handler_->Handle(Request("\xff\xff\xff not an upload"));
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(StoredSamples(), 0);
  EXPECT_EQ(counters_.rejected_malformed.load(), 1u);
  EXPECT_EQ(counters_.uploads_received.load(), 0u);
}

TEST_F(IngestHandlerTest, TooManyBatchesGets413) {
  IngestOptions tight;
  tight.upload_limits.max_batches = 1;
  IngestHandler handler(store_.get(), &clock_, tight, &counters_);
  EXPECT_EQ(handler.Handle(UploadRequest({{Frame(1), 0}, {Frame(2), 0}})).status, 413);
  EXPECT_EQ(counters_.rejected_oversized.load(), 1u);
  EXPECT_EQ(StoredSamples(), 0);
}

TEST_F(IngestHandlerTest, WrongMediaTypeOrAnyEncodingGets415) {
  HttpRequest zstd = UploadRequest({{Frame(1), 0}});
  zstd.headers["content-encoding"] = "zstd";
  EXPECT_EQ(handler_->Handle(zstd).status, 415);
  HttpRequest json = UploadRequest({{Frame(1), 0}});
  json.headers["content-type"] = "application/json";
  EXPECT_EQ(handler_->Handle(json).status, 415);
  HttpRequest none = UploadRequest({{Frame(1), 0}});
  none.headers.erase("content-type");
  EXPECT_EQ(handler_->Handle(none).status, 415);
  EXPECT_EQ(StoredSamples(), 0);
  HttpRequest with_parameter = UploadRequest({{Frame(1), 0}});
  with_parameter.headers["content-type"] = "Application/X-Protobuf; proto=wattline.wire.Upload";
  EXPECT_EQ(handler_->Handle(with_parameter).status, 200);
}

TEST_F(IngestHandlerTest, NoCertificateIdentityGets401) {
  HttpRequest request = UploadRequest({{Frame(1), 0}});
  request.peer_identity.clear();
  EXPECT_EQ(handler_->Handle(request).status, 401);
  EXPECT_EQ(StoredSamples(), 0);
  EXPECT_EQ(counters_.rejected_unauthenticated.load(), 1u);
}

}  // namespace
}  // namespace wattline::aggregator
