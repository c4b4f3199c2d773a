// The aggregator's storage for this first slice: one SQLite file holding
// series, samples and which agent batches are stored. The real engine (head,
// chunks, rollups) replaces the sample table behind the same SeriesReader.
//
// Durability: Append() commits (WAL, synchronous=FULL) before it returns OK;
// only then does the ingest handler acknowledge the batch. Idempotency: the
// newest stored sequence per (agent, outbox) is kept in the same transaction
// as the samples, so a batch is stored once however often it is sent, across
// restarts. That needs agents to send in sequence order, which they do
// (agent/upload/uploader.h).
//
// Values are stored as their IEEE-754 bit pattern, so NaN payloads (such as
// Prometheus's stale marker) survive; SQLite would turn a NaN REAL into NULL.
//
// Thread-safety: all methods are thread-safe. Writes are serialised; reads use
// a second connection and run concurrently with them.
#ifndef WATTLINE_AGGREGATOR_STORAGE_SAMPLE_STORE_H_
#define WATTLINE_AGGREGATOR_STORAGE_SAMPLE_STORE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "aggregator/storage/series_reader.h"
#include "common/batch.h"
#include "common/sqlite_db.h"

namespace wattline::aggregator {

inline constexpr std::string_view kAgentLabel = "agent";

struct AppendResult {
  bool duplicate = false;  // stored before; nothing was written
  size_t samples = 0;      // samples written
};

struct StoreStats {
  int64_t series = 0;
  int64_t samples = 0;
};

class SampleStore final : public SeriesReader {
 public:
  static Result<std::unique_ptr<SampleStore>> Open(const std::string& path);

  // Stores every sample of `batch` with the label agent=`agent` (replacing
  // any agent label the batch carried: one agent never writes another's
  // series), in one transaction. A second sample for the same series and
  // timestamp replaces the first.
  Result<AppendResult> Append(std::string_view agent, const Batch& batch);

  Result<std::vector<SeriesRef>> Select(const LabelMatchers& matchers) override;
  Result<std::vector<SamplePoint>> ReadSamples(SeriesId id, int64_t mint_ms,
                                               int64_t maxt_ms) override;
  Result<StoreStats> Stats();

 private:
  SampleStore(std::unique_ptr<SqliteDb> writer, std::unique_ptr<SqliteDb> reader)
      : writer_(std::move(writer)), reader_(std::move(reader)) {}
  Status LoadSeries();
  // REQUIRES: write_mutex_ held, inside a transaction.
  Result<SeriesId> SeriesIdFor(const Labels& labels, std::vector<SeriesRef>* created);

  std::mutex write_mutex_;
  std::unique_ptr<SqliteDb> writer_;
  std::mutex read_mutex_;
  std::unique_ptr<SqliteDb> reader_;
  // Every series, by its text form. Guarded by index_mutex_.
  std::mutex index_mutex_;
  std::map<std::string, SeriesRef> series_;
};

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_STORAGE_SAMPLE_STORE_H_
