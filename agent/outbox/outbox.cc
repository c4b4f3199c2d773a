#include "agent/outbox/outbox.h"

#include <algorithm>
#include <limits>
#include <utility>

namespace wattline::agent {
namespace {

// kUnacked reserves sequences this many at a time, with one write, so that
// no sequence it hands out can be handed out again after a crash. A crash
// skips the rest of the block; the floor of the next upload covers the gap.
constexpr int64_t kSequenceBlock = 1000;

size_t DroppedKey(size_t first, DropReason reason) { return first + static_cast<size_t>(reason); }

// A sealed_at_ms below 2000 is boot-relative, not an age.
bool HasTrueSealTime(const BatchInfo& info) {
  return info.provisional_boot.empty() && info.sealed_at_ms >= kProvisionalTimeLimitMs;
}

}  // namespace

// What one call changes: the file (in one transaction, opened at the first
// write), the counters and totals (copies), and the memory batches to forget.
// Nothing reaches the Outbox until Commit() succeeds; otherwise the
// transaction rolls back and the Outbox is as it was.
class Outbox::Change {
 public:
  explicit Change(Outbox& outbox) : meta(outbox.meta_), totals(outbox.totals_), outbox_(outbox) {}

  // REQUIRES: before every statement that writes.
  Status WriteFile() {
    if (!txn_) txn_.emplace(*outbox_.db_);
    return txn_->status();
  }
  bool writes_file() const { return txn_.has_value(); }

  void Forget(uint64_t sequence) { forget_.push_back(sequence); }
  bool Forgets(uint64_t sequence) const {
    return std::find(forget_.begin(), forget_.end(), sequence) != forget_.end();
  }

  void Drop(DropReason reason, const BatchInfo& info) {
    totals.Remove(info);
    ++meta[DroppedKey(OutboxMeta::kDroppedBatches, reason)];
    meta[DroppedKey(OutboxMeta::kDroppedSamples, reason)] += info.sample_count;
  }

  // Counters changed without a file write stay in memory until the next one.
  Status Commit() {
    if (txn_) {
      WATTLINE_RETURN_IF_ERROR(meta.WriteChanges(*outbox_.db_, outbox_.stored_meta_));
      WATTLINE_RETURN_IF_ERROR(txn_->Commit().WithContext("commit"));
      outbox_.stored_meta_ = meta;
    }
    outbox_.meta_ = meta;
    outbox_.totals_ = totals;
    for (uint64_t sequence : forget_) outbox_.memory_.erase(sequence);
    return Status::Ok();
  }

  OutboxMeta meta;
  BatchTotals totals;

