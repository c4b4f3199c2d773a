// A backlog as an outage leaves it: batches sealed into an agent's outbox
// over a span of fake time ending now, written with the agent's own Outbox
// so that the real agent, started on it, sends them like its own.
#ifndef WATTLINE_TESTS_FAULT_SYNTHETIC_HISTORY_H_
#define WATTLINE_TESTS_FAULT_SYNTHETIC_HISTORY_H_

#include <cstdint>
#include <string>

#include "common/status.h"

namespace wattline::testing {

// `series` series, each sampled every `sample_every_ms` (staggered over
// that period, as polls are), sealed every `seal_every_ms`, over `span_ms`.
struct History {
  int series = 18;
  int64_t sample_every_ms = 10'000;
  int64_t seal_every_ms = 5000;
  int64_t span_ms = 2LL * 24 * 3600 * 1000;
};

struct WrittenHistory {
  int64_t batches = 0;
  int64_t samples = 0;
};

// Seals `history`, ending at `end_ms` (Unix time), into the outbox at
// `outbox_path` (created if missing), batch by batch, each at its own fake
// time, as `agent` would have.
Result<WrittenHistory> WriteHistory(const std::string& outbox_path, const History& history,
                                    int64_t end_ms, const std::string& agent);

}  // namespace wattline::testing

#endif  // WATTLINE_TESTS_FAULT_SYNTHETIC_HISTORY_H_
