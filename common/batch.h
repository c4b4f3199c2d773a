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

// Timestamps below this (2000-01-01T00:00:00Z) are provisional: an agent
// whose clock was not yet known stamped them with its boot time in ms. They
// become true time by adding the batch's UploadBatch::time_shift_ms; the
// aggregator never stores one as it is (docs/durability.md).
inline constexpr int64_t kProvisionalTimeLimitMs = 946'684'800'000;

// One sealed batch in an upload, as the agent's outbox stores it.
struct UploadBatch {
  std::string frame;          // EncodeBatch() output, never re-encoded
  int64_t time_shift_ms = 0;  // added to its provisional timestamps only

  friend bool operator==(const UploadBatch&, const UploadBatch&) = default;
};

// What one request carries: batches of one outbox, newest first when there
// is a backlog. No batches at all is a valid upload: it asks for the time.
struct Upload {
  uint64_t outbox_id = 0;
  // Every sequence below this was acknowledged or dropped by the agent and
  // will never be sent again.
  uint64_t floor_sequence = 0;
  std::vector<UploadBatch> batches;

  friend bool operator==(const Upload&, const Upload&) = default;
};

enum class BatchOutcome {
  kStored,     // committed now
  kDuplicate,  // committed before; this copy was not stored again
  kRefused,    // malformed or not of this outbox: never retry it
};

// The aggregator's answer for one batch of an upload.
struct BatchAck {
  uint64_t sequence = 0;  // 0 when the frame could not be decoded
  BatchOutcome outcome = BatchOutcome::kStored;
  uint64_t samples_stored = 0;
  // Samples not stored, by the aggregator's rules (before 2000, too far in
  // the future); the rest of the batch is stored.
  uint64_t samples_refused = 0;
  std::string refusal;  // why, for kRefused

  friend bool operator==(const BatchAck&, const BatchAck&) = default;
};

// The answer to an upload, sent only after the aggregator's commit.
// batches[i] answers Upload::batches[i].
struct UploadAck {
  uint64_t outbox_id = 0;
  int64_t server_time_ms = 0;  // the aggregator's clock: a time reference
  std::vector<BatchAck> batches;

  friend bool operator==(const UploadAck&, const UploadAck&) = default;
};

}  // namespace wattline

#endif  // WATTLINE_COMMON_BATCH_H_
