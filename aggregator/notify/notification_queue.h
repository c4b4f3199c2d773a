// Notifications waiting for their receiver, in a SQLite file of their own
// (data_dir/notifications.db, WAL, synchronous=FULL): an alert due for
// notification is committed here before anything is sent, and leaves only
// once its receiver took it, so neither a receiver that is down nor a
// restart loses it (docs/rules.md, "Notifications").
//
//   CREATE TABLE notifications (
//     id INTEGER PRIMARY KEY,   -- in the order they were queued
//     receiver TEXT NOT NULL,   -- e.g. "alertmanager"
//     body TEXT NOT NULL,       -- what the receiver is sent (one alert)
//     attempts INTEGER NOT NULL,
//     next_attempt_ms INTEGER NOT NULL,
//     queued_ms INTEGER NOT NULL)
//
// At most `max_queued` wait per receiver: past that the oldest are dropped
// (counted), so a receiver gone for good cannot fill the disk.
//
// Thread-safety: all methods are thread-safe (one connection, a mutex).
#ifndef WATTLINE_AGGREGATOR_NOTIFY_NOTIFICATION_QUEUE_H_
#define WATTLINE_AGGREGATOR_NOTIFY_NOTIFICATION_QUEUE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/sqlite_db.h"
#include "common/status.h"

namespace wattline::aggregator {

struct QueuedNotification {
  int64_t id = 0;
  std::string body;
  int64_t attempts = 0;
};

struct NotificationQueueCounts {
  uint64_t queued = 0;     // ever queued
  uint64_t delivered = 0;  // taken by their receiver
  uint64_t retried = 0;    // failed attempts, each followed by a retry
  uint64_t dropped = 0;    // the oldest, past max_queued
  uint64_t rejected = 0;   // refused by their receiver as they are
};

class NotificationQueue {
 public:
  static Result<std::unique_ptr<NotificationQueue>> Open(const std::string& path,
                                                         int64_t max_queued = 10000);

  // Queues `bodies` for `receiver` in one transaction, due at `now_ms`.
  Status Enqueue(const std::string& receiver, const std::vector<std::string>& bodies,
                 int64_t now_ms);

  // Up to `limit` of `receiver`'s notifications due at `now_ms`, oldest
  // first.
  Result<std::vector<QueuedNotification>> Due(const std::string& receiver, int64_t now_ms,
                                              int limit);

  // The receiver took them: they leave the queue.
  Status Delivered(const std::vector<int64_t>& ids);

  // The receiver refused them as they are (a 400): they leave the queue,
  // counted, since sending them again cannot help.
  Status Rejected(const std::vector<int64_t>& ids);

  // The attempt failed: each is tried again at `retry_at_ms`.
  Status Failed(const std::vector<int64_t>& ids, int64_t retry_at_ms);

  // Notifications waiting, over all receivers.
  Result<int64_t> Pending();

  NotificationQueueCounts Counts() const;

 private:
  NotificationQueue(std::unique_ptr<SqliteDb> db, int64_t max_queued)
      : db_(std::move(db)), max_queued_(max_queued) {}

  Status Remove(const std::vector<int64_t>& ids);

  std::mutex mutex_;
  std::unique_ptr<SqliteDb> db_;
  const int64_t max_queued_;
  std::atomic<uint64_t> queued_{0};
  std::atomic<uint64_t> delivered_{0};
  std::atomic<uint64_t> retried_{0};
  std::atomic<uint64_t> dropped_{0};
  std::atomic<uint64_t> rejected_{0};
};

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_NOTIFY_NOTIFICATION_QUEUE_H_
