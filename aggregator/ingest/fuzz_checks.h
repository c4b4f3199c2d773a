// What every ingest parser's output must satisfy, checked by the fuzz
// targets: what SampleStore::Write requires of its input.
#ifndef WATTLINE_AGGREGATOR_INGEST_FUZZ_CHECKS_H_
#define WATTLINE_AGGREGATOR_INGEST_FUZZ_CHECKS_H_

#include <cstdlib>
#include <vector>

#include "common/batch.h"
#include "common/labels.h"

namespace wattline::aggregator {

// Aborts unless every series is canonical, non-empty, has one value per
// timestamp and strictly increasing timestamps.
inline void RequireWritable(const std::vector<SeriesSamples>& series) {
  for (const SeriesSamples& one : series) {
    if (!ValidateCanonical(one.labels).ok()) std::abort();
    if (one.values.empty() || one.values.size() != one.timestamps_ms.size()) std::abort();
    for (size_t i = 1; i < one.timestamps_ms.size(); ++i) {
      if (one.timestamps_ms[i - 1] >= one.timestamps_ms[i]) std::abort();
    }
    for (const Label& label : one.labels) {
      if (label.value.empty()) std::abort();
    }
  }
}

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_INGEST_FUZZ_CHECKS_H_
