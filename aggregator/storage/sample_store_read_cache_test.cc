// Reads that share work: a query's held read transactions (HoldReads) and
// the caches of decoded chunks and hour rollups. Each test cuts, rewrites or
// expires what a read had already seen, and requires the next read to see
// storage as it is now.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "aggregator/storage/rollup.h"
#include "aggregator/storage/sample_store.h"
#include "common/testing/temp_dir.h"

namespace wattline::aggregator {
namespace {

constexpr int64_t kWindowMs = kChunkWindowMs;
constexpr int64_t kT0 = 1'700'000'000'000 - 1'700'000'000'000 % kWindowMs;  // a window start

const Labels kPower = {{"__name__", "power_watts"}, {"device", "panel"}};

// One sample every `step_ms` in [from_ms, to_ms), valued by its time.
SeriesSamples Samples(int64_t from_ms, int64_t to_ms, int64_t step_ms) {
  SeriesSamples series{kPower, {}, {}};
  for (int64_t ts = from_ms; ts < to_ms; ts += step_ms) {
    series.timestamps_ms.push_back(ts);
    series.values.push_back(static_cast<double>((ts - kT0) / 1000));
  }
  return series;
}

class SampleStoreReadCache : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = SampleStore::Open(dir_.File("s.db"), &clock_, options_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(*opened);
  }

  void Write(const SeriesSamples& samples) {
    ASSERT_TRUE(store_->Write({samples}).ok());
    if (id_ == 0) id_ = (*store_->Select({}))[0].id;
  }
  void Cut() { ASSERT_TRUE(store_->Flush(Head::Selection::kAll).ok()); }

  size_t Count(int64_t mint_ms, int64_t maxt_ms) {
    auto samples = store_->ReadSamples(id_, mint_ms, maxt_ms);
    EXPECT_TRUE(samples.ok()) << samples.status().ToString();
    return samples.ok() ? samples->size() : 0;
  }
  size_t CountAll() { return Count(INT64_MIN / 2, INT64_MAX / 2); }

  // The samples counted in the rollups of `resolution_ms` over [from, to].
  int64_t RollupCount(int64_t resolution_ms, int64_t from_ms, int64_t to_ms) {
    std::vector<Rollup> buckets;
    EXPECT_TRUE(store_->AppendRollups(id_, resolution_ms, from_ms, to_ms, &buckets).ok());
    int64_t count = 0;
    for (const Rollup& bucket : buckets) count += bucket.count;
    return count;
  }
  int64_t HourCount(int64_t hour_ms) {
    return RollupCount(kHourResolutionMs, hour_ms, hour_ms + kHourResolutionMs - 1);
  }

