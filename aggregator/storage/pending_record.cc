#include "aggregator/storage/pending_record.h"

#include <algorithm>

namespace wattline::aggregator {

void PendingRecord::Add(SeriesId id, const SeriesSamples& series, uint32_t source) {
  std::vector<Entry>& entries = series_[id];
  entries.reserve(entries.size() + series.values.size());
  for (size_t i = 0; i < series.values.size(); ++i) {
    entries.push_back(Entry{series.timestamps_ms[i], series.values[i], source});
  }
  samples_ += series.values.size();
}

std::vector<SeriesRecord> PendingRecord::Finish(const Head& head,
                                                std::vector<uint64_t>* overwritten) {
  std::vector<SeriesRecord> record;
  record.reserve(series_.size());
  for (auto& [id, entries] : series_) {
    auto earlier = [](const Entry& a, const Entry& b) { return a.timestamp_ms < b.timestamp_ms; };
    // Stable: of samples at one timestamp, the one added last stays last.
    if (!std::is_sorted(entries.begin(), entries.end(), earlier)) {
      std::stable_sort(entries.begin(), entries.end(), earlier);
    }
    SeriesRecord series{id, {}};
    std::vector<uint32_t> sources;
    series.samples.reserve(entries.size());
    sources.reserve(entries.size());
    for (const Entry& entry : entries) {
      if (!series.samples.empty() && series.samples.back().timestamp_ms == entry.timestamp_ms) {
        series.samples.back().value = entry.value;
        sources.back() = entry.source;
        ++(*overwritten)[entry.source];
        continue;
      }
      series.samples.push_back(SamplePoint{entry.timestamp_ms, entry.value});
      sources.push_back(entry.source);
    }
    const std::vector<bool> held = head.Held(id, series.samples);
    for (size_t i = 0; i < held.size(); ++i) {
      if (held[i]) ++(*overwritten)[sources[i]];
    }
    if (!series.samples.empty()) record.push_back(std::move(series));
  }
  series_.clear();
  samples_ = 0;
  return record;
}

}  // namespace wattline::aggregator
