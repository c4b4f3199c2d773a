// The stored series and the tariff and carbon series (schedule_series.h) as
// one SeriesReader: what the query API, the rules and the metadata API read.
// Select merges both in label order; every other call goes to whichever of
// the two owns the id.
//
// Thread-safety: as the two readers: concurrent calls are fine.
#ifndef WATTLINE_AGGREGATOR_ENERGY_SERIES_WITH_SCHEDULES_H_
#define WATTLINE_AGGREGATOR_ENERGY_SERIES_WITH_SCHEDULES_H_

#include <memory>
#include <vector>

#include "aggregator/energy/schedule_series.h"
#include "aggregator/storage/series_reader.h"

namespace wattline::aggregator {

class SeriesWithSchedules final : public SeriesReader {
 public:
  // Both outlive this object. `stored` gives non-negative ids only.
  SeriesWithSchedules(SeriesReader* stored, ScheduleSeries* schedules)
      : stored_(stored), schedules_(schedules) {}

  std::unique_ptr<HeldReads> HoldReads() override { return stored_->HoldReads(); }
  Result<std::vector<SeriesRef>> Select(const LabelMatchers& matchers) override;
  Result<std::vector<SamplePoint>> ReadSamples(SeriesId id, int64_t mint_ms,
                                               int64_t maxt_ms) override {
    return Owner(id)->ReadSamples(id, mint_ms, maxt_ms);
  }
  Result<bool> HasSamples(SeriesId id, int64_t mint_ms, int64_t maxt_ms) override {
    return Owner(id)->HasSamples(id, mint_ms, maxt_ms);
  }
  // The schedules always have rollups; the answer is the store's.
  bool HasRollups() const override { return stored_->HasRollups(); }
  Status AppendRollups(SeriesId id, int64_t resolution_ms, int64_t mint_ms, int64_t maxt_ms,
                       std::vector<Rollup>* out) override {
    return Owner(id)->AppendRollups(id, resolution_ms, mint_ms, maxt_ms, out);
  }

 private:
  SeriesReader* Owner(SeriesId id) const {
    return ScheduleSeries::Owns(id) ? static_cast<SeriesReader*>(schedules_) : stored_;
  }

  SeriesReader* const stored_;
  ScheduleSeries* const schedules_;
};

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_ENERGY_SERIES_WITH_SCHEDULES_H_