  testing::TempDir dir_;
  FakeClock clock_{kT0 + 10 * kWindowMs};
  StorageOptions options_;
  std::unique_ptr<SampleStore> store_;
  SeriesId id_ = 0;
};

TEST_F(SampleStoreReadCache, AHeldReadSeesWhatACutMovedOutOfTheHeadMeanwhile) {
  Write(Samples(kT0, kT0 + kWindowMs, 60'000));
  Cut();
  std::unique_ptr<HeldReads> held = store_->HoldReads();
  ASSERT_NE(held, nullptr);
  EXPECT_EQ(CountAll(), 60u);  // the held transaction sees one chunk
  // The next window arrives and is cut: in a chunk the held transaction
  // began too early to see, and no longer in the head.
  Write(Samples(kT0 + kWindowMs, kT0 + 2 * kWindowMs, 60'000));
  Cut();
  EXPECT_EQ(CountAll(), 120u);
  EXPECT_EQ(Count(kT0 + kWindowMs, kT0 + 2 * kWindowMs - 1), 60u);
  EXPECT_EQ(HourCount(kT0 + kWindowMs), 60);
}

TEST_F(SampleStoreReadCache, ACachedChunkIsNotReadAfterLateSamplesRewroteIt) {
  Write(Samples(kT0, kT0 + kWindowMs, 2000));  // even seconds
  Cut();
  EXPECT_EQ(Count(kT0, kT0 + kWindowMs - 1), 1800u);  // decoded and kept
  const uint64_t hits = store_->Stats()->read_cache_hits;
  EXPECT_EQ(Count(kT0, kT0 + kWindowMs - 1), 1800u);
  EXPECT_EQ(store_->Stats()->read_cache_hits, hits + 1) << "the second read decodes nothing";
  Write(Samples(kT0 + 1000, kT0 + 61'000, 2000));     // 30 late, odd seconds
  EXPECT_EQ(Count(kT0, kT0 + kWindowMs - 1), 1830u);  // the head's over the kept chunk
  Cut();  // the chunk is rewritten, the head lets the window go
  EXPECT_EQ(Count(kT0, kT0 + kWindowMs - 1), 1830u);
  EXPECT_EQ(Count(kT0, kT0 + 60'999), 61u);
}

TEST_F(SampleStoreReadCache, ACachedHourBlockIsNotReadAfterACutChangedIt) {
  Write(Samples(kT0, kT0 + kWindowMs, 2000));
  Cut();
  EXPECT_EQ(HourCount(kT0), 1800);  // decoded and kept
  Write(Samples(kT0 + 1000, kT0 + 61'000, 2000));
  Cut();
  EXPECT_EQ(HourCount(kT0), 1830);
}

TEST_F(SampleStoreReadCache, AChunksCachedMinutesAreNotReadAfterLateSamplesRewroteIt) {
  Write(Samples(kT0, kT0 + kWindowMs, 2000));
  Cut();
  EXPECT_EQ(RollupCount(kMinuteResolutionMs, kT0, kT0 + kWindowMs - 1), 1800);  // computed, kept
  const uint64_t hits = store_->Stats()->read_cache_hits;
  EXPECT_EQ(RollupCount(kMinuteResolutionMs, kT0, kT0 + kWindowMs - 1), 1800);
  EXPECT_EQ(store_->Stats()->read_cache_hits, hits + 1) << "the second read computes nothing";
  Write(Samples(kT0 + 1000, kT0 + 61'000, 2000));  // 30 late, odd seconds
  EXPECT_EQ(RollupCount(kMinuteResolutionMs, kT0, kT0 + kWindowMs - 1), 1830)
      << "the head's window over the kept minutes";
  Cut();
  EXPECT_EQ(RollupCount(kMinuteResolutionMs, kT0, kT0 + kWindowMs - 1), 1830);
  EXPECT_EQ(RollupCount(kMinuteResolutionMs, kT0, kT0 + 59'999), 60);
}

TEST_F(SampleStoreReadCache, ExpiredChunksAreNotReadFromTheCache) {
  store_.reset();
  options_.raw_retention_ms = 20 * kWindowMs;
  SetUp();
  Write(Samples(kT0, kT0 + kWindowMs, 60'000));
  Cut();
  EXPECT_EQ(Count(kT0, kT0 + kWindowMs - 1), 60u);  // decoded and kept
  clock_.AdvanceMs(40 * kWindowMs);
  ASSERT_TRUE(store_->EnforceRetention().ok());
  EXPECT_EQ(Count(kT0, kT0 + kWindowMs - 1), 0u);
}

// A writer cutting after every write, a reader holding its reads: no read
// may return fewer samples than were stored before it began, nor fewer
// than an earlier read under the same hold.
TEST_F(SampleStoreReadCache, ReadsNeverMissASampleWhileWindowsAreCut) {
  constexpr int kWrites = 120;
  clock_.AdvanceMs(100 * kWindowMs);  // every write in the past
  std::atomic<int> stored{0};
  std::thread writer([&] {
    for (int i = 0; i < kWrites; ++i) {
      // Two samples a write, 30 minutes apart: windows fill and close.
      const int64_t at = kT0 + int64_t{i} * 30 * 60'000;
      ASSERT_TRUE(store_->Write({Samples(at, at + 2, 1)}).ok());
      stored += 2;
      ASSERT_TRUE(store_->Flush(Head::Selection::kAll).ok());
    }
  });
  while (id_ == 0 && stored.load() < 2 * kWrites) {
    auto series = store_->Select({});
    if (series.ok() && !series->empty()) id_ = (*series)[0].id;
  }
  int reads = 0;
  while (stored.load() < 2 * kWrites) {
    const size_t before = static_cast<size_t>(stored.load());
    std::unique_ptr<HeldReads> held = store_->HoldReads();
    const size_t first = CountAll();
    ASSERT_GE(first, before);
    ASSERT_GE(CountAll(), first);
    ++reads;
  }
  writer.join();
  EXPECT_EQ(CountAll(), static_cast<size_t>(2 * kWrites));
  EXPECT_GT(reads, 0);
}

}  // namespace
}  // namespace wattline::aggregator
