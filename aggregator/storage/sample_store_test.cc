#include "aggregator/storage/sample_store.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <optional>

#include "aggregator/storage/storage_test_support.h"
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

constexpr int64_t kNowMs = 1'700'000'000'000;

// The flusher's clock: it never moves on its own, so nothing is cut into
// chunks behind a test's back; tests cut with Flush().
FakeClock& StoreClock() {
  static FakeClock clock(kNowMs);
  return clock;
}

// These tests' samples are stamped in 1970: kept for ever, not dropped as
// older than the raw retention when the store is closed.
Result<std::unique_ptr<SampleStore>> OpenStore(const std::string& path) {
  StorageOptions options;
  options.raw_retention_ms = 0;
  return SampleStore::Open(path, &StoreClock(), options);
}

// What an upload of `batches` (all of the first one's outbox) did to each:
// nullopt for a duplicate, else what was stored.
std::vector<std::optional<StoredBatch>> StoreUpload(SampleStore& store, std::string_view agent,
                                                    const std::vector<Batch>& batches,
                                                    uint64_t floor_sequence = 0) {
  std::vector<std::optional<StoredBatch>> out;
  auto write = store.BeginUpload(agent, batches.empty() ? 1 : batches[0].outbox_id,
                                 floor_sequence, kNowMs);
  EXPECT_TRUE(write.ok()) << write.status().ToString();
  if (!write.ok()) return out;
  for (const Batch& batch : batches) {
    Result<bool> stored_before = (*write)->IsStored(batch.sequence);
    EXPECT_TRUE(stored_before.ok());
    if (*stored_before) {
      out.push_back(std::nullopt);
      continue;
    }
    Result<uint64_t> stored = (*write)->Store(batch, 0);
    EXPECT_TRUE(stored.ok()) << stored.status().ToString();
    out.push_back(stored.ok() ? std::optional<StoredBatch>(StoredBatch{*stored, 0})
                              : std::nullopt);
  }
  Result<StoredBatch> committed = (*write)->Commit();
  EXPECT_TRUE(committed.ok()) << committed.status().ToString();
  // An upload of one batch: what it overwrote is the upload's.
  if (committed.ok() && out.size() == 1 && out[0]) {
    out[0]->samples_overwritten = committed->samples_overwritten;
  }
  return out;
}

std::optional<StoredBatch> StoreOne(SampleStore& store, std::string_view agent,
                                    const Batch& batch, uint64_t floor_sequence = 0) {
  return StoreUpload(store, agent, {batch}, floor_sequence)[0];
}


TEST(SampleStore, StampsTheAgentLabelAndReadsSamplesBack) {
  testing::TempDir dir;
  auto store = OpenStore(dir.File("s.db"));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto result = StoreOne(**store, "kitchen", PowerBatch(1, 1, {1000, 2000}, {1.5, -2.5}));
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->samples_stored, 2u);
  EXPECT_EQ(result->samples_overwritten, 0u);
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
  auto store = OpenStore(dir.File("s.db"));
  ASSERT_TRUE(store.ok());
  Batch batch = PowerBatch(1, 1, {1000}, {1});
  batch.series[0].labels.insert(batch.series[0].labels.begin() + 1, Label{"agent", "garage"});
  ASSERT_TRUE(StoreOne(**store, "kitchen", batch).has_value());
  auto series = (*store)->Select(NameIs("power_watts"));
  ASSERT_TRUE(series.ok());
  ASSERT_EQ(series->size(), 1u);
  EXPECT_EQ(LabelValue((*series)[0].labels, "agent"), "kitchen");
}

TEST(SampleStore, RepeatedBatchIsStoredOnceEvenAfterReopen) {
  testing::TempDir dir;
  {
    auto store = OpenStore(dir.File("s.db"));
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE(StoreOne(**store, "a", PowerBatch(7, 1, {1000}, {1})).has_value());
    EXPECT_FALSE(StoreOne(**store, "a", PowerBatch(7, 1, {1000}, {99})).has_value());
  }
  auto store = OpenStore(dir.File("s.db"));
  ASSERT_TRUE(store.ok());
  EXPECT_FALSE(StoreOne(**store, "a", PowerBatch(7, 1, {1000}, {99})).has_value());
  // Another agent, or another outbox of the same agent, has its own sequence.
  EXPECT_TRUE(StoreOne(**store, "b", PowerBatch(7, 1, {1000}, {2})).has_value());
  EXPECT_TRUE(StoreOne(**store, "a", PowerBatch(8, 1, {3000}, {3})).has_value());
  auto stats = (*store)->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->samples, 3);
  auto series = (*store)->Select(NameIs("power_watts"));
  ASSERT_EQ(series->size(), 2u);
  auto samples = (*store)->ReadSamples((*series)[0].id, 0, 5000);
  EXPECT_EQ((*samples)[0].value, 1) << "the duplicate must not overwrite";
}

