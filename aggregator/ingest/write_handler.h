// The standard write paths on the API listener, for tools that are not a
// wattline-agent (docs/formats/standard_ingest.md is the contract):
//
//   POST /api/v1/write               Prometheus remote write 1.0 (remote_write.h)
//   POST /api/v1/import/prometheus   text lines with optional ms timestamps
//                                    (prom_text_import.h)
//
// Both need "Authorization: Bearer <token>" (write_token.h). A request is
// parsed whole before anything is stored, then stored in one transaction:
// a malformed request stores nothing. Samples whose time cannot be right
// (sample_time_rules.h) are refused one by one and counted; the rest is
// stored. Answers, as the remote write spec wants them:
//   204 stored (also when every sample was refused for its time)
//   400 malformed: the sender must not retry; the body says where
//   401 no or wrong token;  403 writes are disabled (no token configured)
//   413 body, or remote write's uncompressed body, over max_write_bytes
//   415 wrong Content-Type or Content-Encoding
//   503 storage failed; nothing of the request is stored; retry later
//
// Thread-safety: the Handle methods are thread-safe.
#ifndef WATTLINE_AGGREGATOR_INGEST_WRITE_HANDLER_H_
#define WATTLINE_AGGREGATOR_INGEST_WRITE_HANDLER_H_

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "aggregator/http/http_types.h"
#include "aggregator/ingest/write_token.h"
#include "aggregator/metrics/aggregator_metrics.h"
#include "aggregator/storage/sample_store.h"
#include "common/clock.h"
#include "common/log.h"

namespace wattline::aggregator {

inline constexpr const char* kRemoteWritePath = "/api/v1/write";
inline constexpr const char* kTextImportPath = "/api/v1/import/prometheus";

struct WriteOptions {
  std::string token;  // "": writes disabled
  size_t max_write_bytes = 32 << 20;
  // As IngestOptions::max_future_ms: the same rule for every ingest path.
  int64_t max_future_ms = 10 * 60 * 1000;
};

class WriteHandler {
 public:
  // All pointers outlive the handler.
  WriteHandler(SampleStore* store, const Clock* clock, const WriteOptions& options,
               WriteCounters* counters);

  HttpResponse HandleRemoteWrite(const HttpRequest& request);
  HttpResponse HandleTextImport(const HttpRequest& request);

  // How the API listener takes each path: bodies up to max_write_bytes,
  // whole (never parsed as a form), the token checked on the headers before
  // a body is read, and the listener's own refusals counted with the path's
  // answers. The options point into this handler.
  HttpRouteOptions RemoteWriteRoute() const { return Route(counters_->remote_write); }
  HttpRouteOptions TextImportRoute() const { return Route(counters_->text_import); }

 private:
  HttpRouteOptions Route(WritePathCounters& counters) const;
  // The token check alone; nullopt when it passes.
  std::optional<HttpResponse> CheckToken(const HttpRequest& request) const;
  // The checks both paths share (token, size); nullopt when they pass.
  std::optional<HttpResponse> Admit(const HttpRequest& request) const;
  // Applies the time rules to `series` and stores the rest.
  HttpResponse Store(std::vector<SeriesSamples> series, int64_t now_ms, const char* path,
                     WritePathCounters& counters);

  SampleStore* store_;
  const Clock* clock_;
  WriteTokenCheck token_;
  size_t max_write_bytes_;
  int64_t max_future_ms_;
  WriteCounters* counters_;
  // A sender with a wrong clock has samples refused in every request: one
  // line a minute says so, the counters say how many.
  std::mutex log_mutex_;
  LogThrottle refused_log_;
};

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_INGEST_WRITE_HANDLER_H_
