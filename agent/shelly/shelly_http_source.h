// A Shelly polled over HTTP: one GET of one status document per poll, parsed
// into Samples. The Gen1 (/status) and Gen2+ (/rpc/Shelly.GetStatus) source
// types are this class with their own path, authentication and parser
// (shelly_gen1_http_source.h, shelly_gen2_http_source.h).
//
// Each poll takes one timestamp, just before its request, for all of its
// samples: the documents carry no time of their own that is worth trusting
// (the device's clock may be unset), and one stamp keeps the phases and
// channels of one reading aligned.
//
// Health (DeviceHealth, one entry for the device) counts per poll:
//   connect    the device cannot be reached, or the connection broke
//   auth       HTTP 401 or 403: no or wrong credentials
//   protocol   any other HTTP status than 200, or an HTTP exchange the
//              client gave up on (e.g. a digest challenge without a nonce)
//   malformed  the body is not the document the parser expects, or is over
//              the size limit; nothing of it is shipped
//   device     the device reports part of its reading invalid (a Gen1
//              emeter with is_valid false, a Gen2 meter with
//              power_meter_failure): that part is not shipped, the rest is,
//              and the poll counts one such error however many parts failed.
// A poll with samples also records a success (latency = the HTTP exchange).
// Failures are logged at most once a minute per source.
//
// Thread-safety: loop thread only; the HTTP exchange and the parsing run on
// the libuv thread pool. A slow device skips timer ticks rather than queueing
// polls behind each other.
#ifndef WATTLINE_AGENT_SHELLY_SHELLY_HTTP_SOURCE_H_
#define WATTLINE_AGENT_SHELLY_SHELLY_HTTP_SOURCE_H_

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "agent/http/http_client.h"
#include "agent/loop/timer.h"
#include "agent/sources/source.h"
#include "agent/sources/source_type.h"
#include "common/clock.h"
#include "common/log.h"

namespace wattline::agent {

// Turns one response body into Samples stamped `timestamp_ms`, appending to
// `*out`, and names in `*faulty` the parts the device reports invalid.
// InvalidArgument (or any error) means the body was not understood; nothing
// of it is shipped then. Runs on a pool thread: must not touch shared state.
using ShellyStatusParser = std::function<Status(std::string_view body, int64_t timestamp_ms,
                                                Samples* out, std::vector<std::string>* faulty)>;

struct ShellyHttpSourceOptions {
  std::string device;  // the `device` label, and the name in logs
  std::string url;     // http://host[:port]
  std::string path;    // the status document, e.g. "/status"
  HttpAuthKind auth = HttpAuthKind::kNone;
  std::string username;
  std::string password;
  int64_t interval_ms = 1000;
  int64_t timeout_ms = 2000;
  size_t max_response_bytes = 64 << 10;
};

class ShellyHttpSource final : public Source {
 public:
  // InvalidArgument for a bad URL. `clock` outlives the source.
  static Result<std::unique_ptr<ShellyHttpSource>> Create(uv_loop_t* loop,
                                                          const ShellyHttpSourceOptions& options,
                                                          ShellyStatusParser parser,
                                                          const Clock* clock, SampleSink sink);
  ~ShellyHttpSource() override;

  // Polls at once, then every interval.
  Status Start() override;
  void Stop() override;
  const std::string& name() const override { return options_.device; }
  void AppendHealth(std::vector<DeviceHealth>* out) const override { out->push_back(health_); }

 private:
  struct Poll;

  ShellyHttpSource(uv_loop_t* loop, ShellyHttpSourceOptions options, ShellyStatusParser parser,
                   const Clock* clock, SampleSink sink, std::unique_ptr<HttpClient> client);
  void PollNow();
  void Finish(Poll& poll, Status queued);

  uv_loop_t* loop_;
  ShellyHttpSourceOptions options_;
  ShellyStatusParser parser_;
  const Clock* clock_;
  SampleSink sink_;
  std::shared_ptr<HttpClient> client_;  // shared with the pool work in flight
  Timer timer_;
  LogThrottle error_log_;
  bool in_flight_ = false;
  bool stopped_ = false;
  DeviceHealth health_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// For a source type's read(): checks `options` as read from `entry` (device
// not empty, interval and timeout > 0; errors name the entry's place) and
// returns a SourceConfig whose factory builds a ShellyHttpSource with them.
Result<SourceConfig> MakeShellyHttpSourceConfig(const ConfigNode& entry,
                                                const ShellyHttpSourceOptions& options,
                                                ShellyStatusParser parser);

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_SHELLY_SHELLY_HTTP_SOURCE_H_
