#include "agent/outbox/outbox.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "common/batch_codec.h"
#include "common/testing/temp_dir.h"

namespace wattline::agent {
namespace {

Batch OneSampleBatch(double value) {
  Batch batch;
  batch.agent_id = "test";
  batch.sealed_at_ms = 1'700'000'000'000;
  batch.series.push_back(
      SeriesSamples{{{"__name__", "power_watts"}, {"device", "d"}}, {1'700'000'000'000}, {value}});
  return batch;
}

TEST(Outbox, SealAssignsIncreasingSequencesAndStoresDecodableFrames) {
  testing::TempDir dir;
  auto outbox = Outbox::Open(dir.File("outbox.db"));
  ASSERT_TRUE(outbox.ok()) << outbox.status().ToString();
  EXPECT_EQ(*(*outbox)->Seal(OneSampleBatch(1)), 1u);
  EXPECT_EQ(*(*outbox)->Seal(OneSampleBatch(2)), 2u);
  auto oldest = (*outbox)->Oldest(10);
  ASSERT_TRUE(oldest.ok());
  ASSERT_EQ(oldest->size(), 2u);
  auto decoded = DecodeBatch((*oldest)[1].frame);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->sequence, 2u);
  EXPECT_EQ(decoded->outbox_id, (*outbox)->outbox_id());
  EXPECT_EQ(decoded->series[0].values[0], 2);
}

TEST(Outbox, SequenceNeverRepeatsAfterEverythingIsAcknowledgedAndReopened) {
  testing::TempDir dir;
  uint64_t id = 0;
  {
    auto outbox = Outbox::Open(dir.File("outbox.db"));
    ASSERT_TRUE(outbox.ok());
    id = (*outbox)->outbox_id();
    ASSERT_EQ(*(*outbox)->Seal(OneSampleBatch(1)), 1u);
    ASSERT_TRUE((*outbox)->Acknowledge(1).ok());
  }
  auto reopened = Outbox::Open(dir.File("outbox.db"));
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ((*reopened)->outbox_id(), id);
  EXPECT_EQ(*(*reopened)->Seal(OneSampleBatch(1)), 2u);
}

TEST(Outbox, AcknowledgeDeletesOnlyThatBatch) {
  testing::TempDir dir;
  auto outbox = Outbox::Open(dir.File("outbox.db"));
  ASSERT_TRUE(outbox.ok());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE((*outbox)->Seal(OneSampleBatch(i)).ok());
  ASSERT_TRUE((*outbox)->Acknowledge(2).ok());
  ASSERT_TRUE((*outbox)->Acknowledge(2).ok()) << "a repeated ack is not an error";
  auto oldest = (*outbox)->Oldest(10);
  ASSERT_TRUE(oldest.ok());
  ASSERT_EQ(oldest->size(), 2u);
  EXPECT_EQ((*oldest)[0].sequence, 1u);
  EXPECT_EQ((*oldest)[1].sequence, 3u);
  auto stats = (*outbox)->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->batches, 2);
  EXPECT_EQ(stats->samples, 2);
  EXPECT_GT(stats->bytes, 0);
}

TEST(Outbox, NewOutboxGetsANewId) {
  testing::TempDir dir;
  auto a = Outbox::Open(dir.File("a.db"));
  auto b = Outbox::Open(dir.File("b.db"));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE((*a)->outbox_id(), (*b)->outbox_id());
}

TEST(Outbox, FileIsNotReadableByOthers) {
  testing::TempDir dir;
  auto outbox = Outbox::Open(dir.File("outbox.db"));
  ASSERT_TRUE(outbox.ok());
  struct stat st {};
  ASSERT_EQ(stat(dir.File("outbox.db").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0077, 0u);
}

TEST(Outbox, MalformedBatchIsRefusedAndConsumesNoSequence) {
  testing::TempDir dir;
  auto outbox = Outbox::Open(dir.File("outbox.db"));
  ASSERT_TRUE(outbox.ok());
  Batch bad = OneSampleBatch(1);
  bad.series[0].values.push_back(2);  // columns of different length
  EXPECT_FALSE((*outbox)->Seal(bad).ok());
  EXPECT_EQ(*(*outbox)->Seal(OneSampleBatch(1)), 1u);
}

TEST(Outbox, RefusesAFileThatIsNotAnOutbox) {
  testing::TempDir dir;
  FILE* f = fopen(dir.File("junk.db").c_str(), "w");
  ASSERT_NE(f, nullptr);
  fputs("this is not an sqlite database, not even close, and long enough to matter", f);
  fclose(f);
  auto outbox = Outbox::Open(dir.File("junk.db"));
  EXPECT_FALSE(outbox.ok());
}

}  // namespace
}  // namespace wattline::agent