TEST(SampleStore, OutOfOrderBatchesAreEachStoredOnce) {
  testing::TempDir dir;
  auto store = OpenStore(dir.File("s.db"));
  ASSERT_TRUE(store.ok());
  // Newest first, then the backlog, then the newest again in the same upload.
  auto first = StoreUpload(**store, "a",
                           {PowerBatch(7, 5, {5000}, {5}), PowerBatch(7, 2, {2000}, {2}),
                            PowerBatch(7, 5, {5000}, {55})});
  ASSERT_EQ(first.size(), 3u);
  EXPECT_TRUE(first[0].has_value());
  EXPECT_TRUE(first[1].has_value());
  EXPECT_FALSE(first[2].has_value()) << "stored earlier in the same upload";
  // Batches between and around them are not duplicates; the stored ones are.
  auto second = StoreUpload(**store, "a",
                            {PowerBatch(7, 3, {3000}, {3}), PowerBatch(7, 2, {2000}, {22}),
                             PowerBatch(7, 1, {1000}, {1}), PowerBatch(7, 5, {5000}, {55})});
  ASSERT_EQ(second.size(), 4u);
  EXPECT_TRUE(second[0].has_value());
  EXPECT_FALSE(second[1].has_value());
  EXPECT_TRUE(second[2].has_value());
  EXPECT_FALSE(second[3].has_value());
  EXPECT_EQ((*store)->Stats()->samples, 4);
  EXPECT_EQ(QueryInt(dir.File("s.db"), "SELECT count(*) FROM stored_batches"), 4);
}

TEST(SampleStore, BatchesBelowTheFloorAreDuplicates) {
  testing::TempDir dir;
  auto store = OpenStore(dir.File("s.db"));
  ASSERT_TRUE(store.ok());
  // The agent announces that everything below 10 is settled.
  EXPECT_TRUE(StoreOne(**store, "a", PowerBatch(7, 12, {12000}, {12}), 10).has_value());
  EXPECT_FALSE(StoreOne(**store, "a", PowerBatch(7, 9, {9000}, {9})).has_value());
  EXPECT_TRUE(StoreOne(**store, "a", PowerBatch(7, 10, {10000}, {10})).has_value());
  // A lower floor announced later does not lower the stored one.
  EXPECT_FALSE(StoreOne(**store, "a", PowerBatch(7, 3, {3000}, {3}), 2).has_value());
  EXPECT_EQ(QueryInt(dir.File("s.db"), "SELECT floor_sequence FROM outbox_floors "
                                       "WHERE agent = 'a' AND outbox_id = 7"),
            10);
  EXPECT_EQ((*store)->Stats()->samples, 2);
}

TEST(SampleStore, FloorAndLedgerSurviveReopen) {
  testing::TempDir dir;
  {
    auto store = OpenStore(dir.File("s.db"));
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE(StoreOne(**store, "a", PowerBatch(7, 20, {20000}, {20}), 10).has_value());
  }
  auto store = OpenStore(dir.File("s.db"));
  ASSERT_TRUE(store.ok());
  EXPECT_FALSE(StoreOne(**store, "a", PowerBatch(7, 20, {20000}, {99})).has_value());
  EXPECT_FALSE(StoreOne(**store, "a", PowerBatch(7, 4, {4000}, {4})).has_value());
  EXPECT_TRUE(StoreOne(**store, "a", PowerBatch(7, 15, {15000}, {15})).has_value());
  EXPECT_EQ((*store)->Stats()->samples, 2);
}

TEST(SampleStore, UploadNotCommittedLeavesNothing) {
  testing::TempDir dir;
  auto store = OpenStore(dir.File("s.db"));
  ASSERT_TRUE(store.ok());
  {
    auto write = (*store)->BeginUpload("a", 7, 5, kNowMs);
    ASSERT_TRUE(write.ok());
    ASSERT_TRUE((*write)->Store(PowerBatch(7, 6, {6000}, {6}), 0).ok());
  }  // destroyed without Commit()
  EXPECT_EQ((*store)->Stats()->samples, 0);
  EXPECT_TRUE((*store)->Select(NameIs("power_watts"))->empty());
  EXPECT_TRUE(StoreOne(**store, "a", PowerBatch(7, 6, {6000}, {6})).has_value());
  EXPECT_TRUE(StoreOne(**store, "a", PowerBatch(7, 1, {1000}, {1})).has_value())
      << "the floor of the rolled-back upload must not have been kept";
}

