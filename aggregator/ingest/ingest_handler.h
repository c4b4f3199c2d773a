// The agents' endpoint: POST /api/agent/v1/batches on the mutual-TLS
// listener. docs/formats/batch.md is the contract.
//
// A batch is acknowledged (200, body: protobuf Ack) only after storage
// committed it, or when it had been stored before (Ack.duplicate). The agent
// label comes from the client certificate, never from the body.
//   400 malformed body, 401 no verified certificate, 413 over a size limit,
//   415 wrong encoding, 503 storage could not commit (the agent retries).
//
// Thread-safety: Handle() is thread-safe.
#ifndef WATTLINE_AGGREGATOR_INGEST_INGEST_HANDLER_H_
#define WATTLINE_AGGREGATOR_INGEST_INGEST_HANDLER_H_

#include "aggregator/http/http_types.h"
#include "aggregator/metrics/aggregator_metrics.h"
#include "aggregator/storage/sample_store.h"
#include "common/batch_codec.h"
#include "common/clock.h"

namespace wattline::aggregator {

inline constexpr const char* kAgentBatchPath = "/api/agent/v1/batches";

class IngestHandler {
 public:
  // All pointers outlive the handler.
  IngestHandler(SampleStore* store, const Clock* clock, BatchLimits limits,
                IngestCounters* counters)
      : store_(store), clock_(clock), limits_(limits), counters_(counters) {}

  HttpResponse Handle(const HttpRequest& request);

 private:
  SampleStore* store_;
  const Clock* clock_;
  BatchLimits limits_;
  IngestCounters* counters_;
};

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_INGEST_INGEST_HANDLER_H_
