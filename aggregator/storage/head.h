// The head: every series' recent samples in memory, by time window, until
// the flusher cuts each window into a chunk (chunk_codec.h). Samples reach
// the head only after the ingest log record that holds them committed, so
// what the head holds is also on disk, in the log, and a restart rebuilds it
// by replaying the log (docs/storage.md).
//
// A window is [start, start + window_ms), aligned to window_ms, so a late
// sample always has one place to go: its window, merged with the window's
// chunk when that is flushed again.
//
// Thread-safety: all methods are thread-safe.
#ifndef WATTLINE_AGGREGATOR_STORAGE_HEAD_H_
#define WATTLINE_AGGREGATOR_STORAGE_HEAD_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <span>
#include <unordered_map>
#include <vector>

#include "aggregator/storage/series_reader.h"

namespace wattline::aggregator {

// One log record's samples of one series: sorted by strictly increasing
// timestamp.
struct SeriesRecord {
  SeriesId series = 0;
  std::vector<SamplePoint> samples;
};

// A copy of one window, taken for flushing.
struct HeadWindow {
  SeriesId series = 0;
  int64_t start_ms = 0;
  uint64_t version = 0;  // changes with every append to the window
  std::vector<SamplePoint> samples;
};

struct FlushSelection {
  std::vector<HeadWindow> windows;
  // Log records below this id hold no sample that stays only in the head
  // once `windows` are in chunks: they may be deleted with them.
  int64_t log_floor = 0;
};

class Head {
 public:
  explicit Head(int64_t window_ms) : window_ms_(window_ms) {}

  int64_t window_ms() const { return window_ms_; }
  int64_t WindowStart(int64_t timestamp_ms) const;

  // Adds every series of the committed log record `log_id` (ids increase
  // from one call to the next) at monotonic time `now_mono_ms`. A sample at
  // the timestamp of one already held replaces it.
  void Apply(int64_t log_id, std::span<const SeriesRecord> record, int64_t now_mono_ms);

  // For each of `samples` (sorted) of `series`, whether the head holds a
  // sample at its timestamp: which samples an Apply would replace.
  std::vector<bool> Held(SeriesId series, std::span<const SamplePoint> samples) const;

  // Appends the held samples of `series` with mint_ms <= timestamp <=
  // maxt_ms to `out`, by timestamp.
  void Read(SeriesId series, int64_t mint_ms, int64_t maxt_ms, std::vector<SamplePoint>* out) const;

  // The starts of `series`' windows overlapping [mint_ms, maxt_ms].
  std::vector<int64_t> WindowStarts(SeriesId series, int64_t mint_ms, int64_t maxt_ms) const;

  enum class Selection {
    // Closed windows (their end plus `grace_ms` has passed on the wall clock
    // or in the series' own newest sample) untouched for `quiet_ms`.
    kDue,
    // Every window, open or not (shutdown, memory pressure).
    kAll,
  };
  // Copies windows to flush, up to about `max_samples` samples (at least one
  // window when any qualifies), least recently written first: under a limit,
  // those are the ones most likely complete, not to be rewritten soon.
  FlushSelection Select(Selection selection, int64_t now_wall_ms, int64_t now_mono_ms,
                        int64_t grace_ms, int64_t quiet_ms, size_t max_samples) const;

  // Drops the windows of `flushed` that nothing was appended to since they
  // were copied; a window that changed stays for the next flush, which
  // merges it with the chunk again.
  void Release(std::span<const HeadWindow> flushed);

  size_t samples() const;

 private:
  struct Window {
    std::vector<SamplePoint> samples;
    int64_t min_log_id = 0;  // the oldest record with a sample here
    uint64_t version = 0;
    int64_t touched_mono_ms = 0;
  };
  struct Series {
    std::map<int64_t, Window> windows;  // by start
    int64_t newest_ms = INT64_MIN;
  };

  const int64_t window_ms_;
  mutable std::mutex mutex_;
  std::unordered_map<SeriesId, Series> series_;
  int64_t applied_log_id_ = 0;
  uint64_t next_version_ = 1;  // unique over all windows, so a window made
                               // anew after Release never matches an old copy
  size_t samples_ = 0;
};

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_STORAGE_HEAD_H_
