// The agent's outbox: sealed batches waiting for the aggregator's ack, in one
// SQLite file (WAL mode, synchronous=FULL).
//
// Durability: with Persist::kAlways, Seal() returns OK only after its COMMIT;
// from then on the batch survives SIGKILL and power loss until Acknowledge()
// deletes it. With Persist::kUnacked a batch is durable only once PersistDue()
// or PersistAll() wrote it: a crash loses the batches in memory (up to
// seal_interval + persist_delay of samples), and the counters changed since
// the last write. Sequence numbers come from a counter stored beside the
// batches, advanced in the same transaction as the seal (kUnacked: reserved
// 1000 at a time, with one write, before any of them is handed out), so they
// never repeat within one outbox, even after every batch has been
// acknowledged and deleted or after a crash (which may leave a gap). The
// random outbox id, chosen when the file is created, tells the aggregator
// that a new outbox (a wiped SD card) starts a new sequence.
//
// The format is in docs/formats/outbox.md.
//
// Thread-safety: not thread-safe; the agent's loop thread owns it, and with it
// the zstd context that Seal() reuses (common/zstd_frame.h).
#ifndef WATTLINE_AGENT_OUTBOX_OUTBOX_H_
#define WATTLINE_AGENT_OUTBOX_OUTBOX_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/outbox/outbox_meta.h"
#include "agent/outbox/outbox_options.h"
#include "agent/outbox/outbox_table.h"
#include "common/batch.h"
#include "common/batch_codec.h"
#include "common/sqlite_db.h"
#include "common/status.h"

namespace wattline::agent {

// What the time keeper knows when a batch is sealed (agent/time/).
struct SealTime {
  // The agent's best Unix time now; meaningful only when time_known.
  int64_t now_unix_ms = 0;
  bool time_known = false;
  // Non-empty when the batch holds provisional timestamps (common/batch.h):
  // the boot id they were taken in.
  std::string provisional_boot;
  int64_t now_monotonic_ms = 0;  // for kUnacked's delay
};

// A batch chosen for upload.
struct PendingBatch {
  uint64_t sequence = 0;
  int64_t sample_count = 0;
  std::string frame;          // common/batch_codec.h encoding
  int64_t time_shift_ms = 0;  // the boot's offset for provisional batches, else 0
};

struct UploadPlan {
  uint64_t floor_sequence = 0;  // Upload::floor_sequence (common/batch.h)
  std::vector<PendingBatch> batches;
};

struct OutboxStats {
  int64_t batches = 0;  // waiting, parked excluded
  int64_t samples = 0;
  int64_t bytes = 0;                // sum of frame sizes, parked included
  int64_t oldest_sealed_at_ms = 0;  // of timed waiting batches; 0 when none
  int64_t held_batches = 0;         // provisional, waiting for their boot's offset
  int64_t parked_batches = 0;
  int64_t unpersisted_batches = 0;  // kUnacked: in memory only
  // Persistent counters, advanced in the same transaction as what they count.
  int64_t sealed_batches = 0;
  int64_t sealed_samples = 0;
  int64_t dropped_batches[kDropReasonCount] = {};  // by DropReason
  int64_t dropped_samples[kDropReasonCount] = {};
  int64_t parked_samples = 0;
};

class Outbox {
 public:
  // Opens or creates the outbox at `path`; the file is mode 0600. Batches
  // held for an earlier boot than `current_boot` whose offset was never
  // learned can no longer be placed in time: they are dropped (kUntimed).
  static Result<std::unique_ptr<Outbox>> Open(const std::string& path, OutboxOptions options,
                                              std::string current_boot);

  uint64_t outbox_id() const { return outbox_id_; }

  // Gives `batch` this outbox's id and the next sequence number, encodes it,
  // stores it, then drops the oldest batches while over a bound. Returns the
  // sequence. On error nothing changed (a full disk included).
  Result<uint64_t> Seal(Batch batch, const SealTime& time);

  // The newest sendable batch, then the oldest ones, while the frames fit in
  // `max_bytes` (always at least one batch when any is sendable). Batches
  // whose boot offset is unknown are held back; parked ones are never sent.
  Result<UploadPlan> NextUpload(size_t max_bytes);

  // Deletes acknowledged batches; unknown sequences are not an error.
  Status Acknowledge(const std::vector<uint64_t>& sequences);
  // Keeps a refused batch out of every later upload, and counts it.
  Status Park(uint64_t sequence, const std::string& reason);

  // Provisional timestamps of `boot_id` become true time by adding
  // `offset_ms`. Kept until no batch of that boot remains.
  Status SetClockOffset(const std::string& boot_id, int64_t offset_ms);
  // The stored offset of `boot_id`, if any (the agent restarted this boot).
  Result<std::optional<int64_t>> ClockOffset(const std::string& boot_id);

  // kUnacked: writes the batches sealed longer than persist_delay_ms ago, in
  // one transaction. Call it on a timer (every second or so): nothing else
  // writes them. A no-op with kAlways.
  Status PersistDue(int64_t now_monotonic_ms);
  // Writes every batch still in memory and the counters (at shutdown).
  Status PersistAll();

  Result<OutboxStats> Stats();

 private:
  // A batch sealed in kUnacked mode and not written yet.
  struct MemoryBatch {
    BatchInfo info;
    std::string frame;
    int64_t sealed_monotonic_ms = 0;
  };
  class Change;  // one call's changes, committed together (outbox.cc)

  Outbox(std::unique_ptr<SqliteDb> db, OutboxOptions options);
  Status Load(const std::string& current_boot);
  // Stores the new batch (in the file or in memory) and applies the bounds.
  Status SealInto(Change& change, const BatchInfo& info, std::string frame, const SealTime& time);
  Status DropOverBounds(Change& change, const SealTime& time);
  Status Persist(Change& change, bool due_only, int64_t now_monotonic_ms);
  bool Sendable(const BatchInfo& info) const;
  Result<std::vector<BatchInfo>> ChooseUpload(size_t max_bytes);
  Result<uint64_t> Floor();

  std::unique_ptr<SqliteDb> db_;
  OutboxTable table_;
  OutboxOptions options_;
  ZstdCompressor compressor_;
  uint64_t outbox_id_ = 0;
  // The next Seal()'s sequence. In kUnacked, meta_'s next_sequence is the end
  // of the reserved block and may be higher.
  uint64_t next_sequence_ = 0;
  OutboxMeta meta_;                         // as it is now
  OutboxMeta stored_meta_;                  // as the file holds it (kUnacked: may lag meta_)
  BatchTotals totals_;                      // file and memory
  std::map<uint64_t, MemoryBatch> memory_;  // kUnacked, by sequence
  std::map<std::string, int64_t> offsets_;  // clock_offsets, as stored
};

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_OUTBOX_OUTBOX_H_
