// The SQL side of the outbox: its schema and every statement on its tables
// (docs/formats/outbox.md). The Outbox decides what to store and drop; this
// says how. Nothing here reads a frame except Frame(): metadata comes from
// the covering index batches_metadata, so scans never touch the blobs.
//
// Transactions are the caller's: a mutating call REQUIRES an open
// Transaction on the same SqliteDb, so that what the Outbox does in one step
// commits or rolls back as one.
//
// Thread-safety: as the SqliteDb it wraps (one thread at a time).
#ifndef WATTLINE_AGENT_OUTBOX_OUTBOX_TABLE_H_
#define WATTLINE_AGENT_OUTBOX_OUTBOX_TABLE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/sqlite_db.h"
#include "common/status.h"

namespace wattline::agent {

// One batch's metadata.
struct BatchInfo {
  uint64_t sequence = 0;
  int64_t sealed_at_ms = 0;
  int64_t sample_count = 0;
  int64_t frame_bytes = 0;
  std::string provisional_boot;  // empty: the batch holds true timestamps
  bool parked = false;
};

// Sums over batches. Parked batches count in bytes and parked_batches only.
struct BatchTotals {
  int64_t bytes = 0;
  int64_t batches = 0;
  int64_t samples = 0;
  int64_t parked_batches = 0;

  void Add(const BatchInfo& info);
  void Remove(const BatchInfo& info);
};

// The schema versions: [i] takes the file from version i to i + 1. Only ever
// appended; a text here never changes once released.
const std::vector<std::string_view>& OutboxSchemas();

class OutboxTable {
 public:
  // `db` outlives the table.
  explicit OutboxTable(SqliteDb& db) : db_(db) {}

  // Brings the file to the newest schema; a new file gets its random outbox
  // id and next_sequence 1, once. Returns the outbox id.
  Result<uint64_t> MigrateAndIdentify();

  // Stores a batch; `parked_reason` non-empty stores it parked.
  Status Insert(const BatchInfo& info, std::string_view frame, const std::string& parked_reason);
  // Deletes one batch; nullopt when there is none.
  Result<std::optional<BatchInfo>> Delete(uint64_t sequence);
  // Parks a waiting batch and returns it as it was (waiting); nullopt when
  // there is none (or it is parked already).
  Result<std::optional<BatchInfo>> Park(uint64_t sequence, const std::string& reason);
  // Deletes the batches with true timestamps sealed before `cutoff_ms`.
  Result<std::vector<BatchInfo>> DeleteSealedBefore(int64_t cutoff_ms);
  // Deletes the provisional batches of other boots than `current_boot` whose
  // boot has no clock offset, then the offsets no batch needs any more
  // (`current_boot`'s is kept).
  Result<std::vector<BatchInfo>> DeleteUntimed(const std::string& current_boot);

  // The lowest sequence stored; with `waiting_only`, of unparked batches.
  Result<std::optional<uint64_t>> LowestSequence(bool waiting_only);
  // Visits the unparked batches in sequence order, descending when
  // `newest_first`, until `visit` returns false.
  Status ForEachWaiting(bool newest_first, const std::function<bool(const BatchInfo&)>& visit);
  Result<std::string> Frame(uint64_t sequence);

  Result<BatchTotals> Totals();
  // Unparked provisional batches, by boot.
  Result<std::map<std::string, int64_t>> WaitingProvisionalByBoot();
  // The earliest sealed_at_ms of batches with true timestamps; with
  // `waiting_only`, of unparked ones.
  Result<std::optional<int64_t>> OldestSealed(bool waiting_only);

  Result<std::map<std::string, int64_t>> ClockOffsets();
  Status SetClockOffset(const std::string& boot_id, int64_t offset_ms);

 private:
  Result<std::vector<BatchInfo>> Collect(Statement& stmt);

  SqliteDb& db_;
};

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_OUTBOX_OUTBOX_TABLE_H_
