// The aggregator's rules for a sample's time, shared by every ingest path
// (the agents' uploads, remote write, the text import): a sample whose time
// cannot be right is refused on its own and counted; the rest is stored.
//
// Thread-safety: pure functions.
#ifndef WATTLINE_AGGREGATOR_INGEST_SAMPLE_TIME_RULES_H_
#define WATTLINE_AGGREGATOR_INGEST_SAMPLE_TIME_RULES_H_

#include <cstdint>
#include <vector>

#include "common/batch.h"

namespace wattline::aggregator {

// Samples removed by PlaceInTime, by reason.
struct RefusedSamples {
  uint64_t before_2000 = 0;        // still before kProvisionalTimeLimitMs
  uint64_t too_far_in_future = 0;  // later than latest_ms

  uint64_t total() const { return before_2000 + too_far_in_future; }
};

// Puts the samples in true time: a provisional timestamp (before 2000) gets
// `time_shift_ms` added (0 for senders without provisional time), a later
// one is already true. Samples still before 2000, or later than `latest_ms`
// (the aggregator's clock plus ingest max_future), are removed. Series may
// be left without samples.
RefusedSamples PlaceInTime(std::vector<SeriesSamples>& series, int64_t time_shift_ms,
                           int64_t latest_ms);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_INGEST_SAMPLE_TIME_RULES_H_
