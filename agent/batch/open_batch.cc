#include "agent/batch/open_batch.h"

namespace wattline::agent {

void OpenBatch::Add(const Sample& sample) {
  auto [it, inserted] = series_.try_emplace(sample.labels);
  if (inserted) it->second.labels = sample.labels;
  it->second.timestamps_ms.push_back(sample.timestamp_ms);
  it->second.values.push_back(sample.value);
  ++sample_count_;
}

void OpenBatch::Add(const Samples& samples) {
  for (const Sample& sample : samples) Add(sample);
}

void OpenBatch::Restore(const Batch& batch) {
  for (const SeriesSamples& series : batch.series) {
    SeriesSamples& column = series_[series.labels];
    column.labels = series.labels;
    column.timestamps_ms.insert(column.timestamps_ms.begin(), series.timestamps_ms.begin(),
                                series.timestamps_ms.end());
    column.values.insert(column.values.begin(), series.values.begin(), series.values.end());
    sample_count_ += series.values.size();
  }
}

Batch OpenBatch::Take(int64_t sealed_at_ms) {
  Batch batch;
  batch.sealed_at_ms = sealed_at_ms;
  batch.series.reserve(series_.size());
  for (auto& [labels, samples] : series_) batch.series.push_back(std::move(samples));
  series_.clear();
  sample_count_ = 0;
  return batch;
}

}  // namespace wattline::agent
