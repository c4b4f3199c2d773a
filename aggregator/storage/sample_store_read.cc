// Reads: raw samples and rollups, the head's merged over what is on disk,
// concurrent with writes and the flusher.
#include <algorithm>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aggregator/storage/chunk_codec.h"
#include "aggregator/storage/reader_pool.h"
#include "aggregator/storage/row_key.h"
#include "aggregator/storage/sample_points.h"
#include "aggregator/storage/sample_store.h"
#include "aggregator/storage/stored_blob.h"
#include "common/log.h"

namespace wattline::aggregator {
namespace {

// The first and last window start of the rows of `table` (keyed by
// WindowKey), or nullopt when it has none: the windows worth looking up.
// Two subqueries: SQLite answers a lone min() or max() of the rowid from the
// B-tree's ends, but scans the table for both in one query.
Result<std::optional<std::pair<int64_t, int64_t>>> WindowExtent(SqliteDb& db,
                                                                const std::string& table) {
  Result<Statement> extent = db.Prepare("SELECT (SELECT min(key) FROM " + table +
                                        "), (SELECT max(key) FROM " + table + ")");
  if (!extent.ok()) return extent.status();
  Result<bool> any = extent->Step();
  if (!any.ok()) return any.status();
  if (!*any || extent->ColumnIsNull(0)) return std::optional<std::pair<int64_t, int64_t>>();
  return std::optional(std::pair(WindowKeyStartMs(extent->ColumnInt64(0)),
                                 WindowKeyStartMs(extent->ColumnInt64(1))));
}

// Calls `visit(row, window_start_ms)` for the row of `table` (keyed by
// WindowKey, selecting `columns`) of each window of series `id` starting in
// [first_start_ms, last_start_ms], oldest first. The rows are time-major,
// so a series' windows are not adjacent: one lookup a window, within the
// windows the table holds at all.
template <typename Visit>
Status ForEachWindowRow(SqliteDb& db, const std::string& table, const std::string& columns,
                        SeriesId id, int64_t first_start_ms, int64_t last_start_ms, Visit visit) {
  Result<std::optional<std::pair<int64_t, int64_t>>> extent = WindowExtent(db, table);
  if (!extent.ok()) return extent.status();
  if (!*extent) return Status::Ok();
  const int64_t from = std::max(first_start_ms, (*extent)->first);
  const int64_t to = std::min(last_start_ms, (*extent)->second);
  Result<Statement> row = db.Prepare("SELECT " + columns + " FROM " + table + " WHERE key = ?1");
  if (!row.ok()) return row.status();
  for (int64_t start = from; start <= to; start += kChunkWindowMs) {
    row->Bind(1, WindowKey(id, start));
    Result<bool> found = row->Step();
    if (!found.ok()) return found.status();
    if (*found) visit(*row, start);
    row->Reset();
  }
  return Status::Ok();
}

// Decodes a stored row, `data` checked against `checksum`, into `out` with
// `decode`. A row that fails is skipped: logged as `what` of series `id` at
// `start_ms`, counted in `corrupt`, and false returned.
template <typename T>
bool DecodeStoredRow(std::string_view data, int64_t checksum,
                     Status (*decode)(std::string_view, std::vector<T>*), std::vector<T>* out,
                     std::string_view what, SeriesId id, int64_t start_ms,
                     std::atomic<uint64_t>* corrupt) {
  Status status = CheckStoredBlob(data, checksum);
  if (status.ok()) status = decode(data, out);
  if (status.ok()) return true;
  ++*corrupt;
  LogError("storage", std::string(what) + " of series " + std::to_string(id) + " at " +
                          std::to_string(start_ms) + " skipped: " + status.ToString());
  return false;
}

// A table whose rows are decoded and cached by key.
template <typename T>
struct CachedTable {
  BlockCache<T>& cache;
  ReaderPool* pool;
  const char* table;
  const char* what;                  // what a row is, for the log
  int64_t (*start_of)(int64_t key);  // the row's start time, for the log
  Status (*decode)(std::string_view data, std::vector<T>* out);
};

// Visits the decoded rows of series `id` at `keys` (shared), in order: from
// the cache, or read from the table by key (on a lease of its pool, taken
// only if one is missing) and kept. A row that fails its checksum or
// decoding is skipped, logged and counted in `corrupt`.
template <typename T, typename Visit>
Status ForEachCachedRow(const CachedTable<T>& source, SeriesId id, std::span<const int64_t> keys,
                        std::atomic<uint64_t>* corrupt, Visit visit) {
  // Before the lease: see block_cache.h and reader_pool.h for why.
  const uint64_t ticket = source.cache.Ticket();
  std::optional<ReaderLease> reader;
  std::optional<Statement> row;  // destroyed before the lease
  for (int64_t key : keys) {
    typename BlockCache<T>::Rows rows = source.cache.Find(key);
    if (rows == nullptr) {
      if (!row) {
        reader.emplace(source.pool);
        WATTLINE_RETURN_IF_ERROR(reader->Take());
        Result<Statement> prepared = reader->db().Prepare(
            std::string("SELECT checksum, data FROM ") + source.table + " WHERE key = ?1");
        if (!prepared.ok()) return prepared.status();
        row.emplace(std::move(*prepared));
      }
      row->Bind(1, key);
      Result<bool> found = row->Step();
      if (!found.ok()) return found.status();
      auto decoded = std::make_shared<std::vector<T>>();
      const bool usable =
          !*found || DecodeStoredRow(row->ColumnBlob(1), row->ColumnInt64(0), source.decode,
                                     decoded.get(), source.what, id, source.start_of(key), corrupt);
      row->Reset();
      if (!usable) continue;
      rows = std::move(decoded);
      source.cache.Keep(key, rows, ticket);
    }
    visit(rows);
  }
  return Status::Ok();
}

// A chunk's minute rollups: what its samples give.
Status DecodeChunkMinutes(std::string_view data, std::vector<Rollup>* out) {
  std::vector<SamplePoint> samples;
  WATTLINE_RETURN_IF_ERROR(DecodeChunk(data, &samples));
  *out = ComputeRollups(samples, kMinuteResolutionMs);
  return Status::Ok();
}

// Ranges of more windows or blocks than this are bounded by what the
// table holds before each is looked up (a query from 1970 to now), or
// scanned; shorter ones are looked up one by one, in the cache first.
constexpr int64_t kShortRangeRows = 64;

// The held readers of both files.
class HeldStoreReads final : public HeldReads {
 public:
  HeldStoreReads(ReaderPool* chunk_readers, ReaderPool* main_readers,
                 const std::atomic<uint64_t>* generation)
      : chunks_(chunk_readers, generation), main_(main_readers, generation) {}

