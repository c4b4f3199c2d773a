#include "aggregator/ingest/sample_time_rules.h"

#include <limits>

namespace wattline::aggregator {

RefusedSamples PlaceInTime(std::vector<SeriesSamples>& series, int64_t time_shift_ms,
                           int64_t latest_ms) {
  RefusedSamples refused;
  for (SeriesSamples& one : series) {
    size_t kept = 0;
    for (size_t i = 0; i < one.values.size(); ++i) {
      int64_t ts = one.timestamps_ms[i];
      if (ts < kProvisionalTimeLimitMs && __builtin_add_overflow(ts, time_shift_ms, &ts)) {
        // Out of int64 either way: as wrong as a time can be, refused below.
        ts = time_shift_ms > 0 ? std::numeric_limits<int64_t>::max()
                               : std::numeric_limits<int64_t>::min();
      }
      if (ts < kProvisionalTimeLimitMs) {
        ++refused.before_2000;
      } else if (ts > latest_ms) {
        ++refused.too_far_in_future;
      } else {
        one.timestamps_ms[kept] = ts;
        one.values[kept] = one.values[i];
        ++kept;
      }
    }
    one.timestamps_ms.resize(kept);
    one.values.resize(kept);
  }
  return refused;
}

}  // namespace wattline::aggregator
