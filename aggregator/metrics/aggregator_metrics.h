// The aggregator's own counters, served on /metrics in Prometheus's text
// format. Every queue and every way a request can fail is counted.
//
// Thread-safety: counters are atomics; bump them from any thread.
#ifndef WATTLINE_AGGREGATOR_METRICS_AGGREGATOR_METRICS_H_
#define WATTLINE_AGGREGATOR_METRICS_AGGREGATOR_METRICS_H_

#include <atomic>
#include <cstdint>
#include <string>

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

struct QueryCounters {
  std::atomic<uint64_t> queries{0};
};

struct AggregatorMetrics {
  IngestCounters ingest;
  QueryCounters query;
};

// Gauges read at render time.
struct StorageGauges {
  int64_t series = 0;
  int64_t samples = 0;
};

// The text exposition format (version 0.0.4).
std::string RenderMetrics(const AggregatorMetrics& metrics, const StorageGauges& storage,
                          const char* version);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_METRICS_AGGREGATOR_METRICS_H_
