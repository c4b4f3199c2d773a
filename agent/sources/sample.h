// One reading, as a source produces it and before it joins the open batch.
#ifndef WATTLINE_AGENT_SOURCES_SAMPLE_H_
#define WATTLINE_AGENT_SOURCES_SAMPLE_H_

#include <cstdint>
#include <vector>

#include "common/labels.h"

namespace wattline::agent {

struct Sample {
  Labels labels;  // canonical (common/labels.h): metric name, device, phase, ...
  int64_t timestamp_ms = 0;
  double value = 0;
};

using Samples = std::vector<Sample>;

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_SOURCES_SAMPLE_H_
