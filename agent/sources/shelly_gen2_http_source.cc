#include "agent/sources/shelly_gen2_http_source.h"

#include "agent/loop/pool_work.h"
#include "agent/sources/shelly_gen2_parser.h"

namespace wattline::agent {

// Filled on the pool thread, read on the loop thread after it.
struct ShellyGen2HttpSource::Poll {
  Samples samples;
  Status status;
};

namespace {

Status FetchInto(HttpClient& client, const std::string& path, std::string* body) {
  Result<HttpResponseData> response = client.Get(path);
  if (!response.ok()) return response.status();
  if (response->status != 200) {
    return Status::Unavailable(path + " answered HTTP " + std::to_string(response->status));
  }
  *body = std::move(response->body);
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<ShellyGen2HttpSource>> ShellyGen2HttpSource::Create(
    uv_loop_t* loop, const ShellyGen2HttpOptions& options, const Clock* clock, SampleSink sink) {
  HttpClientOptions http;
  http.origin = options.url;
  http.connect_timeout_ms = options.timeout_ms;
  http.io_timeout_ms = options.timeout_ms;
  http.max_response_bytes = 64 << 10;
  Result<std::unique_ptr<HttpClient>> client = HttpClient::Create(http);
  if (!client.ok()) return client.status().WithContext("device " + options.device);
  return std::unique_ptr<ShellyGen2HttpSource>(
      new ShellyGen2HttpSource(loop, options, clock, std::move(sink), std::move(*client)));
}

ShellyGen2HttpSource::ShellyGen2HttpSource(uv_loop_t* loop, ShellyGen2HttpOptions options,
                                           const Clock* clock, SampleSink sink,
                                           std::unique_ptr<HttpClient> client)
    : loop_(loop),
      options_(std::move(options)),
      clock_(clock),
      sink_(std::move(sink)),
      client_(std::move(client)),
      timer_(loop) {}

ShellyGen2HttpSource::~ShellyGen2HttpSource() { *alive_ = false; }

Status ShellyGen2HttpSource::Start() {
  stopped_ = false;
  return timer_.Start(0, options_.interval_ms, [this] { PollNow(); });
}

void ShellyGen2HttpSource::Stop() {
  stopped_ = true;
  timer_.Stop();
}

void ShellyGen2HttpSource::PollNow() {
  // A slow device skips ticks rather than queueing polls behind each other.
  if (in_flight_) return;
  in_flight_ = true;
  ++counters_.polls;
  auto poll = std::make_shared<Poll>();
  std::shared_ptr<HttpClient> client = client_;
  std::shared_ptr<bool> alive = alive_;
  const Clock* clock = clock_;
  std::string device = options_.device;
  Status queued = QueuePoolWork(
      loop_,
      [poll, client, clock, device] {
        int64_t timestamp_ms = clock->NowUnixMs();
        std::string em, emdata;
        poll->status = FetchInto(*client, "/rpc/EM.GetStatus?id=0", &em);
        if (poll->status.ok()) {
          poll->status = FetchInto(*client, "/rpc/EMData.GetStatus?id=0", &emdata);
        }
        if (poll->status.ok()) {
          poll->status = ParseEmStatus(em, device, timestamp_ms, &poll->samples);
        }
        if (poll->status.ok()) {
          poll->status = ParseEmDataStatus(emdata, device, timestamp_ms, &poll->samples);
        }
        if (!poll->status.ok()) poll->samples.clear();  // all of a reading or none of it
      },
      [this, poll, alive](Status status) {
        if (!*alive) return;
        in_flight_ = false;
        if (status.ok()) status = poll->status;
        Finish(*poll);
        if (!status.ok()) {
          ++counters_.poll_errors;
          if (error_log_.Allow(clock_->NowMonotonicMs())) {
            LogWarning("source " + options_.device, status.ToString());
          }
        }
      });
  if (!queued.ok()) {
    in_flight_ = false;
    ++counters_.poll_errors;
  }
}

void ShellyGen2HttpSource::Finish(Poll& poll) {
  if (stopped_ || poll.samples.empty()) return;
  counters_.samples += poll.samples.size();
  sink_(std::move(poll.samples));
}

}  // namespace wattline::agent
