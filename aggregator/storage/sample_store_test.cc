#include "aggregator/storage/sample_store.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "common/testing/temp_dir.h"

namespace wattline::aggregator {
namespace {

Batch PowerBatch(uint64_t outbox_id, uint64_t sequence, std::vector<int64_t> ts,
                 std::vector<double> values) {
  Batch batch;
  batch.outbox_id = outbox_id;
  batch.sequence = sequence;
  batch.series.push_back(SeriesSamples{
      {{"__name__", "power_watts"}, {"device", "panel"}, {"phase", "a"}}, std::move(ts),
      std::move(values)});
  return batch;
}

LabelMatchers NameIs(const std::string& name) {
  return {*LabelMatcher::Make(LabelMatcher::Type::kEqual, "__name__", name)};
}

TEST(SampleStore, StampsTheAgentLabelAndReadsSamplesBack) {
  testing::TempDir dir;
  auto store = SampleStore::Open(dir.File("s.db"));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto result = (*store)->Append("kitchen", PowerBatch(1, 1, {1000, 2000}, {1.5, -2.5}));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->samples, 2u);
  auto series = (*store)->Select(NameIs("power_watts"));
  ASSERT_TRUE(series.ok());
  ASSERT_EQ(series->size(), 1u);
  EXPECT_EQ(LabelValue((*series)[0].labels, "agent"), "kitchen");
  auto samples = (*store)->ReadSamples((*series)[0].id, 0, 5000);
  ASSERT_TRUE(samples.ok());
  EXPECT_EQ(*samples, (std::vector<SamplePoint>{{1000, 1.5}, {2000, -2.5}}));
}

TEST(SampleStore, AgentCannotWriteAnotherAgentsSeries) {
  testing::TempDir dir;
  auto store = SampleStore::Open(dir.File("s.db"));
  ASSERT_TRUE(store.ok());
  Batch batch = PowerBatch(1, 1, {1000}, {1});
  batch.series[0].labels.insert(batch.series[0].labels.begin() + 1, Label{"agent", "garage"});
  ASSERT_TRUE((*store)->Append("kitchen", batch).ok());
  auto series = (*store)->Select(NameIs("power_watts"));
  ASSERT_TRUE(series.ok());
  ASSERT_EQ(series->size(), 1u);
  EXPECT_EQ(LabelValue((*series)[0].labels, "agent"), "kitchen");
}

TEST(SampleStore, RepeatedBatchIsStoredOnceEvenAfterReopen) {
  testing::TempDir dir;
  {
    auto store = SampleStore::Open(dir.File("s.db"));
    ASSERT_TRUE(store.ok());
    ASSERT_FALSE((*store)->Append("a", PowerBatch(7, 1, {1000}, {1}))->duplicate);
    EXPECT_TRUE((*store)->Append("a", PowerBatch(7, 1, {1000}, {99}))->duplicate);
  }
  auto store = SampleStore::Open(dir.File("s.db"));
  ASSERT_TRUE(store.ok());
  EXPECT_TRUE((*store)->Append("a", PowerBatch(7, 1, {1000}, {99}))->duplicate);
  // Another agent, or another outbox of the same agent, has its own sequence.
  EXPECT_FALSE((*store)->Append("b", PowerBatch(7, 1, {1000}, {2}))->duplicate);
  EXPECT_FALSE((*store)->Append("a", PowerBatch(8, 1, {3000}, {3}))->duplicate);
  auto stats = (*store)->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->samples, 3);
  auto series = (*store)->Select(NameIs("power_watts"));
  ASSERT_EQ(series->size(), 2u);
  auto samples = (*store)->ReadSamples((*series)[0].id, 0, 5000);
  EXPECT_EQ((*samples)[0].value, 1) << "the duplicate must not overwrite";
}

TEST(SampleStore, KeepsNaNPayloadsBitForBit) {
  testing::TempDir dir;
  auto store = SampleStore::Open(dir.File("s.db"));
  ASSERT_TRUE(store.ok());
  uint64_t stale_bits = 0x7ff0000000000002ULL;
  double stale;
  std::memcpy(&stale, &stale_bits, sizeof stale);
  ASSERT_TRUE((*store)->Append("a", PowerBatch(1, 1, {1000, 2000}, {stale, INFINITY})).ok());
  auto series = (*store)->Select(NameIs("power_watts"));
  auto samples = (*store)->ReadSamples((*series)[0].id, 0, 5000);
  ASSERT_EQ(samples->size(), 2u);
  uint64_t bits;
  std::memcpy(&bits, &(*samples)[0].value, sizeof bits);
  EXPECT_EQ(bits, stale_bits);
  EXPECT_TRUE(std::isinf((*samples)[1].value));
}

TEST(SampleStore, SeriesSurviveReopen) {
  testing::TempDir dir;
  {
    auto store = SampleStore::Open(dir.File("s.db"));
    ASSERT_TRUE((*store)->Append("a", PowerBatch(1, 1, {1000}, {1})).ok());
  }
  auto store = SampleStore::Open(dir.File("s.db"));
  ASSERT_TRUE(store.ok());
  auto series = (*store)->Select(NameIs("power_watts"));
  ASSERT_EQ(series->size(), 1u);
  EXPECT_EQ(LabelsToString((*series)[0].labels),
            "power_watts{agent=\"a\",device=\"panel\",phase=\"a\"}");
}

}  // namespace
}  // namespace wattline::aggregator
