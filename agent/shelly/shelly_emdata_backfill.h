// History backfill for Shelly Gen2+ meters that record their energy per
// interval (shelly_emdata_history.h): the emdata:0 component of a Pro 3EM or
// 3EM-63 in the triphase profile, and the em1data:N channels of a Pro 3EM in
// the monophase profile (N = 0..2), a Pro EM or an EM Gen3/Gen4 (N = 0..1).
// When the agent was down, the meter still recorded its energy per interval
// (one minute on a Pro 3EM, kept about 60 days). On (re)start the agent reads
// the intervals it missed with <NS>.GetRecords / <NS>.GetData over HTTP (NS =
// EMData or EM1Data; DEVICES.md B.4) and ships them with their original
// timestamps, before live readings resume, so Grafana's increase() and
// per-hour energy over the outage are right and the power shape is there at
// one-minute resolution.
//
// What is shipped for each missed interval (shelly_emdata_history.h): the
// component's counters (eight for emdata, imported and exported for each
// em1data channel) rebuilt from the last ones shipped plus the running sum
// of the per-interval energies, clamped so they never decrease and never
// pass what the meter reports now; and the interval's average voltage and
// current per phase or channel (voltage_volts, current_amperes), all stamped
// with the interval's end and labelled as the live series ({phase} for
// emdata, {channel="N"} for em1data:N). Power, power factor and frequency are
// not in the records as averages, so they stay a gap.
//
// How far the shipped data reaches is kept per device and component in the
// source state store (agent/state/source_state_store.h): under
// "shelly_emdata/<device>" for emdata:0 (the key of the first version, so
// anchors written before em1data was backfilled still count), and under
// "shelly_emdata/<device>/em1data:N" for each channel: the anchor, i.e. the
// time and the counters of the last reading of that component shipped. Live
// readings write it at most once per wall-clock minute and component (the
// first reading of each minute, so a crash loses no more than the open batch
// would anyway, and the next backfill starts right after what was shipped); a
// backfill writes the counters of its last interval. A second restart
// therefore never ships an interval twice. A component with no anchor yet
// (first start, or a device without it: a Plus 1PM, or em1data on a Pro 3EM
// in triphase) is not backfilled and costs nothing; a device with no anchor
// at all starts live at once.
//
// Bounds: at most `max_age_ms` (config `backfill_max`, default 7 days) back
// from now; what lies further back is rebuilt backwards from the current
// counters (the energy of the gap shows at its start). The meter is asked for
// one window (an hour) per GetData request, following next_record_ts when it
// chunks its answer, and only inside the blocks GetRecords lists; a backfill
// stops after four requests per window of `max_age_ms` on average and
// component (what it has fetched by then is still shipped).
//
// The components are backfilled one after the other in one piece of pool
// work; their samples are shipped component by component, each in time
// order. If the meter cannot be reached, the backfill is retried twice, 10 s
// apart, then live polling starts anyway (the outage stays a gap; the anchors
// are then overwritten by the first live reading). Other failures (an answer
// not understood, HTTP 404 from a meter without that history, e.g. an
// emdata anchor left from before the profile was changed) leave that
// component's outage a gap and the others are still shipped; live polling
// starts when all are done. Failures count in the device's health like a
// failed poll (reasons connect, auth, protocol, malformed) and are logged.
//
// Thread-safety: the decorator is loop-thread only; the HTTP requests and
// the reconstruction run on the libuv thread pool.
#ifndef WATTLINE_AGENT_SHELLY_SHELLY_EMDATA_BACKFILL_H_
#define WATTLINE_AGENT_SHELLY_SHELLY_EMDATA_BACKFILL_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "agent/http/http_client.h"
#include "agent/loop/timer.h"
#include "agent/shelly/shelly_emdata_history.h"
#include "agent/shelly/shelly_http_source.h"
#include "agent/sources/source.h"
#include "agent/sources/source_type.h"
#include "common/clock.h"
#include "common/log.h"

