// Read-only use of a database by many threads at once: each read leases a
// connection of its own (SQLite connections are single-threaded), which goes
// back to the pool for the next read.
//
// Thread-safety: ReaderPool is thread-safe; a ReaderLease belongs to one
// thread.
#ifndef WATTLINE_AGGREGATOR_STORAGE_READER_POOL_H_
#define WATTLINE_AGGREGATOR_STORAGE_READER_POOL_H_

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/sqlite_db.h"

namespace wattline::aggregator {

class ReaderPool {
 public:
  explicit ReaderPool(std::string path) : path_(std::move(path)) {}

  // An idle connection, or a new one.
  Result<std::unique_ptr<SqliteDb>> Take();
  void Give(std::unique_ptr<SqliteDb> db);

 private:
  static constexpr size_t kMaxIdle = 8;
  const std::string path_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<SqliteDb>> idle_;
};

// A connection for the scope of one read. Statements prepared on it must
// be destroyed before the lease.
class ReaderLease {
 public:
  explicit ReaderLease(ReaderPool* pool) : pool_(pool) {}
  ~ReaderLease();
  ReaderLease(const ReaderLease&) = delete;
  ReaderLease& operator=(const ReaderLease&) = delete;

  Status Take();
  SqliteDb& db() { return *db_; }

 private:
  ReaderPool* pool_;
  std::unique_ptr<SqliteDb> db_;
};

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_STORAGE_READER_POOL_H_
