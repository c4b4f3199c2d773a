#include "aggregator/ingest/series_grouper.h"

#include <algorithm>
#include <numeric>

namespace wattline::aggregator {
namespace {

// Sorts by timestamp, stably; of equal timestamps keeps the last.
void SortAndDeduplicate(SeriesSamples& series) {
  const size_t n = series.values.size();
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return series.timestamps_ms[a] < series.timestamps_ms[b];
  });
  std::vector<int64_t> timestamps;
  std::vector<double> values;
  timestamps.reserve(n);
  values.reserve(n);
  for (size_t i : order) {
    if (!timestamps.empty() && timestamps.back() == series.timestamps_ms[i]) {
      values.back() = series.values[i];  // a later duplicate replaces the earlier
      continue;
    }
    timestamps.push_back(series.timestamps_ms[i]);
    values.push_back(series.values[i]);
  }
  series.timestamps_ms = std::move(timestamps);
  series.values = std::move(values);
}

}  // namespace

Result<size_t> SeriesGrouper::SeriesFor(Labels labels) {
  std::erase_if(labels, [](const Label& label) { return label.value.empty(); });
  WATTLINE_RETURN_IF_ERROR(Canonicalize(labels));
  auto [it, inserted] = index_.try_emplace(labels, series_.size());
  if (inserted) series_.push_back(SeriesSamples{std::move(labels), {}, {}});
  return it->second;
}

void SeriesGrouper::Add(size_t series, int64_t timestamp_ms, double value) {
  series_[series].timestamps_ms.push_back(timestamp_ms);
  series_[series].values.push_back(value);
  ++samples_;
}

std::vector<SeriesSamples> SeriesGrouper::Take() {
  for (SeriesSamples& series : series_) SortAndDeduplicate(series);
  index_.clear();
  samples_ = 0;
  return std::move(series_);
}

}  // namespace wattline::aggregator
