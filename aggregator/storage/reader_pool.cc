#include "aggregator/storage/reader_pool.h"

#include <algorithm>

namespace wattline::aggregator {
namespace {

// A thread holds one reader a pool at most, and few pools: a vector serves.
thread_local std::vector<HeldReader*> held_readers;

}  // namespace

Result<std::unique_ptr<SqliteDb>> ReaderPool::Take() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!idle_.empty()) {
      std::unique_ptr<SqliteDb> db = std::move(idle_.back());
      idle_.pop_back();
      return db;
    }
  }
  SqliteDb::Options options;
  options.create = false;
  return SqliteDb::Open(path_, options);
}

void ReaderPool::Give(std::unique_ptr<SqliteDb> db) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (idle_.size() < kMaxIdle) idle_.push_back(std::move(db));
}

HeldReader::HeldReader(ReaderPool* pool, const std::atomic<uint64_t>* generation)
    : pool_(pool), generation_(generation) {
  // A second holder of the same pool on this thread lends nothing: the
  // first one serves.
  if (Of(pool) == nullptr) held_readers.push_back(this);
}

HeldReader::~HeldReader() {
  std::erase(held_readers, this);
  if (!db_) return;
  if (in_transaction_ && !db_->Exec("COMMIT").ok()) return;  // a broken connection goes
  pool_->Give(std::move(db_));
}

HeldReader* HeldReader::Of(const ReaderPool* pool) {
  auto held = std::find_if(held_readers.begin(), held_readers.end(),
                           [&](const HeldReader* h) { return h->pool_ == pool; });
  return held == held_readers.end() ? nullptr : *held;
}

Result<SqliteDb*> HeldReader::Lend() {
  if (!db_) {
    Result<std::unique_ptr<SqliteDb>> db = pool_->Take();
    if (!db.ok()) return db.status();
    db_ = std::move(*db);
  }
  // Read before BEGIN: the transaction's view is at least this new.
  const uint64_t generation = generation_->load();
  if (in_transaction_ && generation != transaction_generation_) {
    in_transaction_ = false;
    WATTLINE_RETURN_IF_ERROR(db_->Exec("COMMIT"));
  }
  if (!in_transaction_) {
    WATTLINE_RETURN_IF_ERROR(db_->Exec("BEGIN"));
    in_transaction_ = true;
    transaction_generation_ = generation;
  }
  ++lent_;
  return db_.get();
}

ReaderLease::~ReaderLease() {
  if (held_ != nullptr) --held_->lent_;
  if (owned_) pool_->Give(std::move(owned_));
}

Status ReaderLease::Take() {
  // A lease inside another on this thread (its statements still open)
  // cannot move the held transaction on, so it reads on its own.
  if (HeldReader* held = HeldReader::Of(pool_); held != nullptr && held->lent_ == 0) {
    Result<SqliteDb*> db = held->Lend();
    if (!db.ok()) return db.status();
    db_ = *db;
    held_ = held;
    return Status::Ok();
  }
  Result<std::unique_ptr<SqliteDb>> db = pool_->Take();
  if (!db.ok()) return db.status();
  owned_ = std::move(*db);
  db_ = owned_.get();
  return Status::Ok();
}

}  // namespace wattline::aggregator
