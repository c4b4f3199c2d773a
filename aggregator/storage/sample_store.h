// The aggregator's storage for this first slice: one SQLite file holding
// series, samples and which agent batches are stored. The real engine (head,
// chunks, rollups) replaces the sample table behind the same SeriesReader.
//
// Durability: an upload's writes are one transaction (UploadWrite), committed
// (WAL, synchronous=FULL) before the ingest handler builds its ack.
//
// Idempotency (docs/formats/batch.md): per (agent, outbox_id) the table
// outbox_floors keeps the floor the agent last announced (every sequence
// below it is settled) and the ledger stored_batches a row per batch stored,
// written in the same transaction as its samples. A batch is a duplicate when
// its sequence is below the floor or has a ledger row, so it is stored once
// however often and in whatever order it is sent, across restarts.
//
// Values are stored as their IEEE-754 bit pattern, so NaN payloads (such as
// Prometheus's stale marker) survive; SQLite would turn a NaN REAL into NULL.
//
// Thread-safety: all methods are thread-safe. Writes are serialised; reads use
// a second connection and run concurrently with them.
#ifndef WATTLINE_AGGREGATOR_STORAGE_SAMPLE_STORE_H_
#define WATTLINE_AGGREGATOR_STORAGE_SAMPLE_STORE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "aggregator/storage/series_reader.h"
#include "common/batch.h"
#include "common/sqlite_db.h"

namespace wattline::aggregator {

inline constexpr std::string_view kAgentLabel = "agent";

// What storing one batch wrote.
struct StoredBatch {
  uint64_t samples_stored = 0;
  // Of those, samples that replaced one already stored for the same series
  // and timestamp: a sign of duplicated data or of clock trouble.
  uint64_t samples_overwritten = 0;
};

struct StoreStats {
  int64_t series = 0;
  int64_t samples = 0;
};

// The schema versions, oldest first: version i + 1 is what
// SampleStoreSchemas()[i] makes of version i. For migration tests.
const std::vector<std::string_view>& SampleStoreSchemas();

class SampleStore final : public SeriesReader {
 public:
  class UploadWrite;

  static Result<std::unique_ptr<SampleStore>> Open(const std::string& path);

  // Begins the one transaction that stores an upload of `agent`'s outbox
  // `outbox_id`, announcing `floor_sequence`; `now_ms` stamps its ledger rows.
  // The UploadWrite holds the store's write lock until it is destroyed: use
  // it on one thread and do not keep it past the request.
  Result<std::unique_ptr<UploadWrite>> BeginUpload(std::string_view agent, uint64_t outbox_id,
                                                   uint64_t floor_sequence, int64_t now_ms);

  Result<std::vector<SeriesRef>> Select(const LabelMatchers& matchers) override;
  Result<std::vector<SamplePoint>> ReadSamples(SeriesId id, int64_t mint_ms,
                                               int64_t maxt_ms) override;
  Result<StoreStats> Stats();

 private:
  SampleStore(std::unique_ptr<SqliteDb> writer, std::unique_ptr<SqliteDb> reader)
      : writer_(std::move(writer)), reader_(std::move(reader)) {}
  Status LoadSeries();
  // REQUIRES: write_mutex_ held, inside a transaction; `created` holds the
  // series this transaction made so far.
  Result<SeriesId> SeriesIdFor(const Labels& labels, std::vector<SeriesRef>* created);

  std::mutex write_mutex_;
  std::unique_ptr<SqliteDb> writer_;
  std::mutex read_mutex_;
  std::unique_ptr<SqliteDb> reader_;
  // Every series, by its text form. Guarded by index_mutex_.
  std::mutex index_mutex_;
  std::map<std::string, SeriesRef> series_;
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

  // Stores every sample of `batch` with the label agent=<agent> (replacing
  // any agent label the batch carried: one agent never writes another's
  // series) and its ledger row, which records `samples_refused` too. A second
  // sample for the same series and timestamp replaces the first, counted in
  // samples_overwritten. Series left without samples are not created.
  // REQUIRES: !IsStored(batch.sequence), batch.outbox_id is this upload's.
  Result<StoredBatch> Store(const Batch& batch, uint64_t samples_refused);

  // Raises the floor to the upload's (never lowers it) and commits. The
  // durability boundary: only after OK may the upload be acknowledged.
  Status Commit();

 private:
  friend class SampleStore;
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
  std::vector<SeriesRef> created_;  // series made by this upload, not yet committed
};

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_STORAGE_SAMPLE_STORE_H_
