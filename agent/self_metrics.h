// The agent's own state as series, shipped in its batches like any reading,
// so a Grafana panel shows a node whose buffer is filling or whose clock is
// not known (docs/durability.md, "Visible health"):
//
//   wattline_agent_outbox_batches                     waiting to be sent
//   wattline_agent_outbox_samples
//   wattline_agent_outbox_bytes                       file share of the SD card
//   wattline_agent_outbox_max_bytes                   its bound (outbox.max_bytes)
//   wattline_agent_outbox_oldest_age_seconds          of the oldest waiting batch
//                                                     (only while the clock is known)
//   wattline_agent_outbox_held_batches                waiting for their boot's clock offset
//   wattline_agent_outbox_parked_batches              refused by the aggregator, kept
//   wattline_agent_outbox_unpersisted_batches         outbox.persist: unacked, in memory
//   wattline_agent_outbox_sealed_batches_total
//   wattline_agent_outbox_sealed_samples_total
//   wattline_agent_outbox_dropped_batches_total{reason}   bytes, age, untimed
//   wattline_agent_outbox_dropped_samples_total{reason}
//   wattline_agent_open_batch_dropped_samples_total   the outbox could not take them
//   wattline_agent_upload_requests_total              answered with an ack
//   wattline_agent_upload_bytes_total
//   wattline_agent_upload_batches_total               acknowledged
//   wattline_agent_upload_samples_total
//   wattline_agent_upload_duplicate_batches_total
//   wattline_agent_upload_parked_batches_total
//   wattline_agent_upload_refused_samples_total       the aggregator's time rules
//   wattline_agent_upload_errors_total{reason}        each one followed by a retry
//   wattline_agent_clock_state                        0 provisional, 1 boot time +
//                                                     offset, 2 synchronised
#ifndef WATTLINE_AGENT_SELF_METRICS_H_
#define WATTLINE_AGENT_SELF_METRICS_H_

#include <cstdint>

#include "agent/outbox/outbox.h"
#include "agent/sources/sample.h"
#include "agent/time/time_keeper.h"
#include "agent/upload/uploader.h"

namespace wattline::agent {

struct SelfState {
  OutboxStats outbox;
  int64_t outbox_max_bytes = 0;  // outbox.max_bytes; 0: not shown
  UploaderCounters upload;
  ClockState clock = ClockState::kProvisional;
  uint64_t open_batch_dropped_samples = 0;
};

// Appends the series above, stamped `now_ms` (the time keeper's time).
void AppendSelfMetrics(const SelfState& state, int64_t now_ms, Samples* out);

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_SELF_METRICS_H_
