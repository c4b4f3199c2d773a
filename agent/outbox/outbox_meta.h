// The outbox's persistent numbers: its sequence high-water mark and its
// counters, one row each in meta(key, value) (docs/formats/outbox.md). The
// outbox keeps a copy as the file has it and a copy as it is now; a write
// transaction stores the difference, so a seal that changes three counters
// rewrites three rows and an acknowledgement none.
//
// Thread-safety: a plain value; OutboxMeta::Load and WriteChanges use the
// caller's SqliteDb on the caller's thread.
#ifndef WATTLINE_AGENT_OUTBOX_OUTBOX_META_H_
#define WATTLINE_AGENT_OUTBOX_OUTBOX_META_H_

#include <array>
#include <cstddef>
#include <cstdint>

#include "common/sqlite_db.h"
#include "common/status.h"

namespace wattline::agent {

// Why batches left the outbox without being acknowledged.
enum class DropReason { kBytes, kAge, kUntimed };
inline constexpr size_t kDropReasonCount = 3;

// As the meta keys (dropped_batches.<name>) and the agent's series
// (reason="<name>") spell it.
constexpr const char* DropReasonName(DropReason reason) {
  switch (reason) {
    case DropReason::kBytes:
      return "bytes";
    case DropReason::kAge:
      return "age";
    case DropReason::kUntimed:
      return "untimed";
  }
  return "unknown";
}

class OutboxMeta {
 public:
  // The keys, in the order of kOutboxMetaNames. The dropped_* keys are
  // indexed by DropReason: bytes, age, untimed.
  enum Key : size_t {
    kNextSequence,  // no sequence at or above it was ever handed out
    kSealedBatches,
    kSealedSamples,
    kParkedSamples,
    kDroppedBatches,                                       // + each DropReason
    kDroppedSamples = kDroppedBatches + kDropReasonCount,  // + each DropReason
    kKeyCount = kDroppedSamples + kDropReasonCount,
  };

  // Reads every key; an absent counter is 0. next_sequence must be present.
  // Errors: Corruption when it is not; SQLite errors.
  static Result<OutboxMeta> Load(SqliteDb& db);

  // Writes the keys whose value differs from `stored` (what the file holds).
  // REQUIRES: the caller's transaction is open.
  Status WriteChanges(SqliteDb& db, const OutboxMeta& stored) const;

  int64_t& operator[](size_t key) { return values_[key]; }
  int64_t operator[](size_t key) const { return values_[key]; }
  bool operator==(const OutboxMeta&) const = default;

 private:
  std::array<int64_t, kKeyCount> values_{};
};

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_OUTBOX_OUTBOX_META_H_
