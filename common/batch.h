// The plain structs that cross module APIs for the agent-to-aggregator wire.
// Their encoding lives in common/batch_codec.h; generated protobuf types never
// appear outside batch_codec.cc.
#ifndef WATTLINE_COMMON_BATCH_H_
#define WATTLINE_COMMON_BATCH_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "common/labels.h"

namespace wattline {

// One series' samples in a batch. timestamps_ms and values have one length;
// timestamps are ms since the Unix epoch, in the order they were taken.
struct SeriesSamples {
  Labels labels;  // canonical (see labels.h)
  std::vector<int64_t> timestamps_ms;
  std::vector<double> values;

  friend bool operator==(const SeriesSamples&, const SeriesSamples&) = default;
};

// What an agent seals and ships: (outbox_id, sequence) names it for life.
struct Batch {
  std::string agent_id;    // informational; the aggregator trusts the certificate
  uint64_t outbox_id = 0;  // random, chosen when the agent's outbox is created
  uint64_t sequence = 0;   // 1, 2, 3, ... per outbox
  int64_t sealed_at_ms = 0;
  std::vector<SeriesSamples> series;

  size_t SampleCount() const;

  friend bool operator==(const Batch&, const Batch&) = default;
};

// The aggregator's answer to a batch, sent only after the batch is durable.
struct Ack {
  uint64_t outbox_id = 0;
  uint64_t sequence = 0;
  bool duplicate = false;     // stored before; this copy was not stored again
  int64_t server_time_ms = 0; // the aggregator's clock, a time reference

  friend bool operator==(const Ack&, const Ack&) = default;
};

}  // namespace wattline

#endif  // WATTLINE_COMMON_BATCH_H_
