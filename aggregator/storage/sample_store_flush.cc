// The flusher: cutting the head's windows into chunks and their rollups,
// and retention. One thread (or a caller of Flush/EnforceRetention, under
// flush_mutex_) writes chunks and rollups, so what it reads of them before
// its transaction cannot change under it.
#include <algorithm>
#include <chrono>
#include <limits>
#include <map>
#include <optional>

#include "aggregator/storage/chunk_codec.h"
#include "aggregator/storage/rollup.h"
#include "aggregator/storage/row_key.h"
#include "aggregator/storage/sample_points.h"
#include "aggregator/storage/sample_store.h"
#include "aggregator/storage/stored_blob.h"
#include "common/log.h"

namespace wattline::aggregator {
namespace {

// What cutting one head window writes.
struct WindowCut {
  int64_t samples = 0;
  int64_t replaced_samples = 0;  // of the chunk this one replaces
  bool replaces = false;
  uint64_t merged_over = 0;  // samples of the old chunk the head's replaced
  std::string chunk;
  std::vector<Rollup> hour;       // the window's hours
  std::string quarantine_reason;  // set when the old chunk is kept aside
  std::string quarantine_data;
  int64_t quarantine_checksum = 0;
};

// Merges `window` with its chunk on disk and encodes the result.
Result<WindowCut> CutWindow(Statement& existing, const HeadWindow& window,
                            std::atomic<uint64_t>* corrupt) {
  WindowCut cut;
  std::vector<SamplePoint> samples;
  existing.Bind(1, WindowKey(window.series, window.start_ms));
  Result<bool> found = existing.Step();
  if (!found.ok()) return found.status();
  if (*found) {
    cut.replaces = true;
    cut.replaced_samples = existing.ColumnInt64(2);
    const std::string_view data = existing.ColumnBlob(1);
    Status decoded = CheckStoredBlob(data, existing.ColumnInt64(0));
    if (decoded.ok()) decoded = DecodeChunk(data, &samples);
    if (!decoded.ok()) {
      // Kept aside, not lost: the window goes on with the head's samples.
      ++*corrupt;
      LogError("storage", "chunk of series " + std::to_string(window.series) + " at " +
                              std::to_string(window.start_ms) +
                              " quarantined: " + decoded.ToString());
      cut.quarantine_reason = decoded.ToString();
      cut.quarantine_data = std::string(data);
      cut.quarantine_checksum = existing.ColumnInt64(0);
      samples.clear();
    }
  }
  existing.Reset();
  cut.merged_over = MergeSamples(samples, window.samples);
  cut.samples = static_cast<int64_t>(samples.size());
  cut.chunk = EncodeChunk(samples);
  cut.hour = ComputeRollups(samples, kHourResolutionMs);
  return cut;
}

using BlockKey = std::pair<SeriesId, int64_t>;  // series, block start

// The hour buckets of the blocks a flush touches, loaded once per flush.
class HourBlocks {
 public:
  explicit HourBlocks(SqliteDb& db) : db_(db) {}

  // Puts the hour buckets of the window at `window_start_ms` (`hour`, maybe
  // none) in its block, in place of the ones it had.
  Status Place(SeriesId series, int64_t window_start_ms, const std::vector<Rollup>& hour,
               std::atomic<uint64_t>* corrupt) {
    const BlockKey key{series, AlignDown(window_start_ms, RollupBlockMs(kHourResolutionMs))};
    auto it = blocks_.find(key);
    if (it == blocks_.end()) {
      Result<std::vector<Rollup>> loaded = Load(key, corrupt);
      if (!loaded.ok()) return loaded.status();
      it = blocks_.emplace(key, std::move(*loaded)).first;
    }
    std::vector<Rollup>& buckets = it->second;
    std::erase_if(buckets, [&](const Rollup& r) {
      return r.start_ms >= window_start_ms && r.start_ms < window_start_ms + kChunkWindowMs;
    });
    for (const Rollup& bucket : hour) {
      auto at = std::lower_bound(
          buckets.begin(), buckets.end(), bucket,
          [](const Rollup& a, const Rollup& b) { return a.start_ms < b.start_ms; });
      buckets.insert(at, bucket);
    }
    return Status::Ok();
  }

  // The row keys of every touched block.
  std::vector<int64_t> RowKeys() const {
    std::vector<int64_t> keys;
    for (const auto& entry : blocks_)
      keys.push_back(HourBlockKey(entry.first.first, entry.first.second));
    return keys;
  }

