// The tariff and carbon series (energy_config.h) as a SeriesReader, so the
// query engine, the rules and the metadata API see them as they see stored
// series: `tariff_import_price_per_kwh{tariff="home"}` is selectable,
// joinable and graphable, and answers for any time, past or future, from
// the configuration alone. Nothing is stored: a changed tariff changes the
// series' history too, which is why contract changes are periods with
// dates (docs/energy.md), not edits.
//
// Samples: one a minute, on the minute (UTC), from the first period's date
// on, each the schedule's value at that instant. Every change falls on a
// local minute, so the value a selector finds at any instant is exact.
//
// Series ids are negative (-1, -2, ...) so they never meet the store's.
//
// Thread-safety: immutable; every method is thread-safe.
#ifndef WATTLINE_AGGREGATOR_ENERGY_SCHEDULE_SERIES_H_
#define WATTLINE_AGGREGATOR_ENERGY_SCHEDULE_SERIES_H_

#include <memory>
#include <vector>

#include "aggregator/energy/energy_config.h"
#include "aggregator/storage/series_reader.h"

namespace wattline::aggregator {

inline constexpr int64_t kScheduleSampleIntervalMs = 60 * 1000;

class ScheduleSeries final : public SeriesReader {
 public:
  // NotFound when the config's time zone is no longer known.
  static Result<std::unique_ptr<ScheduleSeries>> Create(EnergyConfig config);

  static bool Owns(SeriesId id) { return id < 0; }
  bool empty() const { return series_.empty(); }
  size_t size() const { return series_.size(); }

  Result<std::vector<SeriesRef>> Select(const LabelMatchers& matchers) override;
  Result<std::vector<SamplePoint>> ReadSamples(SeriesId id, int64_t mint_ms,
                                               int64_t maxt_ms) override;
  Result<bool> HasSamples(SeriesId id, int64_t mint_ms, int64_t maxt_ms) override;
  bool HasRollups() const override { return true; }
  Status AppendRollups(SeriesId id, int64_t resolution_ms, int64_t mint_ms, int64_t maxt_ms,
                       std::vector<Rollup>* out) override;

 private:
  ScheduleSeries(TimeZone zone, std::vector<ScheduledSeries> series)
      : zone_(std::move(zone)), series_(std::move(series)) {}

  const ScheduledSeries* Find(SeriesId id) const;

  const TimeZone zone_;
  const std::vector<ScheduledSeries> series_;  // id -(i+1) is series_[i]
};

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_ENERGY_SCHEDULE_SERIES_H_
