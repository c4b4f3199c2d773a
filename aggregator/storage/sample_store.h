// The aggregator's storage engine, embedded, on one SQLite file.
// docs/storage.md describes it whole; in short:
//
//   write    a write (an agent's upload, a remote-write request, an import)
//            commits one ingest log record (ingest_log_record.h) with its
//            new series and ledger rows, then applies the samples to the
//            in-memory head (head.h). The commit is the durability boundary:
//            only after it is a write acknowledged.
//   flush    a background thread cuts the head's closed windows into
//            compressed chunks (chunk_codec.h), merging with the window's
//            chunk when late data arrived for it, and deletes the log records
//            no longer needed, in one transaction. It also checkpoints the
//            SQLite WAL, so ingest never does.
//   read     the head's samples merged over the chunks' (the head wins on a
//            timestamp both hold), concurrent with both of the above.
//   restart  the log records still on disk are replayed into the head.
//
// Idempotency of agents' uploads (docs/formats/batch.md): per (agent,
// outbox_id) the table outbox_floors keeps the floor the agent last announced
// (every sequence below it is settled) and the ledger stored_batches a row per
// batch stored above it, written in the same transaction as its log record.
// A batch is a duplicate when its sequence is below the floor or has a ledger
// row. Ledger rows below the floor are deleted as the floor rises; the
// outbox's row in outbox_floors keeps running totals of what was stored.
//
// Values are kept bit for bit, so NaN payloads (Prometheus's stale marker)
// survive.
//
// Thread-safety: all methods are thread-safe. Writes are serialised; reads
// use their own connections and run concurrently with writes and flushes.
#ifndef WATTLINE_AGGREGATOR_STORAGE_SAMPLE_STORE_H_
#define WATTLINE_AGGREGATOR_STORAGE_SAMPLE_STORE_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "aggregator/storage/block_cache.h"
#include "aggregator/storage/head.h"
#include "aggregator/storage/pending_record.h"
#include "aggregator/storage/rollup.h"
#include "aggregator/storage/series_index.h"
#include "aggregator/storage/series_reader.h"
#include "aggregator/storage/storage_layout.h"
#include "aggregator/storage/storage_options.h"
#include "aggregator/storage/store_stats.h"
#include "common/batch.h"
#include "common/clock.h"
#include "common/sqlite_db.h"

namespace wattline::aggregator {

class ReaderPool;

inline constexpr std::string_view kAgentLabel = "agent";

// What a write stored.
struct StoredBatch {
  uint64_t samples_stored = 0;
  // Of those, samples that replaced one the head held for the same series
  // and timestamp: a sign of duplicated data or of clock trouble. (Replacing
  // one already cut into a chunk is counted when the chunk is merged:
  // StoreStats::samples_merged_over.)
  uint64_t samples_overwritten = 0;
};

// The schema versions, oldest first: version i + 1 is what
// SampleStoreSchemas()[i] makes of version i; the same for the chunk file.
// For migration tests.
const std::vector<std::string_view>& SampleStoreSchemas();
const std::vector<std::string_view>& ChunkFileSchemas();
// The chunk file's quarantine table, made when the first chunk is
// quarantined (CREATE TABLE IF NOT EXISTS).
std::string_view QuarantineTableSchema();
// Its minute rollups table, made when raw chunks first expire into minutes.
std::string_view MinuteRollupsTableSchema();

// The storage's main file inside a data directory: the server's and the
// backup command's one definition of where it is.
std::string StoragePathIn(const std::string& data_dir);

// The chunk file beside the main storage file `path`: samples.db's is
// samples-chunks.db.
std::string ChunkFilePath(const std::string& path);

class SampleStore final : public SeriesReader {
 public:
  class UploadWrite;

  // `clock` outlives the store; it times the flusher.
  static Result<std::unique_ptr<SampleStore>> Open(const std::string& path, const Clock* clock,
                                                   StorageOptions options = {});
  // Stops the flusher and, unless read-only, cuts the whole head into chunks.
  ~SampleStore() override;

  // Begins the one transaction that stores an upload of `agent`'s outbox
  // `outbox_id`, announcing `floor_sequence`; `now_ms` stamps its ledger rows.
  // The UploadWrite holds the store's write lock until it is destroyed: use
  // it on one thread and do not keep it past the request.
  Result<std::unique_ptr<UploadWrite>> BeginUpload(std::string_view agent, uint64_t outbox_id,
                                                   uint64_t floor_sequence, int64_t now_ms);