  // Writes every touched block. REQUIRES: inside the flush's transaction.
  Status Write(Statement& upsert, Statement& remove) {
    for (const auto& [key, buckets] : blocks_) {
      const int64_t row_key = HourBlockKey(key.first, key.second);
      if (buckets.empty()) {
        remove.Bind(1, row_key);
        WATTLINE_RETURN_IF_ERROR(remove.Run());
        remove.Reset();
        continue;
      }
      const std::string data = EncodeRollups(buckets);
      upsert.Bind(1, row_key).Bind(2, StoredChecksum(data)).BindBlob(3, data);
      WATTLINE_RETURN_IF_ERROR(upsert.Run());
      upsert.Reset();
    }
    return Status::Ok();
  }

 private:
  Result<std::vector<Rollup>> Load(const BlockKey& key, std::atomic<uint64_t>* corrupt) {
    Result<Statement> read = db_.Prepare("SELECT checksum, data FROM hour_rollups WHERE key = ?1");
    if (!read.ok()) return read.status();
    read->Bind(1, HourBlockKey(key.first, key.second));
    Result<bool> found = read->Step();
    if (!found.ok()) return found.status();
    std::vector<Rollup> buckets;
    if (!*found) return buckets;
    Status decoded = CheckStoredBlob(read->ColumnBlob(1), read->ColumnInt64(0));
    if (decoded.ok()) decoded = DecodeRollups(read->ColumnBlob(1), &buckets);
    if (!decoded.ok()) {
      // Rebuilt from the windows cut from now on; the others' hours are lost
      // from this resolution (their minutes and raw samples remain).
      ++*corrupt;
      LogError("storage", "hour rollups of series " + std::to_string(key.first) + " at " +
                              std::to_string(key.second) + " rebuilt: " + decoded.ToString());
      buckets.clear();
    }
    return buckets;
  }

