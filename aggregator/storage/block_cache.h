// Decoded rows (a chunk's samples, a block of hour rollups) by their row
// key, the most recently used kept up to a budget of bytes. A dashboard
// reads the same rows at every refresh; decoding them was a third of a
// 30-day query's time and most of a last-value query's.
//
// Coherence with the one writer (the flusher): a reader takes a Ticket()
// before it reads a row from the database and offers what it decoded with
// Keep(key, rows, ticket). The writer, after it committed rows and before
// the head lets their samples go, calls Forget() with their keys. Keep
// refuses rows if anything was forgotten since their ticket, so rows read
// before a commit never stay cached after it; and a reader that finds the
// head's copy gone finds the cache forgotten too.
//
// A key's rows may be empty: the database holds no row there.
//
// Thread-safety: all methods are thread-safe.
#ifndef WATTLINE_AGGREGATOR_STORAGE_BLOCK_CACHE_H_
#define WATTLINE_AGGREGATOR_STORAGE_BLOCK_CACHE_H_

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <span>
#include <unordered_map>
#include <vector>

namespace wattline::aggregator {

template <typename T>
class BlockCache {
 public:
  using Rows = std::shared_ptr<const std::vector<T>>;

  // 0 keeps nothing.
  explicit BlockCache(size_t capacity_bytes) : capacity_bytes_(capacity_bytes) {}

  // The rows kept for `key`, or nullptr.
  Rows Find(int64_t key) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end()) {
      ++misses_;
      return nullptr;
    }
    ++hits_;
    recent_.splice(recent_.begin(), recent_, it->second.recent);
    return it->second.rows;
  }

  uint64_t Ticket() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return generation_;
  }

  void Keep(int64_t key, Rows rows, uint64_t ticket) {
    const size_t bytes = BytesOf(*rows);
    std::lock_guard<std::mutex> lock(mutex_);
    if (ticket != generation_ || bytes > capacity_bytes_) return;
    EraseLocked(key);
    recent_.push_front(key);
    entries_.emplace(key, Entry{std::move(rows), recent_.begin(), bytes});
    bytes_ += bytes;
    while (bytes_ > capacity_bytes_) EraseLocked(recent_.back());
  }

  void Forget(std::span<const int64_t> keys) {
    std::lock_guard<std::mutex> lock(mutex_);
    ++generation_;
    for (int64_t key : keys) EraseLocked(key);
  }

  void ForgetAll() {
    std::lock_guard<std::mutex> lock(mutex_);
    ++generation_;
    entries_.clear();
    recent_.clear();
    bytes_ = 0;
  }

  uint64_t hits() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return hits_;
  }
  uint64_t misses() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return misses_;
  }
  size_t bytes() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return bytes_;
  }

 private:
  struct Entry {
    Rows rows;
    std::list<int64_t>::iterator recent;
    size_t bytes = 0;
  };

  // The rows and what keeping them costs besides (the entry, the list node,
  // the shared block's control block).
  static size_t BytesOf(const std::vector<T>& rows) { return rows.size() * sizeof(T) + 128; }

  void EraseLocked(int64_t key) {
    auto it = entries_.find(key);
    if (it == entries_.end()) return;
    bytes_ -= it->second.bytes;
    recent_.erase(it->second.recent);
    entries_.erase(it);
  }

  const size_t capacity_bytes_;
  mutable std::mutex mutex_;
  std::unordered_map<int64_t, Entry> entries_;
  std::list<int64_t> recent_;  // most recently used first
  size_t bytes_ = 0;
  uint64_t generation_ = 0;  // moves with every Forget
  uint64_t hits_ = 0;
  uint64_t misses_ = 0;
};

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_STORAGE_BLOCK_CACHE_H_