  // Stores samples that came without an agent's batch (remote write, the
  // text import): one transaction, durable when OK is returned. Labels are
  // stored as given and must be canonical; within the write and against the
  // head, a later sample for a series and timestamp replaces an earlier one.
  // Series without samples are not created.
  Result<StoredBatch> Write(const std::vector<SeriesSamples>& series);

  Result<std::vector<SeriesRef>> Select(const LabelMatchers& matchers) override;
  // Holds a connection of each file, each in one read transaction, for the
  // calling thread's reads (reader_pool.h).
  std::unique_ptr<HeldReads> HoldReads() override;
  Result<std::vector<SamplePoint>> ReadSamples(SeriesId id, int64_t mint_ms,
                                               int64_t maxt_ms) override;
  // Answered from raw samples: the head's in the range, one lookup by key
  // (no decoding) for each chunk window wholly inside the range, newest
  // first up to the first found, and the decoding of at most the two chunks
  // at the range's ends. Only when they hold none, and for the part of the
  // range past the raw retention, from the hour rollups that outlive them
  // (ReadRollups): an hour bucket whose first and last samples' span meets
  // the range counts, to within that hour.
  Result<bool> HasSamples(SeriesId id, int64_t mint_ms, int64_t maxt_ms) override;
  // The buckets of `resolution_ms` (kMinuteResolutionMs, kHourResolutionMs)
  // overlapping [mint_ms, maxt_ms], by start: stored ones, and for windows
  // still in the head, computed from their samples, so they always equal
  // what the raw samples give. Minutes are stored only once raw chunks
  // expire; until then a chunk's minutes are computed from it when first
  // read and kept in the read cache (a day of a 1 Hz series is 86,400
  // samples, or 1,440 minutes).
  Result<std::vector<Rollup>> ReadRollups(SeriesId id, int64_t resolution_ms, int64_t mint_ms,
                                          int64_t maxt_ms);

  // The resolution to read a range starting at `from_ms` at steps of
  // `step_ms`: the coarsest of hours, minutes and raw samples (0) whose
  // buckets fit in a step and which still holds data that old under the
  // retention; when none fitting does, the finest that still holds it.
  int64_t ResolutionFor(int64_t step_ms, int64_t from_ms) const;

  bool HasRollups() const override { return true; }
  // ReadRollups, appended to `out`.
  Status AppendRollups(SeriesId id, int64_t resolution_ms, int64_t mint_ms, int64_t maxt_ms,
                       std::vector<Rollup>* out) override;

  Result<StoreStats> Stats();

  // Cuts windows now: the due ones, or (kAll) the whole head. For shutdown,
  // tests and tools; the flusher does this on its own.
  Status Flush(Head::Selection selection);
  // Deletes chunks and rollups older than their resolution's retention. The
  // flusher does this every retention_interval_ms.
  Status EnforceRetention();

 private:
  // Series a write creates: in the database, not yet in the index.
  struct NewSeries {
    std::vector<SeriesRef> refs;
    std::unordered_map<std::string, SeriesId> by_key;
  };

  SampleStore(std::string path, const Clock* clock, StorageOptions options);
  Status OpenConnections();
  // The chunk row keys of `id` whose windows overlap [mint_ms, maxt_ms] and
  // may hold samples (within the windows the chunk file holds at all).
  Result<std::vector<int64_t>> ChunkKeys(SeriesId id, int64_t mint_ms, int64_t maxt_ms);
  // Brings both files to this build's schemas, moving chunks that an
  // earlier version kept in the main file into the chunk file.
  Status MigrateFiles();
  Status LoadSeries();
  Status ConvertLegacySamples();
  Status ReplayLog();
  void RunFlusher();
  // Flush() with `quiet_ms` in place of the option's.
  Status CutWindows(Head::Selection selection, int64_t quiet_ms);
  // Gives free pages back to the file system: all of them, or (`all` false)
  // some, when they are a quarter of the file.
  Status ReleaseFreePages(bool all);
  // REQUIRES: write_mutex_ held, inside a transaction. Creates the series
  // in the database when new; `created` collects those, visible in the index
  // only after commit.
  Result<SeriesId> SeriesIdFor(const Labels& labels, NewSeries* created);
  // Inserts `record` into the log; returns its id, 0 for an empty record.
  // REQUIRES: write_mutex_ held, inside a transaction.
  Result<int64_t> InsertLogRecord(const std::vector<SeriesRecord>& record);
  // After the commit: new series into the index, the record into the head.
  void Publish(NewSeries* created, int64_t log_id, const std::vector<SeriesRecord>& record);
  Status CheckHeadRoom() const;
  // HasSamples() in the head and the chunks alone.
  // REQUIRES: 0 <= mint_ms <= maxt_ms < kStorableTimeLimitMs.
  Result<bool> HasRawSamples(SeriesId id, int64_t mint_ms, int64_t maxt_ms);
  void NoteWriteError(const Status& status);

