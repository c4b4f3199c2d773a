// The agents' endpoint: POST /api/agent/v1/uploads on the mutual-TLS
// listener. docs/formats/batch.md is the contract.
//
// An upload (body: protobuf Upload, several batches of one outbox) is stored
// in one transaction and acknowledged (200, body: protobuf UploadAck, one
// BatchAck per batch in order) only after the commit. Each batch is STORED,
// DUPLICATE (stored before) or REFUSED (its frame does not decode, or it is
// of another outbox); a refused batch costs only itself. Samples whose time
// cannot be right are refused one by one and counted, the rest stored. The
// agent label comes from the client certificate, never from the body.
//   400 malformed envelope, 401 no verified certificate, 413 over a size
//   limit, 415 wrong media type or any Content-Encoding, 503 storage could
//   not commit (nothing of the upload is stored; the agent retries).
//
// Memory: frames are decoded, filtered and stored one at a time, so beyond
// the body only one decoded batch is held.
//
// Thread-safety: Handle() is thread-safe; uploads are stored one at a time.
#ifndef WATTLINE_AGGREGATOR_INGEST_INGEST_HANDLER_H_
#define WATTLINE_AGGREGATOR_INGEST_INGEST_HANDLER_H_

#include <cstdint>

#include "aggregator/http/http_types.h"
#include "aggregator/metrics/aggregator_metrics.h"
#include "aggregator/storage/sample_store.h"
#include "common/batch_codec.h"
#include "common/clock.h"

namespace wattline::aggregator {

inline constexpr const char* kAgentUploadPath = "/api/agent/v1/uploads";

struct IngestOptions {
  BatchLimits batch_limits;    // per frame
  UploadLimits upload_limits;  // per envelope
  // Samples further ahead of the aggregator's clock are refused
  // (too_far_in_future): a clock that wrong would hide them from every query.
  int64_t max_future_ms = 10 * 60 * 1000;
};

class IngestHandler {
 public:
  // All pointers outlive the handler.
  IngestHandler(SampleStore* store, const Clock* clock, IngestOptions options,
                IngestCounters* counters)
      : store_(store), clock_(clock), options_(options), counters_(counters) {}

  HttpResponse Handle(const HttpRequest& request);

  // How the listener takes the route: its body whole, and its own refusals
  // (a body over the limit, a compressed one) counted as the handler counts
  // them. Points into this handler.
  HttpRouteOptions Route() const;

 private:
  SampleStore* store_;
  const Clock* clock_;
  IngestOptions options_;
  IngestCounters* counters_;
};

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_INGEST_INGEST_HANDLER_H_
