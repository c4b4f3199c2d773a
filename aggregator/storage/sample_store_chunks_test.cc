// The chunk engine under SampleStore: cutting the head into chunks, late
// data merged into cut windows, replay of the ingest log after a crash,
// corrupt chunks, conversion of the earlier samples table, read-only opens.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <filesystem>
#include <limits>
#include <tuple>

#include "aggregator/storage/chunk_codec.h"
#include "aggregator/storage/rollup.h"
#include "aggregator/storage/row_key.h"
#include "aggregator/storage/sample_points.h"
#include "aggregator/storage/sample_store.h"
#include "aggregator/storage/storage_test_support.h"
#include "aggregator/storage/stored_blob.h"
#include "common/testing/temp_dir.h"

namespace wattline::aggregator {
namespace {

constexpr int64_t kWindowMs = kChunkWindowMs;
constexpr int64_t kT0 = 1'700'000'000'000 - 1'700'000'000'000 % kWindowMs;  // a window start
// Samples of a window at 1 Hz.
constexpr size_t kPerWindow = kWindowMs / 1000;

const Labels kPower = {{"__name__", "power_watts"}, {"device", "panel"}};

// One sample every `step_ms` from `from_ms` up to (not including) `to_ms`,
// valued `base` plus its index.
SeriesSamples Samples(int64_t from_ms, int64_t to_ms, int64_t step_ms, double base,
                      const Labels& labels = kPower) {
  SeriesSamples series{labels, {}, {}};
  for (int64_t ts = from_ms; ts < to_ms; ts += step_ms) {
    series.timestamps_ms.push_back(ts);
    series.values.push_back(base + static_cast<double>(series.values.size()) / 10);
  }
  return series;
}

std::vector<SamplePoint> Points(const SeriesSamples& series) {
  std::vector<SamplePoint> out;
  for (size_t i = 0; i < series.values.size(); ++i) {
    out.push_back({series.timestamps_ms[i], series.values[i]});
  }
  return out;
}

class SampleStoreChunks : public ::testing::Test {
 protected:
  std::string Path() const { return dir_.File("s.db"); }

  std::unique_ptr<SampleStore> Open(StorageOptions options = {}) {
    auto store = SampleStore::Open(Path(), &clock_, options);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(*store) : nullptr;
  }

  int64_t QueryInt(const std::string& sql) const { return aggregator::QueryInt(Path(), sql); }
  int64_t ChunkQueryInt(const std::string& sql) const {
    return aggregator::QueryInt(ChunkFilePath(Path()), sql);
  }

  // Damages the chunk of the window at `window_start_ms` on disk.
  void FlipBitOfChunk(int64_t window_start_ms, size_t byte) const {
    SqliteDb::Options options;
    options.create = false;
    auto db = SqliteDb::Open(ChunkFilePath(Path()), options);
    ASSERT_TRUE(db.ok());
    auto read = (*db)->Prepare("SELECT data FROM chunks WHERE window_start_ms = ?1");
    read->Bind(1, window_start_ms);
    ASSERT_TRUE(*read->Step());
    std::string data(read->ColumnBlob(0));
    ASSERT_LT(byte, data.size());
    data[byte] = static_cast<char>(data[byte] ^ 1);
    auto write = (*db)->Prepare("UPDATE chunks SET data = ?1 WHERE window_start_ms = ?2");
    write->BindBlob(1, data).Bind(2, window_start_ms);
    ASSERT_TRUE(write->Run().ok());
  }

  static std::vector<SamplePoint> ReadAll(SampleStore& store, const Labels& labels = kPower) {
    auto series = store.Select({*LabelMatcher::Make(LabelMatcher::Type::kEqual, "__name__",
                                                    std::string(MetricName(labels)))});
    EXPECT_TRUE(series.ok());
    for (const SeriesRef& ref : *series) {
      if (ref.labels != labels) continue;
      auto samples = store.ReadSamples(ref.id, INT64_MIN, INT64_MAX);
      EXPECT_TRUE(samples.ok()) << samples.status().ToString();
      return samples.ok() ? *samples : std::vector<SamplePoint>{};
    }
    return {};
  }

