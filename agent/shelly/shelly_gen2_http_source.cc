#include "agent/shelly/shelly_gen2_http_source.h"

#include <array>

#include "agent/loop/pool_work.h"
#include "agent/shelly/shelly_gen2_parser.h"
#include "common/config/option_table.h"

namespace wattline::agent {

// Filled on the pool thread, read on the loop thread after it.
struct ShellyGen2HttpSource::Poll {
  Samples samples;
  Status status;
  std::string_view error_reason = kErrorConnect;
  int64_t latency_ms = 0;
};

namespace {

constexpr std::array<OptionSpec, 5> kOptions = {{
    {"type", OptionType::kString, "shelly_gen2_http", "Shelly Pro 3EM / 3EM-63 over HTTP RPC"},
    {"device", OptionType::kString, "panel", "The device label of its series", true},
    {"url", OptionType::kString, "http://192.168.1.50", "The meter's address", true},
    {"interval", OptionType::kDuration, "1s", "Poll interval"},
    {"timeout", OptionType::kDuration, "2s", "Per-request timeout; a slow meter skips polls"},
}};

Result<SourceConfig> Read(const ConfigNode& entry, const SourceConfigContext&) {
  Result<OptionValues> values = ReadOptions(&entry, kOptions, "sources[]");
  if (!values.ok()) return values.status();
  ShellyGen2HttpOptions options;
  options.device = values->String("device");
  options.url = values->String("url");
  options.interval_ms = values->DurationMs("interval");
  options.timeout_ms = values->DurationMs("timeout");
  if (options.interval_ms <= 0) {
    return Status::InvalidArgument(entry.Where() + ": interval must be > 0");
  }
  if (options.device.empty()) {
    return Status::InvalidArgument(entry.Where() + ": device must not be empty");
  }
  SourceConfig config;
  config.devices = {options.device};
  config.create = [options](const SourceEnv& env) -> Result<std::unique_ptr<Source>> {
    auto source = ShellyGen2HttpSource::Create(env.loop, options, env.clock, env.sink);
    if (!source.ok()) return source.status();
    return std::unique_ptr<Source>(std::move(*source));
  };
  return config;
}

std::string Reference() { return RenderOptions(kOptions, 4); }

// HTTP statuses a poll can meet, as error reasons.
std::string_view ReasonForHttpStatus(int status) {
  return status == 401 || status == 403 ? kErrorAuth : kErrorProtocol;
}

Status FetchInto(HttpClient& client, const std::string& path, std::string* body,
                 std::string_view* reason) {
  Result<HttpResponseData> response = client.Get(path);
  if (!response.ok()) {
    *reason = kErrorConnect;
    return response.status();
  }
  if (response->status != 200) {
    *reason = ReasonForHttpStatus(response->status);
    return Status::Unavailable(path + " answered HTTP " + std::to_string(response->status));
  }
  *body = std::move(response->body);
  return Status::Ok();
}

}  // namespace

const SourceType& ShellyGen2HttpSourceType() {
  static const SourceType type{"shelly_gen2_http", "Shelly Pro 3EM / 3EM-63 over HTTP RPC", Read,
                               Reference};
  return type;
}

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
      timer_(loop) {
  health_.device = options_.device;
}

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
  ++health_.polls;
  auto poll = std::make_shared<Poll>();
  std::shared_ptr<HttpClient> client = client_;
  std::shared_ptr<bool> alive = alive_;
  const Clock* clock = clock_;
  std::string device = options_.device;
  Status queued = QueuePoolWork(
      loop_,
      [poll, client, clock, device] {
        int64_t timestamp_ms = clock->NowUnixMs();
        int64_t started_ms = clock->NowMonotonicMs();
        std::string em, emdata;
        poll->status = FetchInto(*client, "/rpc/EM.GetStatus?id=0", &em, &poll->error_reason);
        if (poll->status.ok()) {
          poll->status =
              FetchInto(*client, "/rpc/EMData.GetStatus?id=0", &emdata, &poll->error_reason);
        }
        poll->latency_ms = clock->NowMonotonicMs() - started_ms;
        if (poll->status.ok()) {
          poll->status = ParseEmStatus(em, device, timestamp_ms, &poll->samples);
          if (poll->status.ok()) {
            poll->status = ParseEmDataStatus(emdata, device, timestamp_ms, &poll->samples);
          }
          // The parsers answer Unavailable only for a meter reporting its own failure.
          poll->error_reason = poll->status.code() == Status::Code::kUnavailable ? kErrorDevice
                                                                                 : kErrorMalformed;
        }
        if (!poll->status.ok()) poll->samples.clear();  // all of a reading or none of it
      },
      [this, poll, alive](Status status) {
        if (!*alive) return;
        in_flight_ = false;
        if (status.ok()) status = poll->status;
        Finish(*poll);
        if (!status.ok()) {
          health_.RecordError(poll->error_reason);
          if (error_log_.Allow(clock_->NowMonotonicMs())) {
            LogWarning("source " + options_.device, status.ToString());
          }
        }
      });
  if (!queued.ok()) {
    in_flight_ = false;
    health_.RecordError(kErrorConnect);
  }
}

void ShellyGen2HttpSource::Finish(Poll& poll) {
  if (stopped_ || poll.samples.empty()) return;
  health_.RecordSuccess(clock_->NowUnixMs(), poll.latency_ms, poll.samples.size());
  sink_(std::move(poll.samples));
}

}  // namespace wattline::agent
