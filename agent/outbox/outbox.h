// The agent's outbox: sealed batches waiting for the aggregator's ack, in one
// SQLite file (WAL mode, synchronous=FULL).
//
// Durability: Seal() returns OK only after its COMMIT; from then on the batch
// survives SIGKILL and power loss until Acknowledge() deletes it. Sequence
// numbers come from a counter stored beside the batches and advanced in the
// same transaction, so they never repeat within one outbox, even after every
// batch has been acknowledged and deleted. The random outbox id, chosen when
// the file is created, tells the aggregator that a new outbox (a wiped SD
// card) starts a new sequence.
//
// The format is in docs/formats/outbox.md.
//
// Thread-safety: not thread-safe; the agent's loop thread owns it, and with it
// the zstd context that Seal() reuses (common/zstd_frame.h).
#ifndef WATTLINE_AGENT_OUTBOX_OUTBOX_H_
#define WATTLINE_AGENT_OUTBOX_OUTBOX_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/batch.h"
#include "common/batch_codec.h"
#include "common/sqlite_db.h"
#include "common/status.h"

namespace wattline::agent {

// A sealed batch as stored: its zstd-framed encoding and what the uploader
// needs without decoding it.
struct SealedBatch {
  uint64_t sequence = 0;
  int64_t sealed_at_ms = 0;
  int64_t sample_count = 0;
  std::string frame;  // common/batch_codec.h encoding
};

struct OutboxStats {
  int64_t batches = 0;
  int64_t samples = 0;
  int64_t bytes = 0;              // sum of frame sizes
  int64_t oldest_sealed_at_ms = 0;  // 0 when empty
};

class Outbox {
 public:
  // Opens or creates the outbox at `path`; the file is mode 0600.
  static Result<std::unique_ptr<Outbox>> Open(const std::string& path);

  uint64_t outbox_id() const { return outbox_id_; }

  // Gives `batch` this outbox's id and the next sequence number, encodes it
  // and commits it. Returns the sequence. On error nothing was stored and the
  // sequence was not consumed.
  Result<uint64_t> Seal(Batch batch);

  // Up to `max_count` batches with the lowest sequence numbers, oldest first.
  Result<std::vector<SealedBatch>> Oldest(size_t max_count);

  // Deletes the batch `sequence` (acknowledged by the aggregator). A sequence
  // that is not stored (already acknowledged) is not an error.
  Status Acknowledge(uint64_t sequence);

  Result<OutboxStats> Stats();

 private:
  Outbox(std::unique_ptr<SqliteDb> db, uint64_t outbox_id)
      : db_(std::move(db)), outbox_id_(outbox_id) {}
  static Status Migrate(SqliteDb& db);

  std::unique_ptr<SqliteDb> db_;
  uint64_t outbox_id_;
  // Kept between seals so that zstd's workspace is not allocated anew every
  // few seconds.
  ZstdCompressor compressor_{kDefaultZstdLevel};
};

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_OUTBOX_OUTBOX_H_
