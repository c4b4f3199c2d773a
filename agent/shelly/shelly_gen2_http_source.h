// Shelly Gen2+ three-phase meters (Pro 3EM, 3EM-63) polled over HTTP RPC:
// GET /rpc/EM.GetStatus?id=0 and /rpc/EMData.GetStatus?id=0 (DEVICES.md B.2,
// B.3), parsed by shelly_gen2_parser.h.
//
// Each poll takes one timestamp, taken just before the first request, for all
// of its samples: the RPC results carry no time of their own, and one stamp
// keeps the phases of one reading aligned.
//
// Thread-safety: loop thread only; the HTTP exchange runs on the thread pool.
#ifndef WATTLINE_AGENT_SHELLY_SHELLY_GEN2_HTTP_SOURCE_H_
#define WATTLINE_AGENT_SHELLY_SHELLY_GEN2_HTTP_SOURCE_H_

#include <memory>
#include <string>

#include "agent/http/http_client.h"
#include "agent/loop/timer.h"
#include "agent/sources/source.h"
#include "agent/sources/source_type.h"
#include "common/clock.h"
#include "common/log.h"

namespace wattline::agent {

struct ShellyGen2HttpOptions {
  std::string device;  // the `device` label
  std::string url;     // http://host[:port]
  int64_t interval_ms = 1000;
  int64_t timeout_ms = 2000;
};

// `type: shelly_gen2_http` in the agent's config.
const SourceType& ShellyGen2HttpSourceType();

class ShellyGen2HttpSource final : public Source {
 public:
  // `clock` outlives the source.
  static Result<std::unique_ptr<ShellyGen2HttpSource>> Create(uv_loop_t* loop,
                                                              const ShellyGen2HttpOptions& options,
                                                              const Clock* clock, SampleSink sink);
  ~ShellyGen2HttpSource() override;

  Status Start() override;
  void Stop() override;
  const std::string& name() const override { return options_.device; }
  void AppendHealth(std::vector<DeviceHealth>* out) const override { out->push_back(health_); }

 private:
  struct Poll;

  ShellyGen2HttpSource(uv_loop_t* loop, ShellyGen2HttpOptions options, const Clock* clock,
                       SampleSink sink, std::unique_ptr<HttpClient> client);
  void PollNow();
  void Finish(Poll& poll);

  uv_loop_t* loop_;
  ShellyGen2HttpOptions options_;
  const Clock* clock_;
  SampleSink sink_;
  std::shared_ptr<HttpClient> client_;
  Timer timer_;
  LogThrottle error_log_;
  bool in_flight_ = false;
  bool stopped_ = false;
  DeviceHealth health_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_SHELLY_SHELLY_GEN2_HTTP_SOURCE_H_
