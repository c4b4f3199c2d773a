// Read-only use of a database by many threads at once: each read leases a
// connection of its own (SQLite connections are single-threaded), which goes
// back to the pool for the next read.
//
// A thread that makes many small reads in a row (a query) holds one
// connection with a HeldReader: its leases then share that connection and
// one read transaction, instead of each statement locking the database and
// its WAL index anew (two fcntl calls a lock; a quarter of the time of a
// query over 60 series' last samples).
//
// Thread-safety: ReaderPool is thread-safe; a ReaderLease and a HeldReader
// belong to the thread that made them.
#ifndef WATTLINE_AGGREGATOR_STORAGE_READER_POOL_H_
#define WATTLINE_AGGREGATOR_STORAGE_READER_POOL_H_

#include <atomic>
#include <cstdint>
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

// Holds a connection of `pool` for the calling thread until destroyed. Its
// read transaction sees the database as of the first read in it, so it
// starts again whenever `generation` has moved: the writer moves it after a
// commit and before the copies of what it committed leave memory (the
// head), so a read that finds them gone there finds them on disk.
class HeldReader {
 public:
  HeldReader(ReaderPool* pool, const std::atomic<uint64_t>* generation);
  ~HeldReader();
  HeldReader(const HeldReader&) = delete;
  HeldReader& operator=(const HeldReader&) = delete;

 private:
  friend class ReaderLease;
  // This thread's holder of `pool`, or nullptr.
  static HeldReader* Of(const ReaderPool* pool);
  // The connection, in a read transaction no older than the generation.
  Result<SqliteDb*> Lend();

  ReaderPool* pool_;
  const std::atomic<uint64_t>* generation_;
  std::unique_ptr<SqliteDb> db_;
  bool in_transaction_ = false;
  uint64_t transaction_generation_ = 0;
  int lent_ = 0;  // leases using db_ now
};

// A connection for the scope of one read: the thread's held one, or one of
// the pool's. Statements prepared on it must be destroyed before the lease.
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
  SqliteDb* db_ = nullptr;
  std::unique_ptr<SqliteDb> owned_;  // when not held
  HeldReader* held_ = nullptr;
};

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_STORAGE_READER_POOL_H_
