#include "aggregator/notify/notification_queue.h"

#include <utility>

namespace wattline::aggregator {

Result<std::unique_ptr<NotificationQueue>> NotificationQueue::Open(const std::string& path,
                                                                   int64_t max_queued) {
  SqliteDb::Options options;
  options.synchronous = SqliteDb::Synchronous::kFull;
  Result<std::unique_ptr<SqliteDb>> db = SqliteDb::Open(path, options);
  if (!db.ok()) return db.status().WithContext("notification queue");
  WATTLINE_RETURN_IF_ERROR((*db)->Exec(
      "CREATE TABLE IF NOT EXISTS notifications ("
      "id INTEGER PRIMARY KEY, receiver TEXT NOT NULL, body TEXT NOT NULL, "
      "attempts INTEGER NOT NULL, next_attempt_ms INTEGER NOT NULL, queued_ms INTEGER NOT NULL)"));
  WATTLINE_RETURN_IF_ERROR((*db)->Exec(
      "CREATE INDEX IF NOT EXISTS notifications_due ON notifications (receiver, next_attempt_ms)"));
  return std::unique_ptr<NotificationQueue>(
      new NotificationQueue(std::move(db).value(), max_queued));
}

Status NotificationQueue::Enqueue(const std::string& receiver,
                                  const std::vector<std::string>& bodies, int64_t now_ms) {
  if (bodies.empty()) return Status::Ok();
  std::lock_guard<std::mutex> lock(mutex_);
  Transaction txn(*db_);
  WATTLINE_RETURN_IF_ERROR(txn.status());
  Result<Statement> insert = db_->Prepare(
      "INSERT INTO notifications (receiver, body, attempts, next_attempt_ms, queued_ms) "
      "VALUES (?1, ?2, 0, ?3, ?3)");
  if (!insert.ok()) return insert.status();
  for (const std::string& body : bodies) {
    insert->BindText(1, receiver).BindText(2, body).Bind(3, now_ms);
    WATTLINE_RETURN_IF_ERROR(insert->Run());
    insert->Reset();
  }
  // Past the bound, the oldest go.
  Result<Statement> trim = db_->Prepare(
      "DELETE FROM notifications WHERE receiver = ?1 AND id <= (SELECT id FROM notifications "
      "WHERE receiver = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)");
  if (!trim.ok()) return trim.status();
  trim->BindText(1, receiver).Bind(2, max_queued_);
  WATTLINE_RETURN_IF_ERROR(trim->Run());
  const int dropped = db_->Changes();
  WATTLINE_RETURN_IF_ERROR(txn.Commit());
  queued_ += bodies.size();
  dropped_ += static_cast<uint64_t>(dropped);
  return Status::Ok();
}

Result<std::vector<QueuedNotification>> NotificationQueue::Due(const std::string& receiver,
                                                               int64_t now_ms, int limit) {
  std::lock_guard<std::mutex> lock(mutex_);
  Result<Statement> due = db_->Prepare(
      "SELECT id, body, attempts FROM notifications WHERE receiver = ?1 AND next_attempt_ms <= ?2 "
      "ORDER BY id LIMIT ?3");
  if (!due.ok()) return due.status();
  due->BindText(1, receiver).Bind(2, now_ms).Bind(3, static_cast<int64_t>(limit));
  std::vector<QueuedNotification> out;
  for (;;) {
    Result<bool> row = due->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back({due->ColumnInt64(0), std::string(due->ColumnText(1)), due->ColumnInt64(2)});
  }
  return out;
}

Status NotificationQueue::Delivered(const std::vector<int64_t>& ids) {
  WATTLINE_RETURN_IF_ERROR(Remove(ids));
  delivered_ += ids.size();
  return Status::Ok();
}

Status NotificationQueue::Rejected(const std::vector<int64_t>& ids) {
  WATTLINE_RETURN_IF_ERROR(Remove(ids));
  rejected_ += ids.size();
  return Status::Ok();
}

Status NotificationQueue::Remove(const std::vector<int64_t>& ids) {
  std::lock_guard<std::mutex> lock(mutex_);
  Transaction txn(*db_);
  WATTLINE_RETURN_IF_ERROR(txn.status());
  Result<Statement> remove = db_->Prepare("DELETE FROM notifications WHERE id = ?1");
  if (!remove.ok()) return remove.status();
  for (int64_t id : ids) {
    remove->Bind(1, id);
    WATTLINE_RETURN_IF_ERROR(remove->Run());
    remove->Reset();
  }
  return txn.Commit();
}

Status NotificationQueue::Failed(const std::vector<int64_t>& ids, int64_t retry_at_ms) {
  std::lock_guard<std::mutex> lock(mutex_);
  Transaction txn(*db_);
  WATTLINE_RETURN_IF_ERROR(txn.status());
  Result<Statement> update = db_->Prepare(
      "UPDATE notifications SET attempts = attempts + 1, next_attempt_ms = ?2 WHERE id = ?1");
  if (!update.ok()) return update.status();
  for (int64_t id : ids) {
    update->Bind(1, id).Bind(2, retry_at_ms);
    WATTLINE_RETURN_IF_ERROR(update->Run());
    update->Reset();
  }
  WATTLINE_RETURN_IF_ERROR(txn.Commit());
  retried_ += ids.size();
  return Status::Ok();
}

Result<int64_t> NotificationQueue::Pending() {
  std::lock_guard<std::mutex> lock(mutex_);
  return db_->QueryInt64("SELECT count(*) FROM notifications");
}

NotificationQueueCounts NotificationQueue::Counts() const {
  return {queued_.load(), delivered_.load(), retried_.load(), dropped_.load(), rejected_.load()};
}

}  // namespace wattline::aggregator
