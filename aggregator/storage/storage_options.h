// The storage engine's settings (the `storage:` section of the aggregator's
// configuration; aggregator/config/aggregator_config.cc has each option's
// reason). Kept apart from sample_store.h so the configuration need not
// include the engine.
#ifndef WATTLINE_AGGREGATOR_STORAGE_STORAGE_OPTIONS_H_
#define WATTLINE_AGGREGATOR_STORAGE_STORAGE_OPTIONS_H_

#include <cstddef>
#include <cstdint>

namespace wattline::aggregator {

struct StorageOptions {
  // A window is closed (cut into a chunk once quiet) this long after its end
  // on the wall clock or in its series' newest sample: how late data may
  // arrive without rewriting a chunk.
  int64_t flush_grace_ms = 60 * 1000;
  // A closed window is cut once nothing was written to it for this long, so
  // a backlog arriving upload by upload is written once, not per upload.
  int64_t flush_quiet_ms = 10 * 1000;
  // How often the flusher looks for work.
  int64_t flush_interval_ms = 1000;
  // Above this many samples in the head, every window is cut, open or not.
  size_t head_pressure_samples = 8'000'000;
  // Above this many, writes are refused (ResourceExhausted; agents retry)
  // until the flusher catches up: memory stays bounded whatever arrives.
  size_t head_limit_samples = 32'000'000;
  // The most samples one flush transaction cuts: ingest waits for SQLite's
  // write lock at most that long.
  size_t flush_batch_samples = 1'000'000;
  // How long each resolution is kept; 0 keeps it for ever. Enforced in the
  // background, every retention_interval_ms from the start on (the first
  // pass one interval after it).
  int64_t raw_retention_ms = 35LL * 24 * 3600 * 1000;
  int64_t minute_retention_ms = 400LL * 24 * 3600 * 1000;
  int64_t hour_retention_ms = 20LL * 365 * 24 * 3600 * 1000;
  int64_t retention_interval_ms = 3600 * 1000;
  // Decoded chunks and hour-rollup blocks kept in memory for the queries
  // that read them again (half each; block_cache.h); 0 keeps none.
  size_t read_cache_bytes = 64 << 20;
  // Opens without writing anything, without the flusher: for inspecting a
  // file another process serves (tests, tools). Sees what was committed when
  // it opened, and chunks cut since.
  bool read_only = false;
};

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_STORAGE_STORAGE_OPTIONS_H_