  testing::TempDir dir_;
  FakeClock clock_{kT0 + 10 * kWindowMs};
};

TEST_F(SampleStoreChunks, CutsTheHeadIntoOneChunkPerWindowAndEmptiesTheLog) {
  auto store = Open();
  const SeriesSamples written = Samples(kT0, kT0 + 3 * kWindowMs, 1000, 230);
  ASSERT_TRUE(store->Write({written}).ok());
  EXPECT_EQ(QueryInt("SELECT count(*) FROM ingest_log"), 1);
  EXPECT_EQ(store->Stats()->head_samples, 3 * static_cast<int64_t>(kPerWindow));

  ASSERT_TRUE(store->Flush(Head::Selection::kAll).ok());
  EXPECT_EQ(ChunkQueryInt("SELECT count(*) FROM chunks"), 3);
  EXPECT_EQ(ChunkQueryInt("SELECT sum(samples) FROM chunks"), 3 * static_cast<int64_t>(kPerWindow));
  EXPECT_EQ(QueryInt("SELECT count(*) FROM ingest_log"), 0);
  StoreStats stats = *store->Stats();
  EXPECT_EQ(stats.head_samples, 0);
  EXPECT_EQ(stats.samples, 3 * static_cast<int64_t>(kPerWindow));
  EXPECT_EQ(stats.chunks, 3);
  EXPECT_EQ(stats.log_records, 0);
  EXPECT_EQ(ReadAll(*store), Points(written));

  // A range inside one chunk, and one across a window boundary.
  auto series = store->Select({});
  ASSERT_EQ(series->size(), 1u);
  auto inside = store->ReadSamples((*series)[0].id, kT0 + 10'000, kT0 + 12'000);
  EXPECT_EQ(inside->size(), 3u);
  auto across = store->ReadSamples((*series)[0].id, kT0 + kWindowMs - 2000, kT0 + kWindowMs + 1000);
  EXPECT_EQ(across->size(), 4u);
  EXPECT_EQ(across->front().timestamp_ms, kT0 + kWindowMs - 2000);
}

// HasSamples answers from the head, from chunk keys for whole windows and
// from decoded chunks at the range's ends; each case is checked against
// where the samples were written.
TEST_F(SampleStoreChunks, HasSamplesFindsSamplesInTheHeadChunksAndPartialWindows) {
  constexpr int64_t kMin = 60'000;
  auto store = Open();
  // Window 0 from minute 10 to 20, window 3 whole; cut into chunks.
  ASSERT_TRUE(store->Write({Samples(kT0 + 10 * kMin, kT0 + 20 * kMin + 1, 10'000, 1)}).ok());
  ASSERT_TRUE(store->Write({Samples(kT0 + 3 * kWindowMs, kT0 + 4 * kWindowMs, 10'000, 1)}).ok());
  ASSERT_TRUE(store->Flush(Head::Selection::kAll).ok());
  ASSERT_EQ(ChunkQueryInt("SELECT count(*) FROM chunks"), 2);
  // One sample left in the head, in window 6.
  ASSERT_TRUE(store
                  ->Write({Samples(kT0 + 6 * kWindowMs + 5 * kMin,
                                   kT0 + 6 * kWindowMs + 5 * kMin + 1, 1000, 1)})
                  .ok());
  auto series = store->Select({});
  ASSERT_EQ(series->size(), 1u);
  const SeriesId id = (*series)[0].id;
  auto has = [&](int64_t from, int64_t to) {
    Result<bool> found = store->HasSamples(id, kT0 + from, kT0 + to);
    EXPECT_TRUE(found.ok()) << found.status().ToString();
    return found.ok() && *found;
  };
  EXPECT_TRUE(has(0, kWindowMs - 1));                   // window 0 exactly
  EXPECT_FALSE(has(21 * kMin, 3 * kWindowMs - 1));      // after minute 20 up to window 3
  EXPECT_TRUE(has(25 * kMin, 5 * kWindowMs));           // window 3 wholly inside
  EXPECT_TRUE(has(15 * kMin, 15 * kMin));               // one sample, both ends
  EXPECT_FALSE(has(15 * kMin + 1, 15 * kMin + 9'999));  // between two samples
  EXPECT_TRUE(has(3 * kWindowMs + 30 * kMin, 3 * kWindowMs + 40 * kMin));  // inside a chunk
  EXPECT_FALSE(has(4 * kWindowMs, 6 * kWindowMs));                         // empty windows
  EXPECT_TRUE(has(6 * kWindowMs, 7 * kWindowMs));                          // the head
  EXPECT_FALSE(has(7 * kWindowMs, 100 * kWindowMs));                       // after everything
  EXPECT_FALSE(has(kWindowMs, 0));                                         // an empty range
  // The whole storable time, as the API asks without start or end.
  EXPECT_TRUE(*store->HasSamples(id, std::numeric_limits<int64_t>::min(),
                                 std::numeric_limits<int64_t>::max()));
  EXPECT_FALSE(*store->HasSamples(id + 1, kT0, kT0 + 7 * kWindowMs));  // no such series
}

TEST_F(SampleStoreChunks, OnlyClosedQuietWindowsAreCutWhenDue) {
  StorageOptions options;
  options.flush_grace_ms = 60'000;
  options.flush_quiet_ms = 10'000;
  auto store = Open(options);
  // The wall clock is at the start of window 10: window 9 is still open.
  ASSERT_TRUE(store->Write({Samples(kT0 + 8 * kWindowMs, kT0 + 10 * kWindowMs, 60'000, 1)}).ok());
  ASSERT_TRUE(store->Flush(Head::Selection::kDue).ok());
  EXPECT_EQ(ChunkQueryInt("SELECT count(*) FROM chunks"), 0) << "written just now: not quiet yet";
  clock_.AdvanceMs(10'000);
  ASSERT_TRUE(store->Flush(Head::Selection::kDue).ok());
  EXPECT_EQ(ChunkQueryInt("SELECT count(*) FROM chunks"), 1) << "window 8 is closed and quiet";
  EXPECT_EQ(store->Stats()->head_samples, static_cast<int64_t>(kWindowMs / 60'000));
  EXPECT_EQ(QueryInt("SELECT count(*) FROM ingest_log"), 1)
      << "the open window's samples are only in the log";
}

TEST_F(SampleStoreChunks, LateSamplesMergeIntoACutWindowWithoutDuplicates) {
  auto store = Open();
  ASSERT_TRUE(store->Write({Samples(kT0, kT0 + kWindowMs, 2000, 0)}).ok());
  ASSERT_TRUE(store->Flush(Head::Selection::kAll).ok());

  // An agent's backlog for the same window: the odd seconds it missed, and
  // one sample that replaces a stored one.
  SeriesSamples late = Samples(kT0 + 1000, kT0 + kWindowMs, 2000, 1000);
  late.timestamps_ms.push_back(kT0 + kWindowMs - 2000);
  late.values.push_back(-1);
  auto stored = store->Write({late});
  ASSERT_TRUE(stored.ok());

  std::vector<SamplePoint> before_cut = ReadAll(*store);
  ASSERT_EQ(before_cut.size(), kPerWindow) << "head and chunk merged, one sample per second";
  EXPECT_EQ(before_cut.back(), (SamplePoint{kT0 + kWindowMs - 1000,
                                            1000 + static_cast<double>(kPerWindow / 2 - 1) / 10}));
  EXPECT_EQ(before_cut[before_cut.size() - 2], (SamplePoint{kT0 + kWindowMs - 2000, -1}))
      << "the later write wins";

  ASSERT_TRUE(store->Flush(Head::Selection::kAll).ok());
  EXPECT_EQ(ReadAll(*store), before_cut);
  EXPECT_EQ(ChunkQueryInt("SELECT count(*) FROM chunks"), 1);
  EXPECT_EQ(ChunkQueryInt("SELECT samples FROM chunks"), static_cast<int64_t>(kPerWindow));
  EXPECT_EQ(store->Stats()->samples_merged_over, 1u);
  EXPECT_EQ(store->Stats()->samples, static_cast<int64_t>(kPerWindow));
}

// An agent back from a week away uploads its backlog (newest first, then
// the oldest, as the uploader does) while another agent's live data and its
// own arrive in between, and the flusher cuts windows all along: every
// sample ends in its window's chunk once, none lost.
TEST_F(SampleStoreChunks, AWeeksBacklogMergesIntoCutWindowsBetweenLiveData) {
  StorageOptions options;
  options.raw_retention_ms = 0;
  options.flush_quiet_ms = 0;
  auto store = Open(options);
  constexpr int64_t kDay = 24 * 60 * 60 * 1000;
  const int64_t now = clock_.NowUnixMs();
  const Labels away = {{"__name__", "power_watts"}, {"agent", "away"}};
  const Labels home = {{"__name__", "power_watts"}, {"agent", "home"}};
  uint64_t sequence = 0;
  auto upload = [&](const std::string& agent, const Labels& labels, int64_t from, int64_t to) {
    Batch batch;
    batch.outbox_id = agent == "away" ? 1 : 2;
    batch.sequence = ++sequence;
    batch.series.push_back(Samples(from, to, 60'000, static_cast<double>(from % 1000), labels));
    auto write = store->BeginUpload(agent, batch.outbox_id, 0, now);
    ASSERT_TRUE(write.ok());
    ASSERT_TRUE((*write)->Store(batch, 0).ok());
    ASSERT_TRUE((*write)->Commit().ok());
  };
  // The other agent has been live all along, and its windows are cut.
  upload("home", home, now - 7 * kDay, now);
  ASSERT_TRUE(store->Flush(Head::Selection::kDue).ok());
  // The away agent's newest hour, then its week, oldest first, in pieces of
  // 6 hours, its live minutes and the flusher in between.
  upload("away", away, now - kWindowMs, now);
  for (int64_t from = now - 7 * kDay; from < now - kWindowMs; from += 6 * kWindowMs) {
    upload("away", away, from, std::min(from + 6 * kWindowMs, now - kWindowMs));
    upload("away", away, now - 60'000, now);  // the live minute, again
    ASSERT_TRUE(store->Flush(Head::Selection::kDue).ok());
  }
  ASSERT_TRUE(store->Flush(Head::Selection::kAll).ok());
  const auto expected = [&](const Labels& labels) {
    return Points(Samples(now - 7 * kDay, now, 60'000, 0, labels)).size();
  };
  const std::vector<SamplePoint> away_read = ReadAll(*store, away);
  EXPECT_EQ(away_read.size(), expected(away));
  EXPECT_EQ(ReadAll(*store, home).size(), expected(home));
  for (size_t i = 1; i < away_read.size(); ++i) {
    ASSERT_EQ(away_read[i].timestamp_ms - away_read[i - 1].timestamp_ms, 60'000) << i;
  }
  const int64_t away_id =
      QueryInt("SELECT DISTINCT series_id FROM series_labels WHERE value LIKE '%away%'");
  EXPECT_EQ(
      ChunkQueryInt("SELECT count(*) FROM chunks WHERE series_id = " + std::to_string(away_id)),
      7 * kDay / kWindowMs);
  EXPECT_EQ(store->Stats()->log_records, 0);
}

TEST_F(SampleStoreChunks, SamplesOutOfOrderWithinAWriteAreSortedAndTheLastKept) {
  auto store = Open();
  SeriesSamples series{kPower, {kT0 + 3000, kT0 + 1000, kT0 + 2000, kT0 + 1000}, {3, 1, 2, 11}};
  auto stored = store->Write({series});
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->samples_stored, 4u);
  EXPECT_EQ(stored->samples_overwritten, 1u);
  EXPECT_EQ(ReadAll(*store),
            (std::vector<SamplePoint>{{kT0 + 1000, 11}, {kT0 + 2000, 2}, {kT0 + 3000, 3}}));
}

// A crash is the files as they are while the store runs: a copy of the
// database and its WAL taken then, opened by a new store.
TEST_F(SampleStoreChunks, ARestartReplaysWhatTheLogHoldsBeyondTheChunks) {
  auto store = Open();
  const SeriesSamples cut = Samples(kT0, kT0 + kWindowMs, 1000, 10);
  ASSERT_TRUE(store->Write({cut}).ok());
  ASSERT_TRUE(store->Flush(Head::Selection::kAll).ok());
  const SeriesSamples uncut = Samples(kT0 + kWindowMs, kT0 + kWindowMs + 600'000, 1000, 20);
  const SeriesSamples late = Samples(kT0 + 500, kT0 + 10'500, 1000, 30);
  ASSERT_TRUE(store->Write({uncut}).ok());
  ASSERT_TRUE(store->Write({late}).ok());
  const std::vector<SamplePoint> acknowledged = ReadAll(*store);
  ASSERT_EQ(acknowledged.size(), kPerWindow + 600u + 10u);

  testing::TempDir crash;
  for (const std::string& file : {Path(), ChunkFilePath(Path())}) {
    const std::string name = std::filesystem::path(file).filename();
    std::filesystem::copy_file(file, crash.File(name));
    std::filesystem::copy_file(file + "-wal", crash.File(name + "-wal"));
  }
  auto restarted = SampleStore::Open(crash.File("s.db"), &clock_);
  ASSERT_TRUE(restarted.ok()) << restarted.status().ToString();
  EXPECT_EQ((*restarted)->Stats()->log_records, 2);
  EXPECT_EQ(ReadAll(**restarted), acknowledged);
  ASSERT_TRUE((*restarted)->Flush(Head::Selection::kAll).ok());
  EXPECT_EQ(ReadAll(**restarted), acknowledged);
  EXPECT_EQ((*restarted)->Stats()->log_records, 0);
}

// The head orders records by id: once the log was emptied, the next record
// must still come after the last, not start again at 1.
TEST_F(SampleStoreChunks, LogRecordIdsKeepIncreasingAfterTheLogWasEmptied) {
  auto store = Open();
  ASSERT_TRUE(store->Write({Samples(kT0, kT0 + 10'000, 1000, 1)}).ok());
  ASSERT_TRUE(store->Write({Samples(kT0 + 10'000, kT0 + 20'000, 1000, 1)}).ok());
  ASSERT_TRUE(store->Flush(Head::Selection::kAll).ok());
  ASSERT_EQ(QueryInt("SELECT count(*) FROM ingest_log"), 0);
  ASSERT_TRUE(store->Write({Samples(kT0 + 20'000, kT0 + 30'000, 1000, 1)}).ok());
  EXPECT_EQ(QueryInt("SELECT id FROM ingest_log"), 3);
  EXPECT_EQ(ReadAll(*store).size(), 30u);
}

TEST_F(SampleStoreChunks, ACleanStopCutsEverythingSoTheNextStartReplaysNothing) {
  const SeriesSamples written = Samples(kT0, kT0 + kWindowMs * 3 / 2, 1000, 5);
  {
    auto store = Open();
    ASSERT_TRUE(store->Write({written}).ok());
  }
  EXPECT_EQ(QueryInt("SELECT count(*) FROM ingest_log"), 0);
  EXPECT_EQ(ChunkQueryInt("SELECT count(*) FROM chunks"), 2);
  auto store = Open();
  EXPECT_EQ(store->Stats()->head_samples, 0);
  EXPECT_EQ(ReadAll(*store), Points(written));
}

TEST_F(SampleStoreChunks, ACorruptChunkIsSkippedCountedAndQuarantinedNeverFatal) {
  auto store = Open();
  ASSERT_TRUE(store->Write({Samples(kT0, kT0 + kWindowMs, 1000, 1)}).ok());
  ASSERT_TRUE(store->Write({Samples(kT0 + kWindowMs, kT0 + 2 * kWindowMs, 1000, 2)}).ok());
  ASSERT_TRUE(store->Flush(Head::Selection::kAll).ok());
  // One bit flipped on disk in the first window's chunk.
  FlipBitOfChunk(kT0, 20);
  std::vector<SamplePoint> read = ReadAll(*store);
  EXPECT_EQ(read.size(), kPerWindow) << "the damaged window is skipped, the next one read";
  EXPECT_EQ(read.front().timestamp_ms, kT0 + kWindowMs);
  EXPECT_GE(store->Stats()->corrupt_chunks, 1u);

  // Late data for the damaged window: the old chunk is kept aside, the
  // window goes on with what arrived.
  ASSERT_TRUE(store->Write({Samples(kT0, kT0 + 5000, 1000, 9)}).ok());
  ASSERT_TRUE(store->Flush(Head::Selection::kAll).ok());
  EXPECT_EQ(ChunkQueryInt("SELECT count(*) FROM quarantined_chunks"), 1);
  EXPECT_EQ(ReadAll(*store).size(), kPerWindow + 5u);
}

TEST_F(SampleStoreChunks, ALargerWriteThanTheHeadMayHoldIsRefusedUntilItDrains) {
  StorageOptions options;
  options.head_limit_samples = 100;
  auto store = Open(options);
  ASSERT_TRUE(store->Write({Samples(kT0, kT0 + 150'000, 1000, 1)}).ok());
  auto refused = store->Write({Samples(kT0 + 150'000, kT0 + 160'000, 1000, 1)});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Status::Code::kResourceExhausted);
  ASSERT_TRUE(store->Flush(Head::Selection::kAll).ok());
  EXPECT_TRUE(store->Write({Samples(kT0 + 150'000, kT0 + 160'000, 1000, 1)}).ok());
  EXPECT_EQ(ReadAll(*store).size(), 160u);
}

TEST_F(SampleStoreChunks, TheSamplesOfAnEarlierVersionBecomeChunks) {
  {
    auto db = SqliteDb::Open(Path(), SqliteDb::Options{});
    ASSERT_TRUE(db.ok());
    const auto& schemas = SampleStoreSchemas();
    ASSERT_TRUE(MigrateSchema(**db, {schemas[0], schemas[1]}).ok());
    ASSERT_TRUE((*db)
                    ->Exec("INSERT INTO series VALUES (1, 'power_watts{device=\"panel\"}');"
                           "INSERT INTO series_labels VALUES (1, '__name__', 'power_watts'), "
                           "(1, 'device', 'panel');")
                    .ok());
    auto insert = (*db)->Prepare("INSERT INTO samples VALUES (1, ?1, ?2)");
    ASSERT_TRUE(insert.ok());
    for (int64_t ts = kT0 - 1800'000; ts < kT0 + 1800'000; ts += 60'000) {
      insert->Bind(1, ts).Bind(2, std::bit_cast<int64_t>(static_cast<double>(ts % 7)));
      ASSERT_TRUE(insert->Run().ok());
      insert->Reset();
    }
  }
  auto store = Open();
  EXPECT_EQ(QueryInt("SELECT count(*) FROM sqlite_master WHERE name = 'samples'"), 0);
  EXPECT_EQ(ChunkQueryInt("SELECT count(*) FROM chunks"), 2) << "two hour windows";
  std::vector<SamplePoint> read = ReadAll(*store);
  ASSERT_EQ(read.size(), 60u);
  EXPECT_EQ(read[0], (SamplePoint{kT0 - 1800'000, static_cast<double>((kT0 - 1800'000) % 7)}));
}

TEST_F(SampleStoreChunks, AReadOnlyOpenSeesTheLogAndTheChunksAndWritesNothing) {
  auto store = Open();
  ASSERT_TRUE(store->Write({Samples(kT0, kT0 + kWindowMs, 1000, 1)}).ok());
  ASSERT_TRUE(store->Flush(Head::Selection::kAll).ok());
  ASSERT_TRUE(store->Write({Samples(kT0 + kWindowMs, kT0 + kWindowMs + 10'000, 1000, 2)}).ok());

  StorageOptions read_only;
  read_only.read_only = true;
  auto reader = SampleStore::Open(Path(), &clock_, read_only);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ(ReadAll(**reader).size(), kPerWindow + 10u);
  EXPECT_FALSE((*reader)->Write({Samples(kT0, kT0 + 1000, 1000, 1)}).ok());
  reader->reset();
  EXPECT_EQ(QueryInt("SELECT count(*) FROM ingest_log"), 1) << "closing it cut nothing";
}

// A read-only open migrates nothing: a chunk file an earlier version left
// (no chunk totals) is refused with the reason, as the main file is.
TEST_F(SampleStoreChunks, AReadOnlyOpenRefusesAnEarlierChunkFile) {
  Open().reset();
  {
    auto db = SqliteDb::Open(ChunkFilePath(Path()), SqliteDb::Options{});
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->SetUserVersion(1).ok());
  }
  StorageOptions read_only;
  read_only.read_only = true;
  auto reader = SampleStore::Open(Path(), &clock_, read_only);
  ASSERT_FALSE(reader.ok());
  EXPECT_NE(reader.status().message().find("chunk file schema version 1"), std::string::npos)
      << reader.status().ToString();
}

TEST_F(SampleStoreChunks, ChunksAndRollupsOfVersionFourMoveToTheChunkFile) {
  const std::vector<SamplePoint> raw = Points(Samples(kT0, kT0 + kWindowMs, 1000, 230));
  const std::vector<SamplePoint> expired = Points(Samples(kT0 - kWindowMs, kT0, 1000, 10));
  const int64_t hour_block = AlignDown(kT0, RollupBlockMs(kHourResolutionMs));
  {
    auto db = SqliteDb::Open(Path(), SqliteDb::Options{});
    ASSERT_TRUE(db.ok());
    const auto& schemas = SampleStoreSchemas();
    ASSERT_TRUE(MigrateSchema(**db, {schemas.begin(), schemas.begin() + 4}).ok());
    // Version 4 as the server left it: the samples of version 2 converted.
    ASSERT_TRUE((*db)->Exec("DROP TABLE samples").ok());
    ASSERT_TRUE((*db)
                    ->Exec("INSERT INTO series VALUES (1, 'power_watts{device=\"panel\"}');"
                           "INSERT INTO series_labels VALUES (1, '__name__', 'power_watts'), "
                           "(1, 'device', 'panel');")
                    .ok());
    const std::string chunk = EncodeChunk(raw);
    auto insert_chunk = (*db)->Prepare("INSERT INTO chunks VALUES (1, ?1, ?2, ?3, ?4)");
    insert_chunk->Bind(1, kT0)
        .Bind(2, static_cast<int64_t>(raw.size()))
        .Bind(3, StoredChecksum(chunk))
        .BindBlob(4, chunk);
    ASSERT_TRUE(insert_chunk->Run().ok());
    auto insert_rollups = (*db)->Prepare("INSERT INTO rollups VALUES (1, ?1, ?2, ?3, ?4)");
    for (const auto& [resolution, block, samples] :
         {std::tuple{kHourResolutionMs, hour_block, raw},
          std::tuple{kMinuteResolutionMs, kT0 - kWindowMs, expired}}) {
      const std::string data = EncodeRollups(ComputeRollups(samples, resolution));
      insert_rollups->Bind(1, resolution)
          .Bind(2, block)
          .Bind(3, StoredChecksum(data))
          .BindBlob(4, data);
      ASSERT_TRUE(insert_rollups->Run().ok());
      insert_rollups->Reset();
    }
    ASSERT_TRUE(
        (*db)->Exec("INSERT INTO quarantined_chunks VALUES (1, 0, 0, 'damaged', 0, x'00')").ok());
  }

  auto store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(QueryInt("SELECT count(*) FROM sqlite_master WHERE name IN "
                     "('chunks', 'rollups', 'quarantined_chunks')"),
            0);
  EXPECT_EQ(ChunkQueryInt("SELECT count(*) FROM chunks WHERE series_id = 1 AND "
                          "window_start_ms = " +
                          std::to_string(kT0)),
            1);
  EXPECT_EQ(ChunkQueryInt("SELECT count(*) FROM quarantined_chunks"), 1);
  EXPECT_EQ(ReadAll(*store), raw);
  auto hours = store->ReadRollups(1, kHourResolutionMs, kT0, kT0 + kWindowMs - 1);
  ASSERT_TRUE(hours.ok()) << hours.status().ToString();
  EXPECT_EQ(*hours, ComputeRollups(raw, kHourResolutionMs));
  auto minutes = store->ReadRollups(1, kMinuteResolutionMs, kT0 - kWindowMs, kT0 - 1);
  ASSERT_TRUE(minutes.ok()) << minutes.status().ToString();
  EXPECT_EQ(*minutes, ComputeRollups(expired, kMinuteResolutionMs));
}

TEST_F(SampleStoreChunks, TimesOutsideTheStorableRangeAreRefusedWholeWithAClearError) {
  auto store = Open();
  SeriesSamples before_epoch = Samples(kT0, kT0 + 3000, 1000, 1);
  before_epoch.timestamps_ms[1] = -1000;
  Result<StoredBatch> refused = store->Write({before_epoch});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(refused.status().ToString().find("-1000"), std::string::npos)
      << refused.status().ToString();
  SeriesSamples too_late = Samples(kT0, kT0 + 1000, 1000, 1);
  too_late.timestamps_ms[0] = kStorableTimeLimitMs;
  EXPECT_FALSE(store->Write({too_late}).ok());
  EXPECT_TRUE(ReadAll(*store).empty());
  EXPECT_EQ(QueryInt("SELECT count(*) FROM ingest_log"), 0);

  // The last storable window round-trips through its key.
  const int64_t last_window = kStorableTimeLimitMs - kWindowMs;
  ASSERT_TRUE(store->Write({Samples(last_window, last_window + 2000, 1000, 5)}).ok());
  ASSERT_TRUE(store->Flush(Head::Selection::kAll).ok());
  EXPECT_EQ(ChunkQueryInt("SELECT window_start_ms FROM chunks"), last_window);
  EXPECT_EQ(ReadAll(*store).size(), 2u);
}

}  // namespace
}  // namespace wattline::aggregator
