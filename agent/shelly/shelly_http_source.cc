#include "agent/shelly/shelly_http_source.h"

#include <utility>

#include "agent/loop/pool_work.h"

namespace wattline::agent {

// Filled on the pool thread, read on the loop thread after it.
struct ShellyHttpSource::Poll {
  Samples samples;
  std::vector<std::string> faulty;
  Status status;
  std::string_view error_reason = kErrorConnect;
  int64_t latency_ms = 0;
};

namespace {

// The reason a failed HTTP exchange counts under.
std::string_view ReasonForTransport(const Status& status) {
  switch (status.code()) {
    case Status::Code::kUnavailable:
      return kErrorConnect;
    case Status::Code::kResourceExhausted:
      return kErrorMalformed;  // body over the limit
    default:
      return kErrorProtocol;
  }
}

std::string_view ReasonForHttpStatus(int status) {
  return status == 401 || status == 403 ? kErrorAuth : kErrorProtocol;
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

}  // namespace

Result<SourceConfig> MakeShellyHttpSourceConfig(const ConfigNode& entry,
                                                const ShellyHttpSourceOptions& options,
                                                ShellyStatusParser parser) {
  if (options.device.empty()) {
    return Status::InvalidArgument(entry.Where() + ": device must not be empty");
  }
  if (options.interval_ms <= 0) {
    return Status::InvalidArgument(entry.Where() + ": interval must be > 0");
  }
  if (options.timeout_ms <= 0) {
    return Status::InvalidArgument(entry.Where() + ": timeout must be > 0");
  }
  SourceConfig config;
  config.devices = {options.device};
  config.create = [options, parser](const SourceEnv& env) -> Result<std::unique_ptr<Source>> {
    auto source = ShellyHttpSource::Create(env.loop, options, parser, env.clock, env.sink);
    if (!source.ok()) return source.status();
    return std::unique_ptr<Source>(std::move(*source));
  };
  return config;
}

Result<std::unique_ptr<ShellyHttpSource>> ShellyHttpSource::Create(
    uv_loop_t* loop, const ShellyHttpSourceOptions& options, ShellyStatusParser parser,
    const Clock* clock, SampleSink sink) {
  HttpClientOptions http;
  http.origin = options.url;
  http.auth = options.auth;
  http.username = options.username;
  http.password = options.password;
  http.connect_timeout_ms = options.timeout_ms;
  http.io_timeout_ms = options.timeout_ms;
  http.max_response_bytes = options.max_response_bytes;
  Result<std::unique_ptr<HttpClient>> client = HttpClient::Create(http);
  if (!client.ok()) return client.status().WithContext("device " + options.device);
  return std::unique_ptr<ShellyHttpSource>(new ShellyHttpSource(
      loop, options, std::move(parser), clock, std::move(sink), std::move(*client)));
}

ShellyHttpSource::ShellyHttpSource(uv_loop_t* loop, ShellyHttpSourceOptions options,
                                   ShellyStatusParser parser, const Clock* clock, SampleSink sink,
                                   std::unique_ptr<HttpClient> client)
    : loop_(loop),
      options_(std::move(options)),
      parser_(std::move(parser)),
      clock_(clock),
      sink_(std::move(sink)),
      client_(std::move(client)),
      timer_(loop) {
  health_.device = options_.device;
}

ShellyHttpSource::~ShellyHttpSource() { *alive_ = false; }

Status ShellyHttpSource::Start() {
  stopped_ = false;
  return timer_.Start(0, options_.interval_ms, [this] { PollNow(); });
}

void ShellyHttpSource::Stop() {
  stopped_ = true;
  timer_.Stop();
}

void ShellyHttpSource::PollNow() {
  if (in_flight_) return;
  in_flight_ = true;
  ++health_.polls;
  auto poll = std::make_shared<Poll>();
  // The pool work holds its own references: it may outlive this source.
  std::shared_ptr<HttpClient> client = client_;
  ShellyStatusParser parser = parser_;
  const Clock* clock = clock_;
  std::string path = options_.path;
  std::shared_ptr<bool> alive = alive_;
  Status queued = QueuePoolWork(
      loop_,
      [poll, client, parser, clock, path] {
        const int64_t timestamp_ms = clock->NowUnixMs();
        const int64_t started_ms = clock->NowMonotonicMs();
        Result<HttpResponseData> response = client->Get(path);
        poll->latency_ms = clock->NowMonotonicMs() - started_ms;
        if (!response.ok()) {
          poll->status = response.status();
          poll->error_reason = ReasonForTransport(poll->status);
          return;
        }
        if (response->status != 200) {
          poll->error_reason = ReasonForHttpStatus(response->status);
          poll->status = Status::Unavailable(
              path + " answered HTTP " + std::to_string(response->status) +
              (poll->error_reason == kErrorAuth ? " (missing or wrong credentials?)" : ""));
          return;
        }
        poll->status = parser(response->body, timestamp_ms, &poll->samples, &poll->faulty);
        if (!poll->status.ok()) {
          poll->samples.clear();  // all of a document or none of it
          poll->faulty.clear();
          poll->error_reason = kErrorMalformed;
        }
      },
      [this, poll, alive](Status status) {
        if (!*alive) return;
        Finish(*poll, status);
      });
  if (!queued.ok()) Finish(*poll, queued);
}

void ShellyHttpSource::Finish(Poll& poll, Status queued) {
  in_flight_ = false;
  if (stopped_) return;  // Stop() promised: work in flight is discarded
  Status status = poll.status;
  std::string_view reason = poll.error_reason;
  if (!queued.ok()) {
    status = queued;
    reason = kErrorConnect;
  }
  if (status.ok() && !poll.faulty.empty()) {
    status = Status::Unavailable("the device reports invalid readings from " +
                                 JoinNames(poll.faulty) + "; their values are not shipped");
    reason = kErrorDevice;
  }
  if (!status.ok()) {
    health_.RecordError(reason);
    if (error_log_.Allow(clock_->NowMonotonicMs())) {
      std::string message = options_.url + options_.path + ": " + status.ToString();
      if (error_log_.suppressed() > 0) {
        message += " (" + std::to_string(error_log_.suppressed()) + " similar lines held back)";
      }
      LogWarning("source " + options_.device, message);
    }
  }
  if (poll.samples.empty()) return;
  health_.RecordSuccess(clock_->NowUnixMs(), poll.latency_ms, poll.samples.size());
  sink_(std::move(poll.samples));
}

}  // namespace wattline::agent