 private:
  Outbox& outbox_;
  std::optional<Transaction> txn_;
  std::vector<uint64_t> forget_;
};

Outbox::Outbox(std::unique_ptr<SqliteDb> db, OutboxOptions options)
    : db_(std::move(db)), table_(*db_), options_(options), compressor_(kDefaultZstdLevel) {}

Result<std::unique_ptr<Outbox>> Outbox::Open(const std::string& path, OutboxOptions options,
                                             std::string current_boot) {
  auto db = SqliteDb::Open(path, SqliteDb::Options{});
  if (!db.ok()) return db.status().WithContext("cannot open outbox");
  std::unique_ptr<Outbox> outbox(new Outbox(std::move(*db), options));
  Status loaded = outbox->Load(current_boot);
  if (!loaded.ok()) return loaded.WithContext("cannot open outbox " + path);
  return outbox;
}

Status Outbox::Load(const std::string& current_boot) {
  Result<uint64_t> id = table_.MigrateAndIdentify();
  if (!id.ok()) return id.status();
  outbox_id_ = *id;
  Result<OutboxMeta> meta = OutboxMeta::Load(*db_);
  if (!meta.ok()) return meta.status();
  meta_ = stored_meta_ = *meta;
  next_sequence_ = static_cast<uint64_t>(meta_[OutboxMeta::kNextSequence]);
  Result<BatchTotals> totals = table_.Totals();
  if (!totals.ok()) return totals.status();
  totals_ = *totals;

  Change change(*this);
  WATTLINE_RETURN_IF_ERROR(change.WriteFile());
  Result<std::vector<BatchInfo>> untimed = table_.DeleteUntimed(current_boot);
  if (!untimed.ok()) return untimed.status();
  for (const BatchInfo& info : *untimed) change.Drop(DropReason::kUntimed, info);
  WATTLINE_RETURN_IF_ERROR(change.Commit());

  Result<std::map<std::string, int64_t>> offsets = table_.ClockOffsets();
  if (!offsets.ok()) return offsets.status();
  offsets_ = std::move(*offsets);
  return Status::Ok();
}

Result<uint64_t> Outbox::Seal(Batch batch, const SealTime& time) {
  const uint64_t sequence = next_sequence_;
  batch.outbox_id = outbox_id_;
  batch.sequence = sequence;
  Result<std::string> frame = EncodeBatch(batch, compressor_);
  if (!frame.ok()) return frame.status().WithContext("seal");
  const BatchInfo info{sequence,
                       batch.sealed_at_ms,
                       static_cast<int64_t>(batch.SampleCount()),
                       static_cast<int64_t>(frame->size()),
                       time.provisional_boot,
                       false};
  Change change(*this);
  Status sealed = SealInto(change, info, std::move(*frame), time);
  if (sealed.ok()) sealed = change.Commit();
  if (!sealed.ok()) {
    memory_.erase(sequence);  // kUnacked keeps it there before the commit
    return sealed.WithContext("seal");
  }
  next_sequence_ = sequence + 1;
  return sequence;
}

Status Outbox::SealInto(Change& change, const BatchInfo& info, std::string frame,
                        const SealTime& time) {
  change.totals.Add(info);
  ++change.meta[OutboxMeta::kSealedBatches];
  change.meta[OutboxMeta::kSealedSamples] += info.sample_count;
  const auto sequence = static_cast<int64_t>(info.sequence);
  if (options_.persist == OutboxOptions::Persist::kAlways) {
    WATTLINE_RETURN_IF_ERROR(change.WriteFile());
    WATTLINE_RETURN_IF_ERROR(table_.Insert(info, frame, ""));
    change.meta[OutboxMeta::kNextSequence] = sequence + 1;
  } else {
    // The block must be durable before a sequence of it can reach the
    // aggregator, which it may in the very next upload.
    if (sequence >= change.meta[OutboxMeta::kNextSequence]) {
      WATTLINE_RETURN_IF_ERROR(change.WriteFile());
      change.meta[OutboxMeta::kNextSequence] = sequence + kSequenceBlock;
    }
    memory_.emplace(info.sequence, MemoryBatch{info, std::move(frame), time.now_monotonic_ms});
  }
  return DropOverBounds(change, time);
}

Status Outbox::DropOverBounds(Change& change, const SealTime& time) {
  if (time.time_known) {
    const int64_t cutoff = time.now_unix_ms - options_.max_age_ms;
    for (const auto& [sequence, batch] : memory_) {
      if (HasTrueSealTime(batch.info) && batch.info.sealed_at_ms < cutoff) {
        change.Drop(DropReason::kAge, batch.info);
        change.Forget(sequence);
      }
    }
    // Looked up first so that kUnacked writes only when something is old.
    Result<std::optional<int64_t>> oldest = table_.OldestSealed(false);
    if (!oldest.ok()) return oldest.status();
    if (oldest->has_value() && **oldest < cutoff) {
      WATTLINE_RETURN_IF_ERROR(change.WriteFile());
      Result<std::vector<BatchInfo>> aged = table_.DeleteSealedBefore(cutoff);
      if (!aged.ok()) return aged.status();
      for (const BatchInfo& info : *aged) change.Drop(DropReason::kAge, info);
    }
  }
  // Oldest first, from memory or file, whichever holds the lower sequence.
  auto memory = memory_.begin();
  while (change.totals.bytes > options_.max_bytes) {
    while (memory != memory_.end() && change.Forgets(memory->first)) ++memory;
    Result<std::optional<uint64_t>> lowest = table_.LowestSequence(false);
    if (!lowest.ok()) return lowest.status();
    if (memory != memory_.end() && (!lowest->has_value() || memory->first < **lowest)) {
      change.Drop(DropReason::kBytes, memory->second.info);
      change.Forget(memory->first);
      continue;
    }
    if (!lowest->has_value()) break;
    WATTLINE_RETURN_IF_ERROR(change.WriteFile());
    Result<std::optional<BatchInfo>> dropped = table_.Delete(**lowest);
    if (!dropped.ok()) return dropped.status();
    if (!dropped->has_value()) break;
    change.Drop(DropReason::kBytes, **dropped);
  }
  return Status::Ok();
}

bool Outbox::Sendable(const BatchInfo& info) const {
  return !info.parked &&
         (info.provisional_boot.empty() || offsets_.contains(info.provisional_boot));
}

Result<uint64_t> Outbox::Floor() {
  Result<std::optional<uint64_t>> lowest = table_.LowestSequence(true);
  if (!lowest.ok()) return lowest.status();
  uint64_t floor = lowest->value_or(next_sequence_);
  if (!memory_.empty()) floor = std::min(floor, memory_.begin()->first);
  return floor;
}

Result<std::vector<BatchInfo>> Outbox::ChooseUpload(size_t max_bytes) {
  std::optional<BatchInfo> newest;
  for (auto it = memory_.rbegin(); it != memory_.rend() && !newest; ++it) {
    if (Sendable(it->second.info)) newest = it->second.info;
  }
  WATTLINE_RETURN_IF_ERROR(table_.ForEachWaiting(true, [&](const BatchInfo& info) {
    if (!Sendable(info)) return true;
    if (!newest || info.sequence > newest->sequence) newest = info;
    return false;
  }));
  if (!newest) return std::vector<BatchInfo>();

  const int64_t limit = max_bytes > static_cast<size_t>(std::numeric_limits<int64_t>::max())
                            ? std::numeric_limits<int64_t>::max()
                            : static_cast<int64_t>(max_bytes);
  std::vector<BatchInfo> chosen = {*newest};
  int64_t total = newest->frame_bytes;
  bool full = false;
  // Takes the next oldest; false once the upload is complete.
  auto offer = [&](const BatchInfo& info) {
    if (info.sequence >= newest->sequence) {
      full = true;
      return false;
    }
    if (!Sendable(info)) return true;
    if (total + info.frame_bytes > limit) {
      full = true;
      return false;
    }
    total += info.frame_bytes;
    chosen.push_back(info);
    return true;
  };
  // File and memory batches merged in sequence order.
  auto memory = memory_.begin();
  WATTLINE_RETURN_IF_ERROR(table_.ForEachWaiting(false, [&](const BatchInfo& info) {
    for (; memory != memory_.end() && memory->first < info.sequence; ++memory) {
      if (!offer(memory->second.info)) return false;
    }
    return offer(info);
  }));
  for (; !full && memory != memory_.end(); ++memory) offer(memory->second.info);
  return chosen;
}

Result<UploadPlan> Outbox::NextUpload(size_t max_bytes) {
  UploadPlan plan;
  Result<uint64_t> floor = Floor();
  if (!floor.ok()) return floor.status().WithContext("plan upload");
  plan.floor_sequence = *floor;
  Result<std::vector<BatchInfo>> chosen = ChooseUpload(max_bytes);
  if (!chosen.ok()) return chosen.status().WithContext("plan upload");
  for (const BatchInfo& info : *chosen) {
    PendingBatch batch{info.sequence, info.sample_count, {}, 0};
    if (!info.provisional_boot.empty()) batch.time_shift_ms = offsets_.at(info.provisional_boot);
    auto in_memory = memory_.find(info.sequence);
    if (in_memory != memory_.end()) {
      batch.frame = in_memory->second.frame;
    } else {
      Result<std::string> frame = table_.Frame(info.sequence);
      if (!frame.ok()) return frame.status().WithContext("plan upload");
      batch.frame = std::move(*frame);
    }
    plan.batches.push_back(std::move(batch));
  }
  return plan;
}

Status Outbox::Acknowledge(const std::vector<uint64_t>& sequences) {
  Change change(*this);
  for (uint64_t sequence : sequences) {
    auto in_memory = memory_.find(sequence);
    if (in_memory != memory_.end()) {
      // Never written, so forgetting it is all there is to do.
      if (!change.Forgets(sequence)) {
        change.totals.Remove(in_memory->second.info);
        change.Forget(sequence);
      }
      continue;
    }
    WATTLINE_RETURN_IF_ERROR(change.WriteFile().WithContext("acknowledge"));
    Result<std::optional<BatchInfo>> deleted = table_.Delete(sequence);
    if (!deleted.ok()) return deleted.status().WithContext("acknowledge");
    if (deleted->has_value()) change.totals.Remove(**deleted);
  }
  return change.Commit().WithContext("acknowledge");
}

Status Outbox::Park(uint64_t sequence, const std::string& reason) {
  // parked_reason NULL means waiting, so a parked batch always has one.
  const std::string stored_reason = reason.empty() ? "refused" : reason;
  Change change(*this);
  WATTLINE_RETURN_IF_ERROR(change.WriteFile().WithContext("park"));
  BatchInfo info;
  auto in_memory = memory_.find(sequence);
  if (in_memory != memory_.end()) {
    info = in_memory->second.info;
    WATTLINE_RETURN_IF_ERROR(table_.Insert(info, in_memory->second.frame, stored_reason));
    change.Forget(sequence);
  } else {
    Result<std::optional<BatchInfo>> parked = table_.Park(sequence, stored_reason);
    if (!parked.ok()) return parked.status().WithContext("park");
    if (!parked->has_value()) return Status::Ok();  // acknowledged, dropped or parked already
    info = **parked;
  }
  change.totals.Remove(info);
  info.parked = true;
  change.totals.Add(info);
  change.meta[OutboxMeta::kParkedSamples] += info.sample_count;
  return change.Commit().WithContext("park");
}

Status Outbox::SetClockOffset(const std::string& boot_id, int64_t offset_ms) {
  Change change(*this);
  WATTLINE_RETURN_IF_ERROR(change.WriteFile());
  WATTLINE_RETURN_IF_ERROR(table_.SetClockOffset(boot_id, offset_ms));
  WATTLINE_RETURN_IF_ERROR(change.Commit().WithContext("store clock offset"));
  offsets_[boot_id] = offset_ms;
  return Status::Ok();
}

Result<std::optional<int64_t>> Outbox::ClockOffset(const std::string& boot_id) {
  auto it = offsets_.find(boot_id);
  if (it == offsets_.end()) return std::optional<int64_t>();
  return std::optional<int64_t>(it->second);
}

Status Outbox::Persist(Change& change, bool due_only, int64_t now_monotonic_ms) {
  for (const auto& [sequence, batch] : memory_) {
    if (due_only && now_monotonic_ms - batch.sealed_monotonic_ms < options_.persist_delay_ms) {
      continue;
    }
    WATTLINE_RETURN_IF_ERROR(change.WriteFile());
    WATTLINE_RETURN_IF_ERROR(table_.Insert(batch.info, batch.frame, ""));
    change.Forget(sequence);
  }
  return change.Commit().WithContext("persist");
}

Status Outbox::PersistDue(int64_t now_monotonic_ms) {
  Change change(*this);
  return Persist(change, true, now_monotonic_ms);
}

Status Outbox::PersistAll() {
  Change change(*this);
  // Gives back the rest of the reserved block (kUnacked) and writes the
  // counters kept in memory since the last write.
  change.meta[OutboxMeta::kNextSequence] = static_cast<int64_t>(next_sequence_);
  if (!(change.meta == stored_meta_)) WATTLINE_RETURN_IF_ERROR(change.WriteFile());
  return Persist(change, false, 0);
}

Result<OutboxStats> Outbox::Stats() {
  OutboxStats stats;
  stats.batches = totals_.batches;
  stats.samples = totals_.samples;
  stats.bytes = totals_.bytes;
  stats.parked_batches = totals_.parked_batches;
  stats.unpersisted_batches = static_cast<int64_t>(memory_.size());

  Result<std::map<std::string, int64_t>> provisional = table_.WaitingProvisionalByBoot();
  if (!provisional.ok()) return provisional.status().WithContext("outbox stats");
  for (const auto& [boot, count] : *provisional) {
    if (!offsets_.contains(boot)) stats.held_batches += count;
  }
  Result<std::optional<int64_t>> oldest = table_.OldestSealed(true);
  if (!oldest.ok()) return oldest.status().WithContext("outbox stats");
  for (const auto& [sequence, batch] : memory_) {
    if (!Sendable(batch.info)) ++stats.held_batches;
    if (HasTrueSealTime(batch.info) &&
        (!oldest->has_value() || batch.info.sealed_at_ms < **oldest)) {
      *oldest = batch.info.sealed_at_ms;
    }
  }
  stats.oldest_sealed_at_ms = oldest->value_or(0);

  stats.sealed_batches = meta_[OutboxMeta::kSealedBatches];
  stats.sealed_samples = meta_[OutboxMeta::kSealedSamples];
  stats.parked_samples = meta_[OutboxMeta::kParkedSamples];
  for (size_t reason = 0; reason < kDropReasonCount; ++reason) {
    stats.dropped_batches[reason] = meta_[OutboxMeta::kDroppedBatches + reason];
    stats.dropped_samples[reason] = meta_[OutboxMeta::kDroppedSamples + reason];
  }
  return stats;
}

}  // namespace wattline::agent
