// The uploader: sends the outbox's batches to the aggregator and deletes each
// one when the aggregator acknowledges it (docs/durability.md).
//
// One request is in flight at a time, over the client's one keep-alive TLS
// connection. A request carries the newest batch first, so the live view is
// current within one round trip after an outage, then the oldest backlog, up
// to max_request_bytes. The aggregator's idempotency does not need order.
//
// Answers: 200 acknowledges each batch (stored, duplicate, or refused: a
// refused batch is parked, never sent again, and counted). Transport errors,
// 5xx, 429, 401, 403 and 408 are retried with jittered exponential back-off.
// 413 halves the request size; a single batch too large is parked. Other 4xx
// park the request's batches: retrying what the aggregator will never take
// would block the outbox for good.
//
// Every answer carries the aggregator's clock; while the agent's own clock is
// unknown it is the time reference (agent/time/time_keeper.h), and with
// nothing to send the uploader asks for it with an empty upload.
//
// Thread-safety: loop thread only. The HTTP exchange itself runs on the libuv
// thread pool.
#ifndef WATTLINE_AGENT_UPLOAD_UPLOADER_H_
#define WATTLINE_AGENT_UPLOAD_UPLOADER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "agent/http/http_client.h"
#include "agent/loop/timer.h"
#include "agent/outbox/outbox.h"
#include "agent/time/time_keeper.h"
#include "agent/upload/backoff.h"
#include "agent/upload/bandwidth_cap.h"
#include "common/log.h"

namespace wattline::agent {

// The path of the aggregator's upload endpoint (docs/formats/batch.md).
inline constexpr const char* kUploadPath = "/api/agent/v1/uploads";

struct UploaderOptions {
  BackoffOptions backoff;
  uint64_t seed = 0;                     // for back-off jitter
  size_t max_request_bytes = 256 << 10;  // config upload.max_request_bytes
  int64_t max_bytes_per_second = 0;      // 0: no cap
};

// Why an attempt failed; each failure is followed by a retry.
enum class UploadError { kTransport, kServer, kTooManyRequests, kRefusedRequest, kBadAck };
inline constexpr int kUploadErrorKinds = 5;
const char* UploadErrorName(UploadError error);

struct UploaderCounters {
  uint64_t requests = 0;      // answered with an ack
  uint64_t bytes_sent = 0;    // bodies of those requests
  uint64_t batches_sent = 0;  // acknowledged: stored or duplicate
  uint64_t samples_sent = 0;
  uint64_t duplicate_batches = 0;  // acknowledged as already stored
  uint64_t parked_batches = 0;     // refused by the aggregator
  uint64_t samples_refused = 0;    // left out by the aggregator's time rules
  uint64_t errors[kUploadErrorKinds] = {};
  int64_t last_server_time_ms = 0;  // from the newest ack; 0 before any
};

class Uploader {
 public:
  // `outbox` and `time` outlive the Uploader. An answer that changes the
  // boot's clock offset is saved in the outbox, which makes the batches held
  // for it sendable.
  Uploader(uv_loop_t* loop, Outbox* outbox, std::unique_ptr<HttpClient> client, TimeKeeper* time,
           UploaderOptions options);
  ~Uploader();

  // Starts sending whatever the outbox holds.
  void Start();
  // Tells the uploader a batch was sealed or became sendable; it sends soon
  // unless backing off.
  void Notify();

  const UploaderCounters& counters() const { return counters_; }

 private:
  struct Exchange;  // one request's state, shared with the pool thread

  void SendNext();
  void Send(UploadPlan plan);
  void Finish(Exchange& exchange);
  bool Acknowledge(const Exchange& exchange, const UploadAck& ack);
  void ParkAll(const Exchange& exchange, const std::string& why);
  void Retry(UploadError error, const std::string& why);
  void LearnTime(const Exchange& exchange, int64_t server_time_ms);

  uv_loop_t* loop_;
  Outbox* outbox_;
  std::shared_ptr<HttpClient> client_;  // shared with the request in flight
  TimeKeeper* time_;
  size_t request_bytes_;  // max_request_bytes, halved by each 413
  Backoff backoff_;
  BandwidthCap cap_;
  Timer wait_timer_;  // back-off or bandwidth pacing
  LogThrottle error_log_;
  bool in_flight_ = false;
  bool started_ = false;
  UploaderCounters counters_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_UPLOAD_UPLOADER_H_
