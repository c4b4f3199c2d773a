// The outbox's bounds and write mode, apart from outbox.h so that the
// agent's config does not pull in SQLite and zstd.
#ifndef WATTLINE_AGENT_OUTBOX_OUTBOX_OPTIONS_H_
#define WATTLINE_AGENT_OUTBOX_OUTBOX_OPTIONS_H_

#include <cstdint>

namespace wattline::agent {

// How much the outbox may hold, and when it writes.
struct OutboxOptions {
  // Over either bound after a seal, the oldest batches are dropped and counted.
  int64_t max_bytes = 256LL << 20;            // sum of frame sizes
  int64_t max_age_ms = 30LL * 24 * 3600 * 1000;  // applied only while the time is known
  enum class Persist {
    kAlways,   // every seal is committed to the file before Seal() returns
    kUnacked,  // a sealed batch stays in memory and is written only if it is
               // not acknowledged within persist_delay_ms (SD-card life)
  };
  Persist persist = Persist::kAlways;
  int64_t persist_delay_ms = 10'000;
};

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_OUTBOX_OUTBOX_OPTIONS_H_