  SqliteDb& db_;
  std::map<BlockKey, std::vector<Rollup>> blocks_;
};

// The longest the WAL goes without a checkpoint while only small writes come.
constexpr int64_t kCheckpointIntervalMs = 60 * 1000;

// How long a closed window must go unwritten to be cut when memory is short.
constexpr int64_t kPressureQuietMs = 1000;

// The most rows one retention transaction deletes, so none grows large.
constexpr int kRetentionBatchRows = 1000;

// Deletes the rows of `table` that `where` (binding ?1 to `bound`) selects;
// returns how many.
Result<int64_t> DeleteInBatches(SqliteDb& db, const std::string& table, const std::string& where,
                                int64_t bound) {
  int64_t deleted = 0;
  for (;;) {
    Transaction txn(db);
    WATTLINE_RETURN_IF_ERROR(txn.status());
    Result<Statement> remove = db.Prepare("DELETE FROM " + table +
                                          " WHERE rowid IN (SELECT rowid "
                                          "FROM " +
                                          table + " WHERE " + where + " LIMIT " +
                                          std::to_string(kRetentionBatchRows) + ")");
    if (!remove.ok()) return remove.status();
    remove->Bind(1, bound);
    WATTLINE_RETURN_IF_ERROR(remove->Run());
    const int changes = db.Changes();
    WATTLINE_RETURN_IF_ERROR(txn.Commit());
    deleted += changes;
    if (changes == 0) return deleted;
  }
}

// Deletes the hour blocks starting at or before `bound` (main file): per
// series, the start of its key range (series-major, row_key.h), found by a
// seek each. A condition on the block's start instead scanned every block,
// reading the whole main file every hour and at every start.
Result<int64_t> ExpireHourBlocks(SqliteDb& db, int64_t bound) {
  if (bound < 0) return 0;
  std::vector<SeriesId> series;
  {
    Result<Statement> ids = db.Prepare("SELECT id FROM series ORDER BY id");
    if (!ids.ok()) return ids.status();
    for (;;) {
      Result<bool> row = ids->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      series.push_back(ids->ColumnInt64(0));
    }
  }
  const int64_t last_block = AlignDown(bound, RollupBlockMs(kHourResolutionMs));
  int64_t deleted = 0;
  for (size_t first = 0; first < series.size(); first += kRetentionBatchRows) {
    Transaction txn(db);
    WATTLINE_RETURN_IF_ERROR(txn.status());
    Result<Statement> remove = db.Prepare("DELETE FROM hour_rollups WHERE key BETWEEN ?1 AND ?2");
    if (!remove.ok()) return remove.status();
    const size_t end = std::min(series.size(), first + kRetentionBatchRows);
    for (size_t i = first; i < end; ++i) {
      remove->Bind(1, HourBlockKey(series[i], 0)).Bind(2, HourBlockKey(series[i], last_block));
      WATTLINE_RETURN_IF_ERROR(remove->Run());
      deleted += db.Changes();
      remove->Reset();
    }
    WATTLINE_RETURN_IF_ERROR(txn.Commit());
  }
  return deleted;
}

// In one transaction on the main file: the touched hour rollups written,
// and the ingest log's records below `log_floor` deleted. Returns how many
// records went.
Result<int> WriteHourRollupsAndTrimLog(SqliteDb& db, HourBlocks& hour_blocks, int64_t log_floor) {
  Transaction txn(db);
  WATTLINE_RETURN_IF_ERROR(txn.status());
  Result<Statement> upsert =
      db.Prepare("INSERT OR REPLACE INTO hour_rollups (key, checksum, data) VALUES (?1, ?2, ?3)");
  Result<Statement> remove = db.Prepare("DELETE FROM hour_rollups WHERE key = ?1");
  Result<Statement> trim = db.Prepare("DELETE FROM ingest_log WHERE id < ?1");
  for (const Result<Statement>* statement : {&upsert, &remove, &trim}) {
    if (!statement->ok()) return statement->status();
  }
  WATTLINE_RETURN_IF_ERROR(hour_blocks.Write(*upsert, *remove));
  trim->Bind(1, log_floor);
  WATTLINE_RETURN_IF_ERROR(trim->Run());
  const int trimmed = db.Changes();
  WATTLINE_RETURN_IF_ERROR(txn.Commit().WithContext("commit hour rollups and trim the log"));
  return trimmed;
}

// What expiring raw chunks removed.
struct Expired {
  int64_t chunks = 0;
  int64_t samples = 0;
};

// Deletes the chunks of windows starting at or before `bound`. With
// `keep_minutes`, each chunk's minute rollups are written first, in the same
// transaction: minutes outlive raw samples, and until then they are computed
// from the raw samples when read, costing no disk.
Result<Expired> ExpireChunks(SqliteDb& db, int64_t bound, bool keep_minutes,
                             std::atomic<uint64_t>* corrupt) {
  Expired expired;
  // Every key below this one is of a window starting at or before `bound`.
  const int64_t bound_key =
      bound < 0 ? 0 : WindowKey(0, AlignDown(bound, kChunkWindowMs) + kChunkWindowMs);
  {
    // Nothing to expire (most hours): no transaction, and no minute table
    // made before the first minutes are.
    Result<Statement> any = db.Prepare("SELECT 1 FROM chunks WHERE key < ?1 LIMIT 1");
    if (!any.ok()) return any.status();
    any->Bind(1, bound_key);
    Result<bool> found = any->Step();
    if (!found.ok()) return found.status();
    if (!*found) return expired;
  }
  for (;;) {
    Transaction txn(db);
    WATTLINE_RETURN_IF_ERROR(txn.status());
    // In key order: time-major, so the minute rollups append.
    Result<Statement> rows = db.Prepare(
        "SELECT key, samples, checksum, data FROM chunks WHERE key < ?1 ORDER BY key LIMIT " +
        std::to_string(kRetentionBatchRows));
    Result<Statement> remove = db.Prepare("DELETE FROM chunks WHERE key = ?1");
    for (const Result<Statement>* statement : {&rows, &remove}) {
      if (!statement->ok()) return statement->status();
    }
    std::optional<Statement> minutes;
    if (keep_minutes) {
      WATTLINE_RETURN_IF_ERROR(db.Exec(std::string(MinuteRollupsTableSchema())));
      Result<Statement> prepared = db.Prepare(
          "INSERT OR REPLACE INTO minute_rollups (key, checksum, data) VALUES (?1, ?2, ?3)");
      if (!prepared.ok()) return prepared.status();
      minutes.emplace(std::move(*prepared));
    }
    rows->Bind(1, bound_key);
    std::vector<int64_t> rowids;
    std::vector<SamplePoint> samples;
    for (;;) {
      Result<bool> row = rows->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      const int64_t key = rows->ColumnInt64(0);
      rowids.push_back(key);
      expired.samples += rows->ColumnInt64(1);
      if (!keep_minutes) continue;
      samples.clear();
      const std::string_view data = rows->ColumnBlob(3);
      Status decoded = CheckStoredBlob(data, rows->ColumnInt64(2));
      if (decoded.ok()) decoded = DecodeChunk(data, &samples);
      if (!decoded.ok()) {
        ++*corrupt;
        LogError("storage", "expired chunk of series " + std::to_string(WindowKeySeries(key)) +
                                " at " + std::to_string(WindowKeyStartMs(key)) +
                                " left no minute rollups: " + decoded.ToString());
        continue;
      }
      const std::vector<Rollup> buckets = ComputeRollups(samples, kMinuteResolutionMs);
      if (buckets.empty()) continue;  // stale markers only
      const std::string encoded = EncodeRollups(buckets);
      // A minute block is a chunk's window: the same key.
      minutes->Bind(1, key).Bind(2, StoredChecksum(encoded)).BindBlob(3, encoded);
      WATTLINE_RETURN_IF_ERROR(minutes->Run());
      minutes->Reset();
    }
    for (int64_t rowid : rowids) {
      remove->Bind(1, rowid);
      WATTLINE_RETURN_IF_ERROR(remove->Run());
      remove->Reset();
    }
    WATTLINE_RETURN_IF_ERROR(txn.Commit());
    expired.chunks += static_cast<int64_t>(rowids.size());
    if (rowids.size() < static_cast<size_t>(kRetentionBatchRows)) return expired;
  }
}

}  // namespace

Status SampleStore::Flush(Head::Selection selection) {
  return CutWindows(selection, options_.flush_quiet_ms);
}

Status SampleStore::CutWindows(Head::Selection selection, int64_t quiet_ms) {
  if (options_.read_only) return Status::Ok();
  std::lock_guard<std::mutex> lock(flush_mutex_);
  SqliteDb& db = *chunk_db_;
  // Bounded, so a flood of writes cannot keep one call going for ever.
  bool cut_any = false;
  for (int pass = 0; pass < 64; ++pass) {
    FlushSelection selected =
        head_.Select(selection, clock_->NowUnixMs(), clock_->NowMonotonicMs(),
                     options_.flush_grace_ms, quiet_ms, options_.flush_batch_samples);
    if (selected.windows.empty()) break;
    // Windows wholly older than the raw retention are not kept: a late
    // sample for them would otherwise rebuild a chunk retention removed,
    // and rollups from that sample alone.
    const int64_t raw_horizon = options_.raw_retention_ms > 0
                                    ? clock_->NowUnixMs() - options_.raw_retention_ms
                                    : std::numeric_limits<int64_t>::min();

    // Merge and encode outside the transaction, so ingest waits for
    // SQLite's write lock only while the rows are written.
    std::vector<WindowCut> cuts(selected.windows.size());
    std::vector<bool> kept(selected.windows.size(), false);
    HourBlocks hour_blocks(*flusher_db_);
    uint64_t beyond_retention = 0;
    {
      Result<Statement> existing =
          db.Prepare("SELECT checksum, data, samples FROM chunks WHERE key = ?1");
      if (!existing.ok()) return existing.status();
      for (size_t i = 0; i < cuts.size(); ++i) {
        const HeadWindow& window = selected.windows[i];
        if (window.start_ms + head_.window_ms() <= raw_horizon) {
          beyond_retention += window.samples.size();
          continue;
        }
        Result<WindowCut> cut = CutWindow(*existing, window, &corrupt_chunks_);
        if (!cut.ok()) return cut.status();
        cuts[i] = std::move(*cut);
        kept[i] = true;
        WATTLINE_RETURN_IF_ERROR(
            hour_blocks.Place(window.series, window.start_ms, cuts[i].hour, &corrupt_chunks_));
      }
    }

    Transaction txn(db);
    WATTLINE_RETURN_IF_ERROR(txn.status());
    Result<Statement> insert = db.Prepare(
        "INSERT OR REPLACE INTO chunks (key, samples, checksum, data) VALUES (?1, ?2, ?3, ?4)");
    if (!insert.ok()) return insert.status();
    // In key order: a window's rows then append to the table's last page
    // rather than split pages in the middle (row_key.h).
    std::vector<size_t> order;
    for (size_t i = 0; i < cuts.size(); ++i) {
      if (kept[i]) order.push_back(i);
    }
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return WindowKey(selected.windows[a].series, selected.windows[a].start_ms) <
             WindowKey(selected.windows[b].series, selected.windows[b].start_ms);
    });
    std::optional<Statement> quarantine;
    for (size_t i : order) {
      const HeadWindow& window = selected.windows[i];
      const WindowCut& cut = cuts[i];
      insert->Bind(1, WindowKey(window.series, window.start_ms))
          .Bind(2, cut.samples)
          .Bind(3, StoredChecksum(cut.chunk))
          .BindBlob(4, cut.chunk);
      WATTLINE_RETURN_IF_ERROR(insert->Run());
      insert->Reset();
      if (!cut.quarantine_reason.empty()) {
        if (!quarantine) {
          WATTLINE_RETURN_IF_ERROR(db.Exec(std::string(QuarantineTableSchema())));
          Result<Statement> prepared = db.Prepare(
              "INSERT INTO quarantined_chunks (series_id, window_start_ms, quarantined_at_ms, "
              "reason, checksum, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
          if (!prepared.ok()) return prepared.status();
          quarantine.emplace(std::move(*prepared));
        }
        quarantine->Bind(1, window.series)
            .Bind(2, window.start_ms)
            .Bind(3, clock_->NowUnixMs())
            .BindText(4, cut.quarantine_reason)
            .Bind(5, cut.quarantine_checksum)
            .BindBlob(6, cut.quarantine_data);
        WATTLINE_RETURN_IF_ERROR(quarantine->Run());
        quarantine->Reset();
      }
    }
    Status committed = txn.Commit().WithContext("commit chunks");
    if (!committed.ok()) {
      NoteWriteError(committed);
      return committed;
    }
    for (size_t i = 0; i < cuts.size(); ++i) {
      if (!kept[i]) continue;
      if (!cuts[i].replaces) ++chunks_;
      chunk_samples_ += cuts[i].samples - cuts[i].replaced_samples;
      samples_merged_over_ += cuts[i].merged_over;
    }
    samples_beyond_retention_ += beyond_retention;
    ++flushes_;
    cut_any = true;
    // The samples are in the chunk file now. Only then, in one transaction
    // on the main file, do the windows' hour rollups go in and the log
    // records that held their samples go: a crash between the two commits
    // replays records whose samples are already in chunks, which merges to
    // the same samples and cuts the same rollups. Until that commit the
    // windows stay in the head, so reads compute their hours from raw.
    Result<int> trimmed = WriteHourRollupsAndTrimLog(*flusher_db_, hour_blocks, selected.log_floor);
    if (!trimmed.ok()) {
      NoteWriteError(trimmed.status());
      return trimmed.status();
    }
    log_records_ -= *trimmed;
    // In this order (block_cache.h, reader_pool.h): a read that finds the
    // head's copy gone finds its held transaction stale and the caches
    // without the rows these commits replaced.
    ++head_releases_;
    std::vector<int64_t> chunk_keys;
    for (const HeadWindow& window : selected.windows) {
      chunk_keys.push_back(WindowKey(window.series, window.start_ms));
    }
    chunk_cache_.Forget(chunk_keys);
    chunk_minutes_cache_.Forget(chunk_keys);
    hour_rollup_cache_.Forget(hour_blocks.RowKeys());
    head_.Release(selected.windows);
  }
  // The WAL is copied back into the database here, never on the ingest
  // path; PASSIVE never waits for readers. After chunks were cut (a lot
  // written), or else once a minute: the pages every upload rewrites (the
  // log's last page, the ledger's, the floors') then reach the database
  // file once a minute, not once an upload.
  if (cut_any) WATTLINE_RETURN_IF_ERROR(db.Exec("PRAGMA wal_checkpoint(PASSIVE)"));
  const int64_t now_mono_ms = clock_->NowMonotonicMs();
  if (!cut_any && now_mono_ms < next_checkpoint_mono_ms_) return Status::Ok();
  next_checkpoint_mono_ms_ = now_mono_ms + kCheckpointIntervalMs;
  return flusher_db_->Exec("PRAGMA wal_checkpoint(PASSIVE)");
}

