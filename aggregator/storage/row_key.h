// The integer keys of the rows of chunks and rollups (docs/storage.md,
// "Rows of chunks and rollups"). A row's key is its SQLite rowid, so a table
// needs no separate index and no key columns: on 20 homes' day of data the
// chunks' index and key columns were 2.5% of the bytes.
//
//   WindowKey    window index << 32 | series id: time-major. Chunks and
//                minute rollups: a window's rows are written together, in
//                key order, so they append to the table's last page.
//   HourBlockKey series id << 31 | 30-day block index: series-major. Hour
//                rollups: a series' block is rewritten as each window is
//                cut, and its blocks are read as one range.
//
// Thread-safety: pure functions.
#ifndef WATTLINE_AGGREGATOR_STORAGE_ROW_KEY_H_
#define WATTLINE_AGGREGATOR_STORAGE_ROW_KEY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "aggregator/storage/series_reader.h"
#include "aggregator/storage/storage_layout.h"
#include "common/status.h"

namespace wattline::aggregator {

inline constexpr int kWindowKeySeriesBits = 32;
inline constexpr int kHourBlockKeyBlockBits = 31;

// Series ids are below this (they are numbered from 1 as series are made).
inline constexpr SeriesId kSeriesIdLimit = SeriesId{1} << kWindowKeySeriesBits;

// Sample times the storage holds: from the Unix epoch to about the year
// 245 000, so that every window index fits in 31 bits. The ingest paths
// refuse far less (samples before 2000 or far in the future).
inline constexpr int64_t kStorableTimeLimitMs = (int64_t{1} << 31) * kChunkWindowMs;

inline constexpr bool IsStorableTime(int64_t ts_ms) {
  return ts_ms >= 0 && ts_ms < kStorableTimeLimitMs;
}

// `window_start_ms` is a storable time aligned to kChunkWindowMs.
inline constexpr int64_t WindowKey(SeriesId series, int64_t window_start_ms) {
  return (window_start_ms / kChunkWindowMs) << kWindowKeySeriesBits | series;
}
inline constexpr SeriesId WindowKeySeries(int64_t key) { return key & (kSeriesIdLimit - 1); }
inline constexpr int64_t WindowKeyStartMs(int64_t key) {
  return (key >> kWindowKeySeriesBits) * kChunkWindowMs;
}

// `block_start_ms` is a storable time aligned to RollupBlockMs(hour).
inline constexpr int64_t HourBlockKey(SeriesId series, int64_t block_start_ms) {
  return series << kHourBlockKeyBlockBits | block_start_ms / RollupBlockMs(kHourResolutionMs);
}
inline constexpr int64_t HourBlockKeyStartMs(int64_t key) {
  return (key & ((int64_t{1} << kHourBlockKeyBlockBits) - 1)) * RollupBlockMs(kHourResolutionMs);
}

// InvalidArgument naming the first sample time outside IsStorableTime.
inline Status CheckStorableTimes(const std::vector<int64_t>& timestamps_ms) {
  for (int64_t ts : timestamps_ms) {
    if (!IsStorableTime(ts)) {
      return Status::InvalidArgument("sample time " + std::to_string(ts) +
                                     " ms is outside what the storage holds");
    }
  }
  return Status::Ok();
}

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_STORAGE_ROW_KEY_H_
