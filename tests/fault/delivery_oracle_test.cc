// The delivery oracle (delivery_oracle.h) sees a lost sample, a sample
// stored twice and a batch not yet sent for what each is: an outbox written
// with the agent's Outbox and a storage written with the aggregator's
// SampleStore, in the states the fault tests can leave them in.
#include "tests/fault/delivery_oracle.h"

#include <gtest/gtest.h>

#include <vector>

#include "agent/outbox/outbox.h"
#include "aggregator/storage/sample_store.h"
#include "common/labels.h"
#include "common/testing/temp_dir.h"
#include "tests/support/child_process.h"

namespace wattline::testing {
namespace {

constexpr char kAgent[] = "oracle-agent";
constexpr int kSamplesPerBatch = 10;
constexpr int64_t kStart = 1'700'000'000'000;

// Batch `index` (0, 1, 2): ten samples of one series, its own timestamps.
Batch MakeBatch(int index) {
  Batch batch;
  batch.agent_id = kAgent;
  SeriesSamples series;
  series.labels = {{std::string(kMetricNameLabel), "power_watts"}, {"device", "d"}};
  for (int i = 0; i < kSamplesPerBatch; ++i) {
    series.timestamps_ms.push_back(kStart + (index * kSamplesPerBatch + i) * 1000);
    series.values.push_back(i);
  }
  batch.series.push_back(series);
  batch.sealed_at_ms = series.timestamps_ms.back();
  return batch;
}

class DeliveryOracle : public ::testing::Test {
 protected:
  // Seals three batches (sequences 1, 2, 3); acknowledges `acked` of them.
  void SetUp() override {
    auto outbox = agent::Outbox::Open(outbox_path_, agent::OutboxOptions{}, "boot");
    ASSERT_TRUE(outbox.ok()) << outbox.status().ToString();
    outbox_ = std::move(*outbox);
    for (int i = 0; i < 3; ++i) {
      Result<uint64_t> sequence =
          outbox_->Seal(MakeBatch(i), agent::SealTime{kStart + i * 10'000, true, "", 0});
      ASSERT_TRUE(sequence.ok()) << sequence.status().ToString();
    }
    auto store = aggregator::SampleStore::Open(storage_path_, &clock_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }

  // Stores batch `index`'s samples under `sequence` in one upload.
  void Store(int index, uint64_t sequence) {
    auto write = store_->BeginUpload(kAgent, outbox_->outbox_id(), 1, kStart);
    ASSERT_TRUE(write.ok()) << write.status().ToString();
    Batch batch = MakeBatch(index);
    batch.outbox_id = outbox_->outbox_id();
    batch.sequence = sequence;
    ASSERT_TRUE((*write)->Store(batch, 0).ok());
    ASSERT_TRUE((*write)->Commit().ok());
  }

  Delivery Check() {
    Result<Delivery> delivery = CheckDelivery(outbox_path_, storage_path_, kAgent);
    EXPECT_TRUE(delivery.ok()) << delivery.status().ToString();
    return delivery.ok() ? *delivery : Delivery{};
  }

  TempDir dir_;
  std::string outbox_path_ = dir_.File("outbox.db");
  std::string storage_path_ = dir_.File("samples.db");
  std::unique_ptr<agent::Outbox> outbox_;
  FakeClock clock_;  // the store's flusher never cuts on its own
  std::unique_ptr<aggregator::SampleStore> store_;
};

TEST_F(DeliveryOracle, BatchNotYetSentIsPendingNotLost) {
  Store(0, 1);
  Store(1, 2);
  ASSERT_TRUE(outbox_->Acknowledge({1, 2}).ok());
  const Delivery delivery = Check();
  EXPECT_EQ(delivery.expected, 2 * kSamplesPerBatch);
  EXPECT_EQ(delivery.stored, 2 * kSamplesPerBatch);
  EXPECT_EQ(delivery.pending, kSamplesPerBatch);
  EXPECT_EQ(delivery.lost, 0);
  EXPECT_EQ(delivery.duplicated, 0);
  EXPECT_EQ(delivery.ledger_batches, 2);
}

TEST_F(DeliveryOracle, StoredButUnacknowledgedIsNotPending) {
  Store(0, 1);
  Store(1, 2);
  Store(2, 3);
  ASSERT_TRUE(outbox_->Acknowledge({1}).ok());
  const Delivery delivery = Check();
  EXPECT_EQ(delivery.pending, 0);
  EXPECT_EQ(delivery.expected, 3 * kSamplesPerBatch);
  EXPECT_EQ(delivery.lost, 0);
}

TEST_F(DeliveryOracle, AcknowledgedButMissingIsLost) {
  Store(0, 1);
  ASSERT_TRUE(outbox_->Acknowledge({1, 2, 3}).ok());
  const Delivery delivery = Check();
  EXPECT_EQ(delivery.expected, 3 * kSamplesPerBatch);
  EXPECT_EQ(delivery.lost, 2 * kSamplesPerBatch);
  EXPECT_NE(delivery.Line().find("lost=20 "), std::string::npos) << delivery.Line();
}

TEST_F(DeliveryOracle, SamplesStoredTwiceAreDuplicated) {
  Store(0, 1);
  Store(1, 2);
  Store(0, 3);  // batch 1's samples again, under another sequence
  ASSERT_TRUE(outbox_->Acknowledge({1, 2, 3}).ok());
  const Delivery delivery = Check();
  EXPECT_EQ(delivery.duplicated, 2 * kSamplesPerBatch)
      << "counted once as overwritten, once beyond the distinct samples: " << delivery.Line();
  EXPECT_EQ(delivery.lost, kSamplesPerBatch);  // batch 3's own samples never came
}

TEST_F(DeliveryOracle, OutboxWithoutSchemaReadsAsEmpty) {
  const std::string empty = dir_.File("empty.db");
  WriteFile(empty, "");  // created, then the agent was killed
  Result<OutboxCounters> counters = ReadOutboxCounters(empty);
  ASSERT_TRUE(counters.ok()) << counters.status().ToString();
  EXPECT_EQ(counters->sealed_samples, 0);
  Result<std::string> check = IntegrityCheck(outbox_path_);
  ASSERT_TRUE(check.ok());
  EXPECT_EQ(*check, "ok");
}

}  // namespace
}  // namespace wattline::testing