Status SampleStore::EnforceRetention() {
  if (options_.read_only) return Status::Ok();
  std::lock_guard<std::mutex> lock(flush_mutex_);
  SqliteDb& db = *chunk_db_;
  const int64_t now_ms = clock_->NowUnixMs();
  // A chunk or block goes once all of its span is older than the retention.
  if (options_.raw_retention_ms > 0) {
    const bool keep_minutes = options_.minute_retention_ms == 0 ||
                              options_.minute_retention_ms > options_.raw_retention_ms;
    Result<Expired> expired = ExpireChunks(
        db, now_ms - options_.raw_retention_ms - head_.window_ms(), keep_minutes, &corrupt_chunks_);
    if (!expired.ok()) return expired.status();
    chunks_ -= expired->chunks;
    chunk_samples_ -= expired->samples;
    retention_deleted_chunks_ += static_cast<uint64_t>(expired->chunks);
    if (expired->chunks > 0) {  // expired ones are not shown
      chunk_cache_.ForgetAll();
      chunk_minutes_cache_.ForgetAll();
    }
  }
  for (const auto& [resolution, retention] :
       {std::pair{kMinuteResolutionMs, options_.minute_retention_ms},
        std::pair{kHourResolutionMs, options_.hour_retention_ms}}) {
    if (retention <= 0) continue;
    if (resolution == kMinuteResolutionMs) {
      Result<bool> made = db.HasTable("minute_rollups");
      if (!made.ok()) return made.status();
      if (!*made) continue;
    }
    // Minute blocks are keyed time-major (a key range); hour blocks
    // series-major (a key range a series).
    const int64_t bound = now_ms - retention - RollupBlockMs(resolution);
    Result<int64_t> deleted =
        resolution == kMinuteResolutionMs
            ? DeleteInBatches(
                  db, "minute_rollups", "key < ?1",
                  bound < 0 ? 0 : WindowKey(0, AlignDown(bound, kChunkWindowMs) + kChunkWindowMs))
            : ExpireHourBlocks(*flusher_db_, bound);
    if (!deleted.ok()) return deleted.status();
    if (resolution == kHourResolutionMs && *deleted > 0) hour_rollup_cache_.ForgetAll();
  }
  return Status::Ok();
}