  const std::string path_;
  const Clock* const clock_;
  const StorageOptions options_;
  Head head_;

  std::mutex write_mutex_;  // one write (upload or Write) at a time
  std::unique_ptr<SqliteDb> writer_;
  // The next ingest log record's id: one more than the last on disk at
  // open, then increasing while the store runs, so the head's order of
  // records never goes back (head.h), even after the log was emptied.
  // Guarded by write_mutex_.
  int64_t next_log_id_ = 1;
  std::mutex flush_mutex_;  // one flush at a time
  std::unique_ptr<SqliteDb> flusher_db_;  // the main file: trims the log
  std::unique_ptr<SqliteDb> chunk_db_;    // the chunk file's one writer
  int64_t next_checkpoint_mono_ms_ = 0;  // guarded by flush_mutex_
  const std::string chunk_path_;
  std::unique_ptr<ReaderPool> readers_;       // of the chunk file
  std::unique_ptr<ReaderPool> main_readers_;  // of the main file: hour rollups
  // Moves after a flush committed and before the head lets its windows go:
  // held read transactions older than it start again (reader_pool.h).
  std::atomic<uint64_t> head_releases_{0};
  BlockCache<SamplePoint> chunk_cache_;   // by WindowKey
  BlockCache<Rollup> hour_rollup_cache_;  // by HourBlockKey
  BlockCache<Rollup> chunk_minutes_cache_;  // a chunk's minute rollups, by WindowKey

  mutable std::mutex index_mutex_;
  SeriesIndex index_;

  std::atomic<int64_t> chunk_samples_{0};
  std::atomic<int64_t> chunks_{0};
  std::atomic<int64_t> log_records_{0};
  std::atomic<uint64_t> flushes_{0};
  std::atomic<uint64_t> flush_errors_{0};
  std::atomic<uint64_t> samples_merged_over_{0};
  std::atomic<uint64_t> corrupt_chunks_{0};
  std::atomic<uint64_t> samples_beyond_retention_{0};
  std::atomic<uint64_t> retention_deleted_chunks_{0};
  std::atomic<bool> disk_full_{false};

  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread flusher_;
};

// One upload's writes. Nothing is visible, to queries or to a later upload,
// until Commit() returns OK; destroyed without it, everything rolls back.
class SampleStore::UploadWrite {
 public:
  ~UploadWrite();
  UploadWrite(const UploadWrite&) = delete;
  UploadWrite& operator=(const UploadWrite&) = delete;

  // Whether batch `sequence` of this outbox was stored before: below the
  // floor stored before this upload, or in the ledger (including batches
  // stored earlier in this upload).
  Result<bool> IsStored(uint64_t sequence);

  // Takes every sample of `batch` with the label agent=<agent> (replacing
  // any agent label the batch carried: one agent never writes another's
  // series); `samples_refused` goes to its ledger row. Returns how many
  // samples it takes. Series left without samples are not created.
  // REQUIRES: !IsStored(batch.sequence), batch.outbox_id is this upload's.
  Result<uint64_t> Store(const Batch& batch, uint64_t samples_refused);

  // Writes the ledger rows and the log record, raises the floor to the
  // upload's (never lowers it) and commits. The durability boundary: only
  // after OK may the upload be acknowledged. Returns what the whole upload
  // stored; a later batch's sample replacing an earlier one's counts as
  // overwritten, in the later batch's ledger row.
  Result<StoredBatch> Commit();

 private:
  friend class SampleStore;
  struct LedgerRow {
    uint64_t sequence = 0;
    uint64_t samples_stored = 0;
    uint64_t samples_overwritten = 0;
    uint64_t samples_refused = 0;
  };
  UploadWrite(SampleStore* store, std::string agent, uint64_t outbox_id,
              uint64_t floor_sequence, int64_t now_ms);
  Status Begin();

  SampleStore* store_;
  // Declared before txn_, so the lock is released after the rollback.
  std::unique_lock<std::mutex> lock_;
  Transaction txn_;
  std::string agent_;
  uint64_t outbox_id_;
  uint64_t announced_floor_;
  uint64_t stored_floor_ = 0;  // read by Begin()
  int64_t now_ms_;
  NewSeries created_;
  PendingRecord pending_;
  std::vector<LedgerRow> ledger_;
  std::set<uint64_t> sequences_;  // stored in this upload
};

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_STORAGE_SAMPLE_STORE_H_
