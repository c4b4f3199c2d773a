// Rollups and retention through SampleStore: the buckets read back equal
// what the raw samples give, wherever those samples are (head, chunks, late
// data merged in), and each resolution goes when its retention says.
#include <gtest/gtest.h>

#include "aggregator/storage/sample_points.h"
#include "aggregator/storage/sample_store.h"
#include "aggregator/storage/storage_test_support.h"
#include "common/testing/temp_dir.h"

namespace wattline::aggregator {
namespace {

constexpr int64_t kHour = kHourResolutionMs;
constexpr int64_t kDay = 24 * kHour;
// A 30-day rollup block boundary, so ranges can cross one.
constexpr int64_t kBlock = 1'700'000'000'000 - 1'700'000'000'000 % (30 * kDay) + 30 * kDay;

const Labels kEnergy = {{"__name__", "energy_watt_hours_total"}, {"device", "panel"}};

// A counter at 1 sample per 10 s with a reset at `reset_ms`.
SeriesSamples Counter(int64_t from_ms, int64_t to_ms, int64_t reset_ms = -1) {
  SeriesSamples series{kEnergy, {}, {}};
  double value = 5000;
  for (int64_t ts = from_ms; ts < to_ms; ts += 10'000) {
    value = ts == reset_ms ? 1 : value + static_cast<double>(ts / 10'000 % 7) / 10;
    series.timestamps_ms.push_back(ts);
    series.values.push_back(value);
  }
  return series;
}

class SampleStoreRollups : public ::testing::Test {
 protected:
  std::unique_ptr<SampleStore> Open(StorageOptions options = {}) {
    auto store = SampleStore::Open(dir_.File("s.db"), &clock_, options);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(*store) : nullptr;
  }

  static SeriesId OnlySeries(SampleStore& store) {
    auto series = store.Select({});
    EXPECT_EQ(series->size(), 1u);
    return series->empty() ? 0 : (*series)[0].id;
  }

  // What the raw samples of [mint, maxt] give at `resolution`.
  static std::vector<Rollup> FromRaw(SampleStore& store, int64_t resolution, int64_t mint,
                                     int64_t maxt) {
    const SeriesId id = OnlySeries(store);
    auto raw =
        store.ReadSamples(id, mint - mint % resolution, maxt - maxt % resolution + resolution - 1);
    EXPECT_TRUE(raw.ok());
    return ComputeRollups(*raw, resolution);
  }

  static std::vector<Rollup> Read(SampleStore& store, int64_t resolution, int64_t mint,
                                  int64_t maxt) {
    auto rollups = store.ReadRollups(OnlySeries(store), resolution, mint, maxt);
    EXPECT_TRUE(rollups.ok()) << rollups.status().ToString();
    return rollups.ok() ? *rollups : std::vector<Rollup>{};
  }

  testing::TempDir dir_;
  FakeClock clock_{kBlock + 5 * kDay};
};

TEST_F(SampleStoreRollups, BucketsEqualTheRawSamplesInTheHeadInChunksAndAfterLateData) {
  auto store = Open();
  const int64_t from = kBlock - 2 * kDay;  // two days before a block boundary
  const int64_t to = kBlock + 2 * kDay;
  ASSERT_TRUE(store->Write({Counter(from, to, kBlock - 3 * kHour + 20'000)}).ok());
  for (int64_t resolution : {kMinuteResolutionMs, kHourResolutionMs}) {
    const std::vector<Rollup> in_head = Read(*store, resolution, from, to - 1);
    EXPECT_EQ(in_head, FromRaw(*store, resolution, from, to - 1)) << "head, " << resolution;
    EXPECT_EQ(in_head.size(), static_cast<size_t>(4 * kDay / resolution));
  }
  ASSERT_TRUE(store->Flush(Head::Selection::kAll).ok());
  EXPECT_EQ(store->Stats()->head_samples, 0);
  for (int64_t resolution : {kMinuteResolutionMs, kHourResolutionMs}) {
    EXPECT_EQ(Read(*store, resolution, from, to - 1), FromRaw(*store, resolution, from, to - 1))
        << "chunks, " << resolution;
  }
  // Late samples in the middle of a cut hour: in the head, then cut again.
  SeriesSamples late = Counter(kBlock + 3600'000 + 5000, kBlock + 3600'000 + 65'000);
  ASSERT_TRUE(store->Write({late}).ok());
  for (bool cut : {false, true}) {
    if (cut) {
      ASSERT_TRUE(store->Flush(Head::Selection::kAll).ok());
    }
    for (int64_t resolution : {kMinuteResolutionMs, kHourResolutionMs}) {
      EXPECT_EQ(Read(*store, resolution, from, to - 1), FromRaw(*store, resolution, from, to - 1))
          << (cut ? "cut, " : "late in head, ") << resolution;
    }
  }
  // 30 days of hours answer from two stored blocks.
  const std::vector<Rollup> hours = Read(*store, kHourResolutionMs, from, to - 1);
  // Sums taken in another order: equal but for rounding, far below a mWh.
  EXPECT_NEAR(RollupIncrease(hours),
              RollupIncrease(FromRaw(*store, kMinuteResolutionMs, from, to - 1)), 1e-6)
      << "the same energy at either resolution";
}

TEST_F(SampleStoreRollups, OnlyTheStoredResolutionsAreRead) {
  auto store = Open();
  ASSERT_TRUE(store->Write({Counter(kBlock, kBlock + kHour)}).ok());
  EXPECT_FALSE(store->ReadRollups(OnlySeries(*store), 5 * 60'000, kBlock, kBlock + kHour).ok());
}

TEST_F(SampleStoreRollups, RetentionRemovesEachResolutionOnItsOwnClock) {
  StorageOptions options;
  options.raw_retention_ms = 48 * kHour;
  options.minute_retention_ms = 60 * kHour;
  options.hour_retention_ms = 0;  // for ever
  auto store = Open(options);
  ASSERT_TRUE(store->Write({Counter(clock_.NowUnixMs() - 36 * kHour, clock_.NowUnixMs())}).ok());
  ASSERT_TRUE(store->Flush(Head::Selection::kAll).ok());
  const int64_t chunks_before = store->Stats()->chunks;
  clock_.AdvanceMs(36 * kHour);  // the data now spans 72 h to 36 h ago
  const int64_t now = clock_.NowUnixMs();
  ASSERT_TRUE(store->EnforceRetention().ok());

  const SeriesId id = OnlySeries(*store);
  auto raw = store->ReadSamples(id, 0, now);
  ASSERT_TRUE(raw.ok());
  ASSERT_FALSE(raw->empty());
  EXPECT_EQ(raw->front().timestamp_ms, now - 48 * kHour) << "raw hours ending 48 h ago go";
  auto minutes = store->ReadRollups(id, kMinuteResolutionMs, 0, now);
  ASSERT_FALSE(minutes->empty());
  EXPECT_EQ(minutes->front().start_ms, now - 60 * kHour) << "minutes older than 60 h go";
  auto hours = store->ReadRollups(id, kHourResolutionMs, 0, now);
  ASSERT_FALSE(hours->empty());
  EXPECT_EQ(hours->front().start_ms, now - 72 * kHour) << "hours are kept for ever";
  StoreStats stats = *store->Stats();
  constexpr int64_t kExpired = 24 * kHour / kChunkWindowMs;  // windows of 72 h to 48 h ago
  EXPECT_EQ(stats.retention_deleted_chunks, static_cast<uint64_t>(kExpired));
  EXPECT_EQ(stats.chunks, chunks_before - kExpired);
  EXPECT_EQ(stats.samples, static_cast<int64_t>(raw->size()));

  // A late sample for a window retention removed is not kept again.
  ASSERT_TRUE(store->Write({Counter(now - 70 * kHour, now - 70 * kHour + 20'000)}).ok());
  ASSERT_TRUE(store->Flush(Head::Selection::kAll).ok());
  EXPECT_EQ(store->ReadSamples(id, 0, now - 49 * kHour)->size(), 0u);
  EXPECT_EQ(store->Stats()->samples_beyond_retention, 2u);
  EXPECT_EQ(store->ReadRollups(id, kHourResolutionMs, 0, now)->front().start_ms, now - 72 * kHour)
      << "and its hour keeps the rollup cut from the full data";
}

// Hour blocks are found per series by key: every series' old blocks go,
// and only those.
TEST_F(SampleStoreRollups, HourRetentionRemovesTheOldBlocksOfEverySeries) {
  StorageOptions options;
  options.raw_retention_ms = 0;  // for ever: only hours expire
  options.minute_retention_ms = 0;
  options.hour_retention_ms = 40 * kDay;
  auto store = Open(options);
  const int64_t now = clock_.NowUnixMs();
  SeriesSamples old_a = Counter(now - 100 * kDay, now - 100 * kDay + kHour);
  SeriesSamples old_b = old_a;
  old_b.labels = {{"__name__", "energy_watt_hours_total"}, {"device", "heat_pump"}};
  SeriesSamples recent_a = Counter(now - 2 * kDay, now - 2 * kDay + kHour);
  SeriesSamples recent_b = recent_a;
  recent_b.labels = old_b.labels;
  ASSERT_TRUE(store->Write({old_a, old_b, recent_a, recent_b}).ok());
  ASSERT_TRUE(store->Flush(Head::Selection::kAll).ok());
  ASSERT_TRUE(store->EnforceRetention().ok());
  auto series = store->Select({});
  ASSERT_EQ(series->size(), 2u);
  for (const SeriesRef& ref : *series) {
    auto hours = store->ReadRollups(ref.id, kHourResolutionMs, 0, now);
    ASSERT_TRUE(hours.ok());
    ASSERT_EQ(hours->size(), 1u) << LabelsToString(ref.labels) << ": the 100-day-old hour goes";
    EXPECT_EQ(hours->front().start_ms, AlignDown(now - 2 * kDay, kHour));
    EXPECT_EQ(store->ReadSamples(ref.id, 0, now)->size(), 2 * 360u) << "raw samples stay";
  }
}

// The chunks' count and samples are kept on disk: a start reads them
// rather than counting every chunk, and they agree with a count.
TEST_F(SampleStoreRollups, ChunkTotalsSurviveARestartAndAgreeWithTheChunks) {
  StorageOptions options;
  options.raw_retention_ms = 48 * kHour;
  {
    auto store = Open(options);
    const int64_t now = clock_.NowUnixMs();
    ASSERT_TRUE(store->Write({Counter(now - 72 * kHour, now)}).ok());
    ASSERT_TRUE(store->Flush(Head::Selection::kAll).ok());
    // Late samples rewrite a chunk; retention deletes a day of them.
    ASSERT_TRUE(store->Write({Counter(now - 2 * kHour + 5000, now - 2 * kHour + 65'000)}).ok());
    ASSERT_TRUE(store->Flush(Head::Selection::kAll).ok());
    ASSERT_TRUE(store->EnforceRetention().ok());
  }
  auto store = Open(options);
  const StoreStats stats = *store->Stats();
  const std::string chunks = ChunkFilePath(dir_.File("s.db"));
  EXPECT_EQ(stats.chunks, QueryInt(chunks, "SELECT count(*) FROM chunks"));
  EXPECT_EQ(stats.samples, QueryInt(chunks, "SELECT sum(samples) FROM chunks"));
  EXPECT_EQ(stats.chunks, 48);
  EXPECT_EQ(stats.samples, 48 * 360 + 6);
}

// Once retention removed the raw samples, the hour rollups still say where
// the series had data, to within an hour.
TEST_F(SampleStoreRollups, HasSamplesFindsDataKeptOnlyInHourRollups) {
  StorageOptions options;
  options.raw_retention_ms = 48 * kHour;
  options.minute_retention_ms = 48 * kHour;
  options.hour_retention_ms = 0;  // for ever
  auto store = Open(options);
  const int64_t from = clock_.NowUnixMs() - 36 * kHour + 10 * 60'000;  // ten minutes into an hour
  ASSERT_TRUE(store->Write({Counter(from, from + 20 * 60'000)}).ok());
  ASSERT_TRUE(store->Flush(Head::Selection::kAll).ok());
  clock_.AdvanceMs(36 * kHour);  // the data is now 72 h old, past the raw retention
  ASSERT_TRUE(store->EnforceRetention().ok());
  const SeriesId id = OnlySeries(*store);
  ASSERT_TRUE(store->ReadSamples(id, 0, clock_.NowUnixMs())->empty());

  auto has = [&](int64_t mint, int64_t maxt) {
    Result<bool> found = store->HasSamples(id, mint, maxt);
    EXPECT_TRUE(found.ok()) << found.status().ToString();
    return found.ok() && *found;
  };
  EXPECT_TRUE(has(from - kHour, from + kHour));
  EXPECT_TRUE(has(from + 60'000, from + 120'000));              // inside the samples' span
  EXPECT_FALSE(has(from + 20 * 60'000 + 1, from + 3 * kHour));  // after the last sample
  EXPECT_FALSE(has(from - 2 * kHour, from - 1));                // before the first
}

TEST_F(SampleStoreRollups, TheResolutionReadIsTheCoarsestThatFitsAStepAndStillHoldsTheData) {
  StorageOptions options;
  options.raw_retention_ms = 35 * kDay;
  options.minute_retention_ms = 400 * kDay;
  options.hour_retention_ms = 0;
  auto store = Open(options);
  const int64_t now = clock_.NowUnixMs();
  EXPECT_EQ(store->ResolutionFor(15'000, now - kDay), 0) << "a 15 s step needs raw samples";
  EXPECT_EQ(store->ResolutionFor(60'000, now - kDay), kMinuteResolutionMs);
  EXPECT_EQ(store->ResolutionFor(5 * 60'000, now - 30 * kDay), kMinuteResolutionMs);
  EXPECT_EQ(store->ResolutionFor(kDay, now - 30 * kDay), kHourResolutionMs);
  EXPECT_EQ(store->ResolutionFor(15'000, now - 90 * kDay), kMinuteResolutionMs)
      << "raw samples that old are gone: the finest left";
  EXPECT_EQ(store->ResolutionFor(15'000, now - 3 * 365 * kDay), kHourResolutionMs);
}

}  // namespace
}  // namespace wattline::aggregator
