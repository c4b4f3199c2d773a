#include "tests/fault/delivery_oracle.h"

#include <algorithm>
#include <limits>
#include <memory>
#include <set>

#include "aggregator/storage/sample_store.h"
#include "common/sqlite_db.h"

namespace wattline::testing {
namespace {

// Opens an existing database; never creates one where a process left none.
Result<std::unique_ptr<SqliteDb>> OpenExisting(const std::string& path) {
  SqliteDb::Options options;
  options.create = false;
  return SqliteDb::Open(path, options);
}

// The first column of the one row `sql` returns, with `text` bound to ?1
// when given.
Result<int64_t> Scalar(SqliteDb& db, const std::string& sql, const std::string* text = nullptr) {
  Result<Statement> statement = db.Prepare(sql);
  if (!statement.ok()) return statement.status();
  if (text != nullptr) statement->BindText(1, *text);
  Result<bool> row = statement->Step();
  if (!row.ok()) return row.status();
  if (!*row || statement->ColumnIsNull(0)) return int64_t{0};
  return statement->ColumnInt64(0);
}

}  // namespace

Result<OutboxCounters> ReadOutboxCounters(const std::string& outbox_path) {
  auto db = OpenExisting(outbox_path);
  if (!db.ok()) return db.status();
  OutboxCounters counters;
  // Killed before its first migration committed: an outbox with nothing
  // in it yet.
  Result<int64_t> tables =
      Scalar(**db, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'");
  if (!tables.ok()) return tables.status();
  if (*tables == 0) return counters;
  Result<Statement> meta = (*db)->Prepare("SELECT key, value FROM meta");
  if (!meta.ok()) return meta.status();
  for (;;) {
    Result<bool> row = meta->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    const std::string key(meta->ColumnText(0));
    const int64_t value = meta->ColumnInt64(1);
    if (key == "outbox_id") counters.outbox_id = value;
    if (key == "sealed_batches") counters.sealed_batches = value;
    if (key == "sealed_samples") counters.sealed_samples = value;
    if (key == "parked_samples") counters.parked_samples = value;
    if (key.starts_with("dropped_batches.")) counters.dropped_batches += value;
    if (key.starts_with("dropped_samples.")) counters.dropped_samples += value;
  }
  Result<Statement> waiting = (*db)->Prepare(
      "SELECT COUNT(*), COALESCE(SUM(sample_count), 0), COALESCE(SUM(frame_bytes), 0) "
      "FROM batches WHERE parked_reason IS NULL OR parked_reason = ''");
  if (!waiting.ok()) return waiting.status();
  Result<bool> row = waiting->Step();
  if (!row.ok()) return row.status();
  counters.waiting_batches = waiting->ColumnInt64(0);
  counters.waiting_samples = waiting->ColumnInt64(1);
  counters.waiting_bytes = waiting->ColumnInt64(2);
  return counters;
}

Result<std::string> IntegrityCheck(const std::string& path) {
  auto db = OpenExisting(path);
  if (!db.ok()) return db.status();
  Result<Statement> check = (*db)->Prepare("PRAGMA integrity_check");
  if (!check.ok()) return check.status();
  std::string findings;
  for (;;) {
    Result<bool> row = check->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    if (!findings.empty()) findings += "\n";
    findings += check->ColumnText(0);
  }
  return findings;
}

std::string Delivery::Line() const {
  return "expected=" + std::to_string(expected) + " stored=" + std::to_string(stored) +
         " lost=" + std::to_string(lost) + " duplicated=" + std::to_string(duplicated) +
         " unexpected=" + std::to_string(unexpected) + " pending=" + std::to_string(pending) +
         " refused=" + std::to_string(refused) + " overwritten=" + std::to_string(overwritten) +
         " ledger_batches=" + std::to_string(ledger_batches) +
         " ledger_outboxes=" + std::to_string(ledger_outboxes);
}

Result<Delivery> CheckDelivery(const std::string& outbox_path, const std::string& storage_path,
                               const std::string& agent) {
  Result<OutboxCounters> counters = ReadOutboxCounters(outbox_path);
  if (!counters.ok()) return counters.status().WithContext("outbox " + outbox_path);
  auto storage = OpenExisting(storage_path);
  if (!storage.ok()) return storage.status();
  SqliteDb& db = **storage;
  Delivery delivery;

  // What the aggregator stored for the agent's outboxes, in total, and the
  // batches it holds ledger rows for (those above each outbox's floor), to
  // tell which batches still in the outbox are merely unacknowledged and
  // which were never sent.
  std::set<int64_t> ledger;
  int64_t floor = 0;
  {
    Result<Statement> rows = db.Prepare(
        "SELECT batches_stored, samples_stored, samples_overwritten, samples_refused, "
        "floor_sequence, outbox_id FROM outbox_floors WHERE agent = ?1");
    if (!rows.ok()) return rows.status();
    rows->BindText(1, agent);
    for (;;) {
      Result<bool> row = rows->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      delivery.ledger_batches += rows->ColumnInt64(0);
      delivery.stored_via_batches += rows->ColumnInt64(1);
      delivery.overwritten += rows->ColumnInt64(2);
      delivery.refused += rows->ColumnInt64(3);
      if (rows->ColumnInt64(5) == counters->outbox_id) floor = rows->ColumnInt64(4);
      ++delivery.ledger_outboxes;
    }
    Result<Statement> sequences = db.Prepare(
        "SELECT sequence FROM stored_batches WHERE agent = ?1 AND outbox_id = ?2");
    if (!sequences.ok()) return sequences.status();
    sequences->BindText(1, agent).Bind(2, counters->outbox_id);
    for (;;) {
      Result<bool> row = sequences->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      ledger.insert(sequences->ColumnInt64(0));
    }
  }
  {
    auto outbox = OpenExisting(outbox_path);
    if (!outbox.ok()) return outbox.status();
    Result<Statement> rows = (*outbox)->Prepare(
        "SELECT sequence, sample_count FROM batches "
        "WHERE parked_reason IS NULL OR parked_reason = ''");
    if (!rows.ok()) return rows.status();
    for (;;) {
      Result<bool> row = rows->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      const int64_t sequence = rows->ColumnInt64(0);
      if (sequence >= floor && !ledger.count(sequence)) delivery.pending += rows->ColumnInt64(1);
    }
  }
  Result<StoredNow> stored = ReadStoredNow(storage_path, agent);
  if (!stored.ok()) return stored.status();
  delivery.stored = stored->samples;

  // Samples the aggregator refused by its time rules were accounted for
  // (counted in the ledger), not lost.
  delivery.expected = counters->sealed_samples - counters->dropped_samples -
                      counters->parked_samples - delivery.pending - delivery.refused;
  delivery.duplicated = delivery.overwritten + (delivery.stored_via_batches - delivery.stored);
  if (delivery.stored <= delivery.expected) {
    delivery.lost = delivery.expected - delivery.stored;
  } else {
    delivery.unexpected = delivery.stored - delivery.expected;
  }
  return delivery;
}

Result<StoredNow> ReadStoredNow(const std::string& storage_path, const std::string& agent) {
  // Through the storage engine, read-only: the samples are in its log and
  // its compressed chunks, not in rows a query could count.
  SystemClock clock;
  aggregator::StorageOptions options;
  options.read_only = true;
  auto store = aggregator::SampleStore::Open(storage_path, &clock, options);
  if (!store.ok()) return store.status();
  auto matcher = aggregator::LabelMatcher::Make(aggregator::LabelMatcher::Type::kEqual,
                                                std::string(aggregator::kAgentLabel), agent);
  if (!matcher.ok()) return matcher.status();
  auto series = (*store)->Select({*matcher});
  if (!series.ok()) return series.status();
  StoredNow now;
  for (const aggregator::SeriesRef& ref : *series) {
    auto samples = (*store)->ReadSamples(ref.id, std::numeric_limits<int64_t>::min(),
                                         std::numeric_limits<int64_t>::max());
    if (!samples.ok()) return samples.status();
    if (samples->empty()) continue;
    now.oldest_ms = now.samples == 0 ? samples->front().timestamp_ms
                                     : std::min(now.oldest_ms, samples->front().timestamp_ms);
    now.newest_ms = std::max(now.newest_ms, samples->back().timestamp_ms);
    now.samples += static_cast<int64_t>(samples->size());
  }
  return now;
}

}  // namespace wattline::testing
