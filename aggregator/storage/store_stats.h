// What the storage engine reports about itself, for /metrics.
#ifndef WATTLINE_AGGREGATOR_STORAGE_STORE_STATS_H_
#define WATTLINE_AGGREGATOR_STORAGE_STORE_STATS_H_

#include <cstdint>

namespace wattline::aggregator {

struct StoreStats {
  int64_t series = 0;
  // In chunks plus in the head; a sample in both (late data for a cut
  // window) counts twice until its window is cut again.
  int64_t samples = 0;
  int64_t head_samples = 0;
  int64_t chunks = 0;
  int64_t log_records = 0;  // not yet cut into chunks
  int64_t disk_bytes = 0;   // the database file and its WAL
  int64_t free_bytes = 0;   // pages of the file SQLite holds free for reuse
  uint64_t flushes = 0;
  uint64_t flush_errors = 0;
  uint64_t samples_merged_over = 0;
  uint64_t corrupt_chunks = 0;  // detected by checksum or decoding, skipped
  uint64_t retention_deleted_chunks = 0;
  // Late samples for windows older than the raw retention, not kept.
  uint64_t samples_beyond_retention = 0;
  // The caches of decoded chunks and hour rollups (block_cache.h).
  uint64_t read_cache_hits = 0;
  uint64_t read_cache_misses = 0;
  int64_t read_cache_bytes = 0;
  bool writable = true;  // false after a write failed for lack of disk
};

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_STORAGE_STORE_STATS_H_
