#include "aggregator/storage/reader_pool.h"

namespace wattline::aggregator {

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

ReaderLease::~ReaderLease() {
  if (db_) pool_->Give(std::move(db_));
}

Status ReaderLease::Take() {
  Result<std::unique_ptr<SqliteDb>> db = pool_->Take();
  if (!db.ok()) return db.status();
  db_ = std::move(*db);
  return Status::Ok();
}

}  // namespace wattline::aggregator
