#include "aggregator/ingest/ingest_handler.h"

#include <gtest/gtest.h>

#include "common/testing/temp_dir.h"

namespace wattline::aggregator {
namespace {

class IngestHandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = SampleStore::Open(dir_.File("s.db"));
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
    handler_ = std::make_unique<IngestHandler>(store_.get(), &clock_, BatchLimits{}, &counters_);
  }

  HttpRequest Request(const std::string& body) {
    HttpRequest request;
    request.method = "POST";
    request.path = kAgentBatchPath;
    request.headers["content-encoding"] = "zstd";
    request.body = body;
    request.peer_identity = "kitchen";
    return request;
  }

  static std::string Frame(uint64_t sequence) {
    Batch batch;
    batch.outbox_id = 5;
    batch.sequence = sequence;
    batch.series.push_back(
        SeriesSamples{{{"__name__", "power_watts"}, {"device", "d"}}, {1000, 2000}, {1, 2}});
    return *EncodeBatch(batch);
  }

  int64_t StoredSamples() { return store_->Stats()->samples; }

  testing::TempDir dir_;
  FakeClock clock_{1'700'000'000'000};
  IngestCounters counters_;
  std::unique_ptr<SampleStore> store_;
  std::unique_ptr<IngestHandler> handler_;
};

TEST_F(IngestHandlerTest, AcknowledgesAfterStoringWithServerTime) {
  HttpResponse response = handler_->Handle(Request(Frame(1)));
  ASSERT_EQ(response.status, 200) << response.body;
  auto ack = DecodeAck(response.body);
  ASSERT_TRUE(ack.ok());
  EXPECT_EQ(ack->sequence, 1u);
  EXPECT_EQ(ack->outbox_id, 5u);
  EXPECT_FALSE(ack->duplicate);
  EXPECT_EQ(ack->server_time_ms, 1'700'000'000'000);
  EXPECT_EQ(StoredSamples(), 2);
  EXPECT_EQ(counters_.samples_stored.load(), 2u);
}

TEST_F(IngestHandlerTest, ReplayedBatchIsAcknowledgedAndStoredOnce) {
  ASSERT_EQ(handler_->Handle(Request(Frame(1))).status, 200);
  HttpResponse replay = handler_->Handle(Request(Frame(1)));
  ASSERT_EQ(replay.status, 200);
  EXPECT_TRUE(DecodeAck(replay.body)->duplicate);
  EXPECT_EQ(StoredSamples(), 2);
  EXPECT_EQ(counters_.batches_duplicate.load(), 1u);
}

TEST_F(IngestHandlerTest, MalformedBodyGets400AndChangesNothing) {
  HttpResponse response = handler_->Handle(Request("\x28\xb5\x2f\xfd garbage"));
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(StoredSamples(), 0);
  EXPECT_EQ(counters_.rejected_malformed.load(), 1u);
}

TEST_F(IngestHandlerTest, ZstdBombGets413) {
  BatchLimits tight;
  tight.max_decompressed_bytes = 32;
  IngestHandler handler(store_.get(), &clock_, tight, &counters_);
  EXPECT_EQ(handler.Handle(Request(Frame(1))).status, 413);
  EXPECT_EQ(StoredSamples(), 0);
}

TEST_F(IngestHandlerTest, MissingEncodingGets415) {
  HttpRequest request = Request(Frame(1));
  request.headers.erase("content-encoding");
  EXPECT_EQ(handler_->Handle(request).status, 415);
}

TEST_F(IngestHandlerTest, NoCertificateIdentityGets401) {
  HttpRequest request = Request(Frame(1));
  request.peer_identity.clear();
  EXPECT_EQ(handler_->Handle(request).status, 401);
  EXPECT_EQ(StoredSamples(), 0);
}

}  // namespace
}  // namespace wattline::aggregator
