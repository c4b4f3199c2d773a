// The storage file's fixed layout: spans that chunks and rollups on disk
// are aligned to. Changing one changes the format (a new schema version).
// docs/storage.md gives the reasons and the figures.
#ifndef WATTLINE_AGGREGATOR_STORAGE_STORAGE_LAYOUT_H_
#define WATTLINE_AGGREGATOR_STORAGE_STORAGE_LAYOUT_H_

#include <cstdint>

namespace wattline::aggregator {

// The span of a raw chunk: 3 600 samples of a 1 Hz series, 0.2 to 2.5 KB.
// Two hours compressed 2% better but left more of each page unused (a row
// that does not fit its page starts the next one): 0.465 bytes a sample on
// disk against 0.450 (docs/storage.md). A chunk is rewritten whole when late
// data arrives for it, and the head holds up to one window of every series
// in memory.
inline constexpr int64_t kChunkWindowMs = 60 * 60 * 1000;

// SQLite's page sizes for new files. The main file (ingest log, ledger,
// series) takes a commit per write, and each rewrites a few pages: small
// pages keep that small (16 KB pages doubled what the aggregator wrote per
// upload). The chunk file is written only by the flusher, in bulk, and a
// chunk is stored whole in a page: with 4 KB pages about a seventh of each
// page went unused, with 16 KB pages 3%, with 64 KB pages less.
inline constexpr int kMainPageSize = 4096;
inline constexpr int kChunkPageSize = 65536;

inline constexpr int64_t kMinuteResolutionMs = 60 * 1000;
inline constexpr int64_t kHourResolutionMs = 60 * 60 * 1000;

// How much time one stored row of rollup buckets spans: a chunk's window of
// minutes (minutes are stored as a chunk expires), 30 days of hours (a month
// of a series in one row).
inline constexpr int64_t RollupBlockMs(int64_t resolution_ms) {
  return resolution_ms == kMinuteResolutionMs ? kChunkWindowMs : 30LL * 24 * kHourResolutionMs;
}

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_STORAGE_STORAGE_LAYOUT_H_
