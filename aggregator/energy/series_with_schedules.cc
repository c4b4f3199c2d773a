#include "aggregator/energy/series_with_schedules.h"

#include <algorithm>
#include <iterator>

namespace wattline::aggregator {

Result<std::vector<SeriesRef>> SeriesWithSchedules::Select(const LabelMatchers& matchers) {
  Result<std::vector<SeriesRef>> stored = stored_->Select(matchers);
  if (!stored.ok() || schedules_->empty()) return stored;
  Result<std::vector<SeriesRef>> scheduled = schedules_->Select(matchers);
  if (!scheduled.ok()) return scheduled.status();
  if (scheduled->empty()) return stored;
  std::vector<SeriesRef> out;
  out.reserve(stored->size() + scheduled->size());
  std::merge(std::make_move_iterator(stored->begin()), std::make_move_iterator(stored->end()),
             std::make_move_iterator(scheduled->begin()), std::make_move_iterator(scheduled->end()),
             std::back_inserter(out),
             [](const SeriesRef& a, const SeriesRef& b) { return a.labels < b.labels; });
  return out;
}

}  // namespace wattline::aggregator
