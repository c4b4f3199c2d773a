#include "aggregator/energy/schedule_series.h"

#include <algorithm>

#include "aggregator/storage/rollup.h"
#include "aggregator/storage/sample_points.h"

namespace wattline::aggregator {
namespace {

// The first multiple of the sample interval at or after `t`.
int64_t CeilToMinute(int64_t t) {
  const int64_t down = AlignDown(t, kScheduleSampleIntervalMs);
  return down == t ? t : down + kScheduleSampleIntervalMs;
}

}  // namespace

Result<std::unique_ptr<ScheduleSeries>> ScheduleSeries::Create(EnergyConfig config) {
  Result<TimeZone> zone = TimeZone::Load(config.timezone);
  if (!zone.ok()) return zone.status();
  return std::unique_ptr<ScheduleSeries>(
      new ScheduleSeries(std::move(*zone), std::move(config.series)));
}

const ScheduledSeries* ScheduleSeries::Find(SeriesId id) const {
  const int64_t index = -id - 1;
  if (index < 0 || index >= static_cast<int64_t>(series_.size())) return nullptr;
  return &series_[static_cast<size_t>(index)];
}

Result<std::vector<SeriesRef>> ScheduleSeries::Select(const LabelMatchers& matchers) {
  std::vector<SeriesRef> out;
  for (size_t i = 0; i < series_.size(); ++i) {
    if (MatchesAll(matchers, series_[i].labels)) {
      out.push_back(SeriesRef{-static_cast<SeriesId>(i) - 1, series_[i].labels});
    }
  }
  return out;  // series_ is sorted by labels
}

Result<std::vector<SamplePoint>> ScheduleSeries::ReadSamples(SeriesId id, int64_t mint_ms,
                                                             int64_t maxt_ms) {
  const ScheduledSeries* series = Find(id);
  if (series == nullptr) return Status::NotFound("no schedule series " + std::to_string(id));
  std::vector<SamplePoint> out;
  if (maxt_ms < mint_ms) return out;
  const int64_t first = CeilToMinute(std::max(mint_ms, series->schedule.first_ms()));
  if (first > maxt_ms) return out;
  out.reserve(static_cast<size_t>((maxt_ms - first) / kScheduleSampleIntervalMs + 1));
  for (int64_t t = first; t <= maxt_ms; t += kScheduleSampleIntervalMs) {
    const std::optional<double> value = series->schedule.ValueAt(zone_, t);
    if (value.has_value()) out.push_back(SamplePoint{t, *value});
  }
  return out;
}

Result<bool> ScheduleSeries::HasSamples(SeriesId id, int64_t mint_ms, int64_t maxt_ms) {
  const ScheduledSeries* series = Find(id);
  if (series == nullptr) return Status::NotFound("no schedule series " + std::to_string(id));
  return CeilToMinute(std::max(mint_ms, series->schedule.first_ms())) <= maxt_ms;
}

Status ScheduleSeries::AppendRollups(SeriesId id, int64_t resolution_ms, int64_t mint_ms,
                                     int64_t maxt_ms, std::vector<Rollup>* out) {
  // Whole buckets, so every bucket holds all of its samples.
  const int64_t start = AlignDown(mint_ms, resolution_ms);
  const int64_t end = AlignDown(maxt_ms, resolution_ms) + resolution_ms - 1;
  Result<std::vector<SamplePoint>> samples = ReadSamples(id, start, end);
  if (!samples.ok()) return samples.status();
  std::vector<Rollup> rollups = ComputeRollups(*samples, resolution_ms);
  out->insert(out->end(), rollups.begin(), rollups.end());
  return Status::Ok();
}

}  // namespace wattline::aggregator