 private:
  HeldReader chunks_;
  HeldReader main_;
};

}  // namespace

std::unique_ptr<HeldReads> SampleStore::HoldReads() {
  return std::make_unique<HeldStoreReads>(readers_.get(), main_readers_.get(), &head_releases_);
}

Result<std::vector<int64_t>> SampleStore::ChunkKeys(SeriesId id, int64_t mint_ms, int64_t maxt_ms) {
  int64_t from = head_.WindowStart(mint_ms);
  int64_t to = head_.WindowStart(maxt_ms);
  // Unsigned: a range from the earliest time to the latest spans more
  // than int64 holds.
  const uint64_t span = static_cast<uint64_t>(to) - static_cast<uint64_t>(from);
  if (span / kChunkWindowMs >= static_cast<uint64_t>(kShortRangeRows)) {
    // Within the windows the table holds at all.
    ReaderLease reader(readers_.get());
    WATTLINE_RETURN_IF_ERROR(reader.Take());
    Result<std::optional<std::pair<int64_t, int64_t>>> extent = WindowExtent(reader.db(), "chunks");
    if (!extent.ok()) return extent.status();
    if (!*extent) return std::vector<int64_t>{};
    from = std::max(from, (*extent)->first);
    to = std::min(to, (*extent)->second);
  }
  std::vector<int64_t> keys;
  for (int64_t start = from; start <= to; start += kChunkWindowMs) {
    keys.push_back(WindowKey(id, start));
  }
  return keys;
}

Result<std::vector<SamplePoint>> SampleStore::ReadSamples(SeriesId id, int64_t mint_ms,
                                                          int64_t maxt_ms) {
  if (mint_ms > maxt_ms) return std::vector<SamplePoint>{};
  // The head first: a window cut after this copy is in the chunks read
  // next, and the merge keeps one sample per timestamp.
  std::vector<SamplePoint> head;
  head_.Read(id, mint_ms, maxt_ms, &head);
  Result<std::vector<int64_t>> keys = ChunkKeys(id, mint_ms, maxt_ms);
  if (!keys.ok()) return keys.status();
  if (keys->empty()) return head;
  // The chunks first, then one copy of what is in range into a vector of
  // its final size.
  std::vector<BlockCache<SamplePoint>::Rows> chunks;
  const CachedTable<SamplePoint> table{.cache = chunk_cache_,
                                       .pool = readers_.get(),
                                       .table = "chunks",
                                       .what = "chunk",
                                       .start_of = &WindowKeyStartMs,
                                       .decode = &DecodeChunk};
  WATTLINE_RETURN_IF_ERROR(ForEachCachedRow(
      table, id, *keys, &corrupt_chunks_,
      [&](const BlockCache<SamplePoint>::Rows& chunk) { chunks.push_back(chunk); }));
  size_t total = head.size();
  for (const auto& chunk : chunks) total += chunk->size();
  std::vector<SamplePoint> out;
  out.reserve(total);
  for (const auto& chunk : chunks) AppendInRange(*chunk, mint_ms, maxt_ms, &out);
  if (!head.empty()) MergeSamples(out, head);
  return out;
}

Result<bool> SampleStore::HasSamples(SeriesId id, int64_t mint_ms, int64_t maxt_ms) {
  mint_ms = std::max<int64_t>(mint_ms, 0);
  maxt_ms = std::min(maxt_ms, kStorableTimeLimitMs - 1);
  if (mint_ms > maxt_ms) return false;
  Result<bool> raw = HasRawSamples(id, mint_ms, maxt_ms);
  if (!raw.ok() || *raw || options_.raw_retention_ms == 0) return raw;
  // Past the raw retention, samples live on in hour rollups (kept longest):
  // a bucket whose first-to-last span meets the range. That may claim a
  // range between two samples of one hour, as Prometheus claims a whole
  // block; so only where retention may have removed the raw samples (up to
  // a window later than it, as it removes whole windows).
  const int64_t expired_until =
      std::min(maxt_ms, clock_->NowUnixMs() - options_.raw_retention_ms + kChunkWindowMs);
  if (mint_ms > expired_until) return false;
  Result<std::vector<Rollup>> hours = ReadRollups(id, kHourResolutionMs, mint_ms, expired_until);
  if (!hours.ok()) return hours.status();
  return std::any_of(hours->begin(), hours->end(), [&](const Rollup& bucket) {
    return bucket.count > 0 && bucket.last_ms >= mint_ms && bucket.first_ms <= expired_until;
  });
}

Result<bool> SampleStore::HasRawSamples(SeriesId id, int64_t mint_ms, int64_t maxt_ms) {
  std::vector<SamplePoint> head;
  head_.Read(id, mint_ms, maxt_ms, &head);
  if (!head.empty()) return true;
  // The windows wholly inside the range: a chunk there has samples in it.
  const int64_t first_window = head_.WindowStart(mint_ms);
  const int64_t last_window = head_.WindowStart(maxt_ms);
  const int64_t first_inside =
      first_window == mint_ms ? first_window : first_window + kChunkWindowMs;
  const int64_t last_inside =
      maxt_ms - last_window == kChunkWindowMs - 1 ? last_window : last_window - kChunkWindowMs;
  if (first_inside <= last_inside) {
    ReaderLease reader(readers_.get());
    WATTLINE_RETURN_IF_ERROR(reader.Take());
    // Within the windows the table holds at all.
    Result<std::optional<std::pair<int64_t, int64_t>>> extent = WindowExtent(reader.db(), "chunks");
    if (!extent.ok()) return extent.status();
    if (!*extent) return false;  // no chunks, and the head had none
    const int64_t from = std::max(first_inside, (*extent)->first);
    const int64_t to = std::min(last_inside, (*extent)->second);
    Result<Statement> row = reader.db().Prepare("SELECT 1 FROM chunks WHERE key = ?1");
    if (!row.ok()) return row.status();
    for (int64_t start = to; start >= from; start -= kChunkWindowMs) {
      row->Bind(1, WindowKey(id, start));
      Result<bool> found = row->Step();
      if (!found.ok()) return found.status();
      if (*found) return true;
      row->Reset();
    }
  }
  // The windows at the ends that the range covers in part (or, without
  // whole windows, the range itself: at most two windows).
  std::vector<std::pair<int64_t, int64_t>> partial;
  if (first_inside > last_inside) {
    partial.emplace_back(mint_ms, maxt_ms);
  } else {
    if (mint_ms < first_inside) partial.emplace_back(mint_ms, first_inside - 1);
    if (maxt_ms >= last_inside + kChunkWindowMs) {
      partial.emplace_back(last_inside + kChunkWindowMs, maxt_ms);
    }
  }
  for (const auto& [from, to] : partial) {
    Result<std::vector<SamplePoint>> samples = ReadSamples(id, from, to);
    if (!samples.ok()) return samples.status();
    if (!samples->empty()) return true;
  }
  return false;
}

Result<std::vector<Rollup>> SampleStore::ReadRollups(SeriesId id, int64_t resolution_ms,
                                                     int64_t mint_ms, int64_t maxt_ms) {
  if (resolution_ms != kMinuteResolutionMs && resolution_ms != kHourResolutionMs) {
    return Status::InvalidArgument("no rollups at " + std::to_string(resolution_ms) + " ms");
  }
  std::vector<Rollup> out;
  if (mint_ms > maxt_ms) return out;
  const int64_t first_bucket = AlignDown(mint_ms, resolution_ms);
  const int64_t last_bucket_end = AlignDown(maxt_ms, resolution_ms) + resolution_ms - 1;
  // The windows still in the head are computed from their raw samples
  // (the head's and a chunk's, where late samples joined a cut window),
  // within the range. They are listed before the rollups are read: a window
  // cut in between is computed from its samples all the same.
  std::vector<std::pair<int64_t, int64_t>> from_raw;  // [start, end] ranges
  for (int64_t window : head_.WindowStarts(id, first_bucket, maxt_ms)) {
    from_raw.emplace_back(std::max(window, first_bucket),
                          std::min(window + head_.window_ms() - 1, last_bucket_end));
  }
  {
    // Minutes are in the chunk file, hours in the main file.
    auto keep = [&](const std::vector<Rollup>& block) {  // sorted by start_ms
      const auto from =
          std::lower_bound(block.begin(), block.end(), first_bucket,
                           [](const Rollup& bucket, int64_t t) { return bucket.start_ms < t; });
      const auto to =
          std::upper_bound(from, block.end(), maxt_ms,
                           [](int64_t t, const Rollup& bucket) { return t < bucket.start_ms; });
      out.insert(out.end(), from, to);
    };
    std::vector<Rollup> block;
    auto take = [&](const Statement& row, int64_t block_start_ms) {
      block.clear();
      if (DecodeStoredRow(row.ColumnBlob(1), row.ColumnInt64(0), &DecodeRollups, &block, "rollups",
                          id, block_start_ms, &corrupt_chunks_)) {
        keep(block);
      }
    };
    const int64_t block_ms = RollupBlockMs(resolution_ms);
    const int64_t first_block = std::max<int64_t>(0, AlignDown(first_bucket, block_ms));
    const int64_t last_block = std::min(AlignDown(maxt_ms, block_ms), kStorableTimeLimitMs - 1);
    if (resolution_ms == kMinuteResolutionMs) {
      {
        ReaderLease reader(readers_.get());
        WATTLINE_RETURN_IF_ERROR(reader.Take());
        // Made when raw chunks first expire into minutes.
        Result<bool> made = reader.db().HasTable("minute_rollups");
        if (!made.ok()) return made.status();
        if (*made) {
          WATTLINE_RETURN_IF_ERROR(ForEachWindowRow(reader.db(), "minute_rollups", "checksum, data",
                                                    id, first_block, last_block, take));
        }
      }
      // Where raw chunks remain, their minutes, computed once and cached.
      // A chunk expires into stored minutes in one transaction, so the two
      // hold different windows; merged in order all the same.
      Result<std::vector<int64_t>> keys = ChunkKeys(id, first_bucket, maxt_ms);
      if (!keys.ok()) return keys.status();
      const size_t stored = out.size();
      const CachedTable<Rollup> chunk_minutes{.cache = chunk_minutes_cache_,
                                              .pool = readers_.get(),
                                              .table = "chunks",
                                              .what = "chunk",
                                              .start_of = &WindowKeyStartMs,
                                              .decode = &DecodeChunkMinutes};
      WATTLINE_RETURN_IF_ERROR(
          ForEachCachedRow(chunk_minutes, id, *keys, &corrupt_chunks_,
                           [&](const BlockCache<Rollup>::Rows& buckets) { keep(*buckets); }));
      if (stored > 0 && stored < out.size()) {
        std::inplace_merge(
            out.begin(), out.begin() + static_cast<ptrdiff_t>(stored), out.end(),
            [](const Rollup& a, const Rollup& b) { return a.start_ms < b.start_ms; });
      }
    } else if (first_block <= last_block &&
               (last_block - first_block) / block_ms < kShortRangeRows) {
      std::vector<int64_t> keys;
      for (int64_t start = first_block; start <= last_block; start += block_ms) {
        keys.push_back(HourBlockKey(id, start));
      }
      const CachedTable<Rollup> table{.cache = hour_rollup_cache_,
                                      .pool = main_readers_.get(),
                                      .table = "hour_rollups",
                                      .what = "hour rollups",
                                      .start_of = &HourBlockKeyStartMs,
                                      .decode = &DecodeRollups};
      WATTLINE_RETURN_IF_ERROR(
          ForEachCachedRow(table, id, keys, &corrupt_chunks_,
                           [&](const BlockCache<Rollup>::Rows& buckets) { keep(*buckets); }));
    } else if (first_block <= last_block) {
      ReaderLease reader(main_readers_.get());
      WATTLINE_RETURN_IF_ERROR(reader.Take());
      // Series-major: a series' blocks are one range of keys.
      Result<Statement> rows = reader.db().Prepare(
          "SELECT checksum, data, key FROM hour_rollups WHERE key BETWEEN ?1 AND ?2 "
          "ORDER BY key");
      if (!rows.ok()) return rows.status();
      rows->Bind(1, HourBlockKey(id, first_block)).Bind(2, HourBlockKey(id, last_block));
      while (true) {
        Result<bool> row = rows->Step();
        if (!row.ok()) return row.status();
        if (!*row) break;
        take(*rows, HourBlockKeyStartMs(rows->ColumnInt64(2)));
      }
    }
  }
  std::vector<Rollup> computed;
  for (const auto& [from, to] : from_raw) {
    Result<std::vector<SamplePoint>> samples = ReadSamples(id, from, to);
    if (!samples.ok()) return samples.status();
    for (const Rollup& bucket : ComputeRollups(*samples, resolution_ms)) {
      if (bucket.start_ms >= first_bucket && bucket.start_ms <= maxt_ms) computed.push_back(bucket);
    }
  }
  if (!computed.empty()) {
    // Where both hold a bucket, the one from raw samples is the newer.
    std::vector<Rollup> merged;
    merged.reserve(out.size() + computed.size());
    auto earlier = [](const Rollup& a, const Rollup& b) { return a.start_ms < b.start_ms; };
    std::set_union(computed.begin(), computed.end(), out.begin(), out.end(),
                   std::back_inserter(merged), earlier);
    out = std::move(merged);
  }
  return out;
}

Status SampleStore::AppendRollups(SeriesId id, int64_t resolution_ms, int64_t mint_ms,
                                  int64_t maxt_ms, std::vector<Rollup>* out) {
  Result<std::vector<Rollup>> rollups = ReadRollups(id, resolution_ms, mint_ms, maxt_ms);
  if (!rollups.ok()) return rollups.status();
  if (out->empty()) {
    *out = std::move(rollups).value();
  } else {
    out->insert(out->end(), rollups->begin(), rollups->end());
  }
  return Status::Ok();
}

int64_t SampleStore::ResolutionFor(int64_t step_ms, int64_t from_ms) const {
  const int64_t age_ms = clock_->NowUnixMs() - from_ms;
  auto holds = [&](int64_t retention_ms) { return retention_ms == 0 || age_ms <= retention_ms; };
  // Minutes are computed from raw samples while those remain, so they reach
  // back as far as either retention.
  const bool raw = holds(options_.raw_retention_ms);
  const struct {
    int64_t resolution_ms;
    bool holds;
  } finest_first[] = {
      {0, raw},
      {kMinuteResolutionMs, raw || holds(options_.minute_retention_ms)},
      {kHourResolutionMs, holds(options_.hour_retention_ms)},
  };
  for (auto it = std::rbegin(finest_first); it != std::rend(finest_first); ++it) {
    if (it->resolution_ms <= step_ms && it->holds) return it->resolution_ms;
  }
  for (const auto& level : finest_first) {
    if (level.holds) return level.resolution_ms;
  }
  return kHourResolutionMs;  // nothing holds data that old; hours lose least
}

}  // namespace wattline::aggregator
