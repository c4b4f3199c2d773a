// The aggregator's own counters, served on /metrics in Prometheus's text
// format. Every queue and every way a request can fail is counted.
//
// Thread-safety: counters are atomics; bump them from any thread.
#ifndef WATTLINE_AGGREGATOR_METRICS_AGGREGATOR_METRICS_H_
#define WATTLINE_AGGREGATOR_METRICS_AGGREGATOR_METRICS_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>

#include "aggregator/storage/store_stats.h"

namespace wattline::aggregator {

// Batch and sample counters advance only when their upload commits.
struct IngestCounters {
  std::atomic<uint64_t> uploads_received{0};  // well-formed envelopes
  std::atomic<uint64_t> batches_stored{0};
  std::atomic<uint64_t> batches_duplicate{0};  // acknowledged, not stored again
  std::atomic<uint64_t> batches_refused{0};    // frame not a batch, or of another outbox
  std::atomic<uint64_t> samples_stored{0};
  // Stored over a sample already there for the same series and timestamp.
  std::atomic<uint64_t> samples_overwritten{0};
  std::atomic<uint64_t> samples_refused_before_2000{0};
  std::atomic<uint64_t> samples_refused_too_far_in_future{0};
  std::atomic<uint64_t> rejected_malformed{0};
  std::atomic<uint64_t> rejected_oversized{0};
  std::atomic<uint64_t> rejected_unauthenticated{0};
  std::atomic<uint64_t> storage_errors{0};
};

// The standard write paths on the API listener (aggregator/ingest/
// write_handler.h), one set per path. Sample counters advance only when
// their request is stored.
struct WritePathCounters {
  // Answers by status code, in kWriteStatusCodes' order; other codes last.
  static constexpr int kWriteStatusCodes[] = {204, 400, 401, 403, 413, 415, 503};
  static constexpr size_t kCodeSlots = std::size(kWriteStatusCodes) + 1;
  std::atomic<uint64_t> requests[kCodeSlots]{};
  std::atomic<uint64_t> samples_stored{0};
  std::atomic<uint64_t> samples_overwritten{0};
  std::atomic<uint64_t> samples_refused_before_2000{0};
  std::atomic<uint64_t> samples_refused_too_far_in_future{0};

  void CountAnswer(int status) {
    size_t slot = 0;
    while (slot < std::size(kWriteStatusCodes) && kWriteStatusCodes[slot] != status) ++slot;
    ++requests[slot];
  }
};

struct WriteCounters {
  WritePathCounters remote_write;  // /api/v1/write
  WritePathCounters text_import;   // /api/v1/import/prometheus
};

struct QueryCounters {
  std::atomic<uint64_t> queries{0};
};

struct AggregatorMetrics {
  IngestCounters ingest;
  WriteCounters write;
  QueryCounters query;
};

// The text exposition format (version 0.0.4); `storage` is read at render
// time.
std::string RenderMetrics(const AggregatorMetrics& metrics, const StoreStats& storage,
                          const char* version);

struct NotificationQueueCounts;

// The notification queue's families (notify/notification_queue.h): queued,
// delivered, retried and dropped alerts per receiver's queue, and how many
// wait.
std::string RenderNotificationMetrics(const NotificationQueueCounts& counts, int64_t pending);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_METRICS_AGGREGATOR_METRICS_H_
