// The fault tests' judge: did every sample an agent sealed reach the
// aggregator's storage exactly once? It reads the agent's outbox (its
// persistent counters, docs/durability.md) and the aggregator's storage
// (samples, ledger) directly, once both processes are stopped, so that the
// answer does not depend on what either process says about itself.
#ifndef WATTLINE_TESTS_FAULT_DELIVERY_ORACLE_H_
#define WATTLINE_TESTS_FAULT_DELIVERY_ORACLE_H_

#include <cstdint>
#include <string>

#include "common/status.h"

namespace wattline::testing {

// The outbox's persistent counters (table meta; an absent key is 0) and
// what waits in it now.
struct OutboxCounters {
  int64_t outbox_id = 0;  // the uint64's bit pattern, as SQLite keeps it
  int64_t sealed_batches = 0;
  int64_t sealed_samples = 0;
  int64_t parked_samples = 0;
  int64_t dropped_batches = 0;  // every reason
  int64_t dropped_samples = 0;  // every reason
  int64_t waiting_batches = 0;  // in the outbox, not parked
  int64_t waiting_samples = 0;
  int64_t waiting_bytes = 0;  // sum of their frame sizes
};

// Reads `outbox_path` (the agent's outbox.db). The file must exist; one
// without a schema yet (the agent was killed while creating it) reads as
// all zero.
Result<OutboxCounters> ReadOutboxCounters(const std::string& outbox_path);

// PRAGMA integrity_check of a database: "ok" when sound, else its findings.
Result<std::string> IntegrityCheck(const std::string& path);

// What reached the aggregator of what the agent sealed.
struct Delivery {
  int64_t expected = 0;            // sealed - dropped - parked - still pending - refused
  int64_t stored = 0;              // distinct samples in storage with agent=<name>
  // Totals over the agent's outboxes (outbox_floors), kept as ledger rows go.
  int64_t stored_via_batches = 0;  // samples_stored
  int64_t overwritten = 0;         // samples_overwritten
  int64_t refused = 0;             // samples_refused
  int64_t duplicated = 0;          // overwritten + (stored_via_batches - stored)
  int64_t lost = 0;                // expected - stored, when stored <= expected
  int64_t unexpected = 0;          // stored - expected, when stored > expected
  // Samples of batches still in the outbox that the aggregator never stored
  // (sealed at the very end and not yet sent): not lost, not expected yet.
  int64_t pending = 0;
  int64_t ledger_batches = 0;   // batches stored
  int64_t ledger_outboxes = 0;  // outboxes the aggregator knows of the agent

  // "expected=N stored=N lost=N duplicated=N pending=N ...".
  std::string Line() const;
};

// Compares the stopped agent's outbox with the stopped aggregator's storage
// for `agent` (the certificate's name, the `agent` label).
Result<Delivery> CheckDelivery(const std::string& outbox_path, const std::string& storage_path,
                               const std::string& agent);

// The oldest and newest sample timestamps stored for `agent` and the number
// of distinct samples, read while the aggregator runs or after it stopped
// (storage opened read-only does not block it).
struct StoredNow {
  int64_t oldest_ms = 0;
  int64_t newest_ms = 0;
  int64_t samples = 0;
};
Result<StoredNow> ReadStoredNow(const std::string& storage_path, const std::string& agent);

}  // namespace wattline::testing

#endif  // WATTLINE_TESTS_FAULT_DELIVERY_ORACLE_H_