Status SampleStore::ReleaseFreePages(bool all) {
  if (options_.read_only) return Status::Ok();
  std::lock_guard<std::mutex> lock(flush_mutex_);
  for (SqliteDb* db : {flusher_db_.get(), chunk_db_.get()}) {
    int64_t free_pages = 0;
    int64_t total_pages = 0;
    {
      Result<Statement> pages = db->Prepare(
          "SELECT freelist_count, page_count FROM pragma_freelist_count(), "
          "pragma_page_count()");
      if (!pages.ok()) return pages.status();
      Result<bool> row = pages->Step();
      if (!row.ok()) return row.status();
      free_pages = pages->ColumnInt64(0);
      total_pages = pages->ColumnInt64(1);
    }
    // Free pages are reused by the next writes: they are worth giving back
    // only when many (a quarter of the file, after retention removed a lot),
    // and then a bounded number at a time, as it holds the write lock.
    if (free_pages == 0 || (!all && free_pages * 4 < total_pages)) continue;
    const int64_t release = all ? free_pages : std::min<int64_t>(free_pages, 1024);
    WATTLINE_RETURN_IF_ERROR(
        db->Exec("PRAGMA incremental_vacuum(" + std::to_string(release) + ")"));
  }
  return Status::Ok();
}

void SampleStore::RunFlusher() {
  std::unique_lock<std::mutex> lock(stop_mutex_);
  // Not at the start, when dashboards reconnect and the page cache is cold:
  // retention's reads would compete with theirs, and an hour later changes
  // nothing. Every interval from then on.
  int64_t next_retention_ms = clock_->NowMonotonicMs() + options_.retention_interval_ms;
  while (!stopping_) {
    stop_cv_.wait_for(lock, std::chrono::milliseconds(options_.flush_interval_ms));
    if (stopping_) break;
    lock.unlock();
    Status done;
    if (head_.samples() <= options_.head_pressure_samples) {
      done = Flush(Head::Selection::kDue);
    } else {
      // Memory first: closed windows without waiting for them to be quiet
      // (a second will do, so the window a backlog is filling is not cut and
      // rewritten upload by upload), then, if that was not enough, all.
      done = CutWindows(Head::Selection::kDue, kPressureQuietMs);
      if (done.ok() && head_.samples() > options_.head_pressure_samples) {
        done = CutWindows(Head::Selection::kAll, 0);
      }
    }
    if (done.ok() && clock_->NowMonotonicMs() >= next_retention_ms) {
      done = EnforceRetention();
      if (done.ok()) done = ReleaseFreePages(false);
      next_retention_ms = clock_->NowMonotonicMs() + options_.retention_interval_ms;
    }
    if (!done.ok()) {
      // The head and the log keep everything; the next pass tries again.
      if (flush_errors_++ % 60 == 0) {
        LogError("storage", "cutting chunks failed (will retry): " + done.ToString());
      }
    }
    lock.lock();
  }
}

}  // namespace wattline::aggregator