namespace wattline::agent {

inline constexpr int64_t kDefaultBackfillMaxMs = 7LL * 24 * 3600 * 1000;

struct EmDataBackfillOptions {
  std::string device;                        // the `device` label
  int64_t max_age_ms = kDefaultBackfillMaxMs;  // 0: no backfill, no anchors
  int64_t window_s = 3600;                   // per GetData request
};

// The components the decorator backfills: emdata:0 and em1data:0..2 (the
// most channels a device has: a Pro 3EM in the monophase profile).
std::span<const EmDataComponent> EmDataHistoryComponents();

// The state-store key of the anchor of `component` of `device` (see above).
std::string EmDataAnchorKey(const EmDataComponent& component, std::string_view device);

// GET `path_and_query` on the meter: the body of a 200 answer. On failure,
// sets `*reason` (device_health.h: connect, auth, protocol, malformed).
using ShellyRpcGet =
    std::function<Result<std::string>(const std::string& path_and_query, std::string_view* reason)>;

// The whole backfill exchange of `component`, blocking (pool thread): reads
// the current counters (<NS>.GetStatus?id=N, stamped with `clock` just
// before), the record blocks (GetRecords), the intervals since
// `last_shipped` (GetData), and rebuilds them (ReconstructEmData). A
// GetRecords answer in neither known shape falls back to asking GetData for
// the whole span, with a note.
// Errors: what `get` returns (with its reason), InvalidArgument with reason
// malformed for an answer not understood.
Result<EmDataReconstruction> FetchEmDataBackfill(
    const EmDataComponent& component, const ShellyRpcGet& get, const EmDataAnchor& last_shipped,
    const Clock& clock, const EmDataBackfillOptions& options, std::string_view* reason);

// A source decorator: backfills, then starts the live source it wraps, and
// writes anchors from the live source's readings on their way to the sink.
class ShellyEmDataBackfill final : public Source {
 public:
  // Builds the live source with `create` (its env's sink replaced by this
  // decorator's) and wraps it. Without a state store (env.state == nullptr)
  // or with max_age_ms == 0, returns the live source unwrapped. Errors: from
  // `create`; InvalidArgument for bad `http` options.
  static Result<std::unique_ptr<Source>> Wrap(const SourceEnv& env,
                                              const EmDataBackfillOptions& options,
                                              const HttpClientOptions& http,
                                              const SourceFactory& create);
  ~ShellyEmDataBackfill() override;

  // Starts the backfill when there is an anchor of any component, the live
  // source at once otherwise (its error is then returned); the live source
  // starts when the backfill is over either way.
  Status Start() override;
  void Stop() override;
  const std::string& name() const override { return live_->name(); }
  // The live source's health, with backfill failures added to the device's.
  void AppendHealth(std::vector<DeviceHealth>* out) const override;

  // True while a backfill runs on the pool (tests wait for it to clear after
  // Stop() before closing the loop).
  bool backfilling() const { return backfilling_; }

 private:
  struct Job;
  // A component to backfill and its last shipped anchor.
  struct Pending {
    EmDataComponent component;
    EmDataAnchor anchor;
  };

  ShellyEmDataBackfill(const SourceEnv& env, EmDataBackfillOptions options,
                       std::shared_ptr<HttpClient> client);
  void RunBackfill(std::vector<Pending> pending);
  void OnBackfillDone(Job& job, Status queued);
  void StartLive();
  void OnLiveSamples(Samples&& samples);
  // `index` into EmDataHistoryComponents().
  void PutAnchor(size_t index, const EmDataAnchor& anchor);

  uv_loop_t* loop_;
  const Clock* clock_;
  SampleSink sink_;
  SourceStateStore* state_;
  EmDataBackfillOptions options_;
  std::shared_ptr<HttpClient> client_;  // shared with the pool work in flight
  std::unique_ptr<Source> live_;
  Timer retry_timer_;
  bool stopped_ = false;
  bool backfilling_ = false;
  int attempts_ = 0;
  // Per EmDataHistoryComponents(): the wall-clock minute of the last anchor
  // written.
  std::vector<int64_t> anchor_minute_;
  std::map<std::string, uint64_t, std::less<>> errors_by_reason_;
  LogThrottle state_log_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// For source types' config readers: `config` with its factory wrapped in a
// ShellyEmDataBackfill for device `http.device`, reading history from
// `http.url` with `http`'s credentials and timeout. max_age_ms is the
// `backfill_max` option (0: off).
SourceConfig WithEmDataBackfill(SourceConfig config, const ShellyHttpSourceOptions& http,
                                int64_t max_age_ms);

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_SHELLY_SHELLY_EMDATA_BACKFILL_H_
