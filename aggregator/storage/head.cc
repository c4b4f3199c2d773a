#include "aggregator/storage/head.h"

#include <algorithm>
#include <tuple>

#include "aggregator/storage/sample_points.h"

namespace wattline::aggregator {
namespace {

// Puts `sample` in the sorted `samples`, replacing one at its timestamp.
// Returns whether it replaced one.
bool Place(std::vector<SamplePoint>& samples, const SamplePoint& sample) {
  if (samples.empty() || samples.back().timestamp_ms < sample.timestamp_ms) {
    samples.push_back(sample);  // in order: the usual case
    return false;
  }
  auto it = std::lower_bound(samples.begin(), samples.end(), sample, EarlierTimestamp);
  if (it != samples.end() && it->timestamp_ms == sample.timestamp_ms) {
    *it = sample;
    return true;
  }
  samples.insert(it, sample);
  return false;
}

bool Holds(const std::vector<SamplePoint>& samples, int64_t timestamp_ms) {
  if (samples.empty() || samples.back().timestamp_ms < timestamp_ms) return false;
  return std::binary_search(samples.begin(), samples.end(), SamplePoint{timestamp_ms, 0},
                            EarlierTimestamp);
}

}  // namespace

int64_t Head::WindowStart(int64_t timestamp_ms) const {
  return AlignDown(timestamp_ms, window_ms_);
}

void Head::Apply(int64_t log_id, std::span<const SeriesRecord> record, int64_t now_mono_ms) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const SeriesRecord& one : record) {
    Series& series = series_[one.series];
    const std::vector<SamplePoint>& samples = one.samples;
    size_t i = 0;
    while (i < samples.size()) {
      const int64_t start = WindowStart(samples[i].timestamp_ms);
      auto [it, created] = series.windows.try_emplace(start);
      Window& window = it->second;
      if (created) window.min_log_id = log_id;
      window.version = next_version_++;
      window.touched_mono_ms = now_mono_ms;
      // The record is sorted: the run of samples in this window is contiguous.
      for (; i < samples.size() && samples[i].timestamp_ms - start < window_ms_; ++i) {
        if (!Place(window.samples, samples[i])) ++samples_;
      }
    }
    if (!samples.empty())
      series.newest_ms = std::max(series.newest_ms, samples.back().timestamp_ms);
  }
  applied_log_id_ = log_id;
}

std::vector<bool> Head::Held(SeriesId id, std::span<const SamplePoint> samples) const {
  std::vector<bool> held(samples.size(), false);
  std::lock_guard<std::mutex> lock(mutex_);
  auto series = series_.find(id);
  if (series == series_.end()) return held;
  for (size_t i = 0; i < samples.size(); ++i) {
    const int64_t ts = samples[i].timestamp_ms;
    if (ts > series->second.newest_ms) break;  // sorted: none of the rest is held
    auto window = series->second.windows.find(WindowStart(ts));
    held[i] = window != series->second.windows.end() && Holds(window->second.samples, ts);
  }
  return held;
}

void Head::Read(SeriesId id, int64_t mint_ms, int64_t maxt_ms,
                std::vector<SamplePoint>* out) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto series = series_.find(id);
  if (series == series_.end()) return;
  const auto& windows = series->second.windows;
  for (auto it = windows.lower_bound(WindowStart(mint_ms)); it != windows.end(); ++it) {
    if (it->first > maxt_ms) break;
    AppendInRange(it->second.samples, mint_ms, maxt_ms, out);
  }
}

std::vector<int64_t> Head::WindowStarts(SeriesId id, int64_t mint_ms, int64_t maxt_ms) const {
  std::vector<int64_t> out;
  std::lock_guard<std::mutex> lock(mutex_);
  auto series = series_.find(id);
  if (series == series_.end()) return out;
  const auto& windows = series->second.windows;
  for (auto it = windows.lower_bound(WindowStart(mint_ms)); it != windows.end(); ++it) {
    if (it->first > maxt_ms) break;
    out.push_back(it->first);
  }
  return out;
}

FlushSelection Head::Select(Selection selection, int64_t now_wall_ms, int64_t now_mono_ms,
                            int64_t grace_ms, int64_t quiet_ms, size_t max_samples) const {
  std::lock_guard<std::mutex> lock(mutex_);
  struct Candidate {
    int64_t touched_mono_ms;
    int64_t start_ms;
    SeriesId series;
    const Window* window;
  };
  std::vector<Candidate> candidates;
  for (const auto& [id, series] : series_) {
    for (const auto& [start, window] : series.windows) {
      const int64_t closes_at = start + window_ms_ + grace_ms;
      const bool closed = closes_at <= now_wall_ms || closes_at <= series.newest_ms;
      const bool quiet = now_mono_ms - window.touched_mono_ms >= quiet_ms;
      if (selection == Selection::kAll || (closed && quiet)) {
        candidates.push_back(Candidate{window.touched_mono_ms, start, id, &window});
      }
    }
  }
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    return std::tie(a.touched_mono_ms, a.start_ms, a.series) <
           std::tie(b.touched_mono_ms, b.start_ms, b.series);
  });
  FlushSelection out;
  size_t taken = 0;
  for (const Candidate& candidate : candidates) {
    if (taken > 0 && taken + candidate.window->samples.size() > max_samples) break;
    taken += candidate.window->samples.size();
    out.windows.push_back(HeadWindow{candidate.series, candidate.start_ms,
                                     candidate.window->version, candidate.window->samples});
  }
  // Every window left behind keeps the records it came from; so does a
  // record committed but not applied yet (ids above applied_log_id_).
  std::vector<const Window*> taken_windows;
  for (size_t i = 0; i < out.windows.size(); ++i) taken_windows.push_back(candidates[i].window);
  std::sort(taken_windows.begin(), taken_windows.end(), std::less<const Window*>());
  out.log_floor = applied_log_id_ + 1;
  for (const auto& [id, series] : series_) {
    for (const auto& [start, window] : series.windows) {
      if (!std::binary_search(taken_windows.begin(), taken_windows.end(), &window,
                              std::less<const Window*>())) {
        out.log_floor = std::min(out.log_floor, window.min_log_id);
      }
    }
  }
  return out;
}

void Head::Release(std::span<const HeadWindow> flushed) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const HeadWindow& copy : flushed) {
    auto series = series_.find(copy.series);
    if (series == series_.end()) continue;
    auto window = series->second.windows.find(copy.start_ms);
    if (window == series->second.windows.end() || window->second.version != copy.version) {
      continue;
    }
    samples_ -= window->second.samples.size();
    series->second.windows.erase(window);
  }
}

size_t Head::samples() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return samples_;
}

}  // namespace wattline::aggregator
