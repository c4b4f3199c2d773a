// The uploader: sends the outbox's oldest batches to the aggregator and
// deletes each one when the aggregator acknowledges it.
//
// One request is in flight at a time, over the client's one keep-alive TLS
// connection, oldest batch first; the aggregator relies on that order for its
// duplicate check. A failure (unreachable, TLS refused, any non-200) leaves the
// batch in the outbox and waits with jittered exponential back-off.
//
// Thread-safety: loop thread only. The HTTP exchange itself runs on the libuv
// thread pool.
#ifndef WATTLINE_AGENT_UPLOAD_UPLOADER_H_
#define WATTLINE_AGENT_UPLOAD_UPLOADER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "agent/http/http_client.h"
#include "agent/loop/timer.h"
#include "agent/outbox/outbox.h"
#include "agent/upload/backoff.h"
#include "common/clock.h"
#include "common/log.h"

namespace wattline::agent {

// The path of the aggregator's batch endpoint (docs/formats/batch.md).
inline constexpr const char* kBatchPath = "/api/agent/v1/batches";

struct UploaderOptions {
  BackoffOptions backoff;
  uint64_t seed = 0;  // for back-off jitter
};

struct UploaderCounters {
  uint64_t batches_sent = 0;      // acknowledged by the aggregator
  uint64_t samples_sent = 0;
  uint64_t duplicate_acks = 0;    // acknowledged as already stored
  uint64_t send_errors = 0;       // failed attempts, each followed by a retry
  int64_t last_server_time_ms = 0;  // from the newest ack; 0 before any
};

class Uploader {
 public:
  // `outbox` and `clock` outlive the Uploader.
  Uploader(uv_loop_t* loop, Outbox* outbox, std::unique_ptr<HttpClient> client,
           const Clock* clock, UploaderOptions options);
  ~Uploader();

  // Starts sending whatever the outbox holds.
  void Start();
  // Tells the uploader a batch was sealed; it sends soon unless backing off.
  void Notify();

  const UploaderCounters& counters() const { return counters_; }

 private:
  struct Exchange;  // one request's state, shared with the pool thread

  void SendNext();
  void Finish(const Exchange& exchange);
  void Retry(const std::string& why);

  uv_loop_t* loop_;
  Outbox* outbox_;
  std::shared_ptr<HttpClient> client_;  // shared with the request in flight
  const Clock* clock_;
  Backoff backoff_;
  Timer retry_timer_;
  LogThrottle error_log_;
  bool in_flight_ = false;
  bool started_ = false;
  UploaderCounters counters_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_UPLOAD_UPLOADER_H_