TEST(SampleStore, CountsSamplesThatOverwriteAndLedgersThem) {
  testing::TempDir dir;
  auto store = OpenStore(dir.File("s.db"));
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE(StoreOne(**store, "a", PowerBatch(7, 1, {1000, 2000}, {1, 2})).has_value());
  auto write = (*store)->BeginUpload("a", 7, 0, kNowMs);
  ASSERT_TRUE(write.ok());
  ASSERT_TRUE((*write)->Store(PowerBatch(7, 2, {2000, 3000}, {22, 3}), 4).ok());
  auto stored = (*write)->Commit();
  ASSERT_TRUE(stored.ok());
  write->reset();
  EXPECT_EQ(stored->samples_stored, 2u);
  EXPECT_EQ(stored->samples_overwritten, 1u);
  auto series = (*store)->Select(NameIs("power_watts"));
  auto samples = (*store)->ReadSamples((*series)[0].id, 0, 5000);
  EXPECT_EQ(*samples, (std::vector<SamplePoint>{{1000, 1}, {2000, 22}, {3000, 3}}));
  const std::string path = dir.File("s.db");
  const std::string row =
      " FROM stored_batches WHERE agent = 'a' AND outbox_id = 7 AND sequence = 2";
  EXPECT_EQ(QueryInt(path, "SELECT samples_stored" + row), 2);
  EXPECT_EQ(QueryInt(path, "SELECT samples_overwritten" + row), 1);
  EXPECT_EQ(QueryInt(path, "SELECT samples_refused" + row), 4);
  EXPECT_EQ(QueryInt(path, "SELECT stored_at_ms" + row), kNowMs);
}

// A database written by the version-1 schema, whose high-water mark said
// batches 1..L were stored, keeps them duplicates after the migration.
TEST(SampleStore, MigrationFromVersionOneKeepsTheHighWaterMark) {
  testing::TempDir dir;
  const std::string path = dir.File("s.db");
  {
    auto db = SqliteDb::Open(path, SqliteDb::Options{});
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(MigrateSchema(**db, {SampleStoreSchemas()[0]}).ok());
    ASSERT_TRUE((*db)->Exec("INSERT INTO agent_batches VALUES ('a', 7, 12), ('b', -3, 1)").ok());
  }
  auto store = OpenStore(path);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ(QueryInt(path, "PRAGMA user_version"),
            static_cast<int64_t>(SampleStoreSchemas().size()));
  EXPECT_EQ(QueryInt(path, "SELECT floor_sequence FROM outbox_floors WHERE agent = 'a'"), 13);
  EXPECT_EQ(QueryInt(path, "SELECT count(*) FROM sqlite_master WHERE name = 'agent_batches'"), 0);
  EXPECT_FALSE(StoreOne(**store, "a", PowerBatch(7, 12, {1000}, {1})).has_value());
  EXPECT_TRUE(StoreOne(**store, "a", PowerBatch(7, 13, {1000}, {1})).has_value());
  // outbox_id is a uint64 kept as its bit pattern: -3 is 2^64 - 3.
  EXPECT_FALSE(StoreOne(**store, "b", PowerBatch(0xfffffffffffffffdULL, 1, {1000}, {1}))
                   .has_value());
}

TEST(SampleStore, KeepsNaNPayloadsBitForBit) {
  testing::TempDir dir;
  auto store = OpenStore(dir.File("s.db"));
  ASSERT_TRUE(store.ok());
  uint64_t stale_bits = 0x7ff0000000000002ULL;
  double stale;
  std::memcpy(&stale, &stale_bits, sizeof stale);
  ASSERT_TRUE(
      StoreOne(**store, "a", PowerBatch(1, 1, {1000, 2000}, {stale, INFINITY})).has_value());
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
    auto store = OpenStore(dir.File("s.db"));
    ASSERT_TRUE(StoreOne(**store, "a", PowerBatch(1, 1, {1000}, {1})).has_value());
  }
  auto store = OpenStore(dir.File("s.db"));
  ASSERT_TRUE(store.ok());
  auto series = (*store)->Select(NameIs("power_watts"));
  ASSERT_EQ(series->size(), 1u);
  EXPECT_EQ(LabelsToString((*series)[0].labels),
            "power_watts{agent=\"a\",device=\"panel\",phase=\"a\"}");
}

}  // namespace
}  // namespace wattline::aggregator
