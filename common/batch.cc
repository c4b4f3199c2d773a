#include "common/batch.h"

namespace wattline {

size_t Batch::SampleCount() const {
  size_t count = 0;
  for (const SeriesSamples& s : series) count += s.values.size();
  return count;
}

}  // namespace wattline
