#include "agent/shelly/shelly_emdata_backfill.h"

#include <algorithm>
#include <ctime>
#include <optional>
#include <span>
#include <utility>

#include "agent/loop/pool_work.h"
#include "agent/shelly/shelly_gen2_parser.h"
#include "agent/state/source_state_store.h"
#include "common/batch.h"

namespace wattline::agent {
namespace {

// The longest record period known (3EM-63 Gen3: five minutes): the record
// that holds the anchor starts at most this long before it.
constexpr int64_t kMaxPeriodS = 300;

constexpr int kMaxAttempts = 3;
constexpr int64_t kRetryDelayMs = 10'000;

// Rows handed to the sink at a time: an hour of a Pro 3EM's records, about
// 800 samples, so the backfill never holds a week of Samples at once.
constexpr size_t kRowsPerSink = 60;

constexpr std::string_view kLogComponent = "shelly emdata backfill";

// [start, end) in Unix seconds.
struct Span {
  int64_t start;
  int64_t end;
};

// The parts of [from_s, to_s) that `blocks` cover, starting on record
// boundaries, sorted and merged.
std::vector<Span> Covered(const std::vector<EmDataBlock>& blocks, int64_t from_s, int64_t to_s) {
  std::vector<Span> spans;
  for (const EmDataBlock& block : blocks) {
    if (block.records <= 0 || block.end_s() <= from_s || block.ts_s >= to_s) continue;
    int64_t start = block.ts_s;
    if (start < from_s) start += (from_s - start) / block.period_s * block.period_s;
    spans.push_back({start, std::min(block.end_s(), to_s)});
  }
  std::sort(spans.begin(), spans.end(), [](const Span& x, const Span& y) { return x.start < y.start; });
  std::vector<Span> merged;
  for (const Span& span : spans) {
    if (!merged.empty() && span.start <= merged.back().end) {
      merged.back().end = std::max(merged.back().end, span.end);
    } else {
      merged.push_back(span);
    }
  }
  return merged;
}

// "/rpc/<NS>.<method>?id=<id>".
std::string RpcPath(const EmDataComponent& component, std::string_view method) {
  return "/rpc/" + std::string(component.rpc_namespace()) + "." + std::string(method) +
         "?id=" + std::to_string(component.id);
}

// GetData for every window of `spans`, following chunked answers; appends
// the intervals. At `max_requests` it stops with a note (what is fetched is
// still shipped).
Status FetchSpans(const EmDataComponent& component, const ShellyRpcGet& get,
                  const std::vector<Span>& spans, int64_t window_s, int64_t max_requests,
                  std::vector<EmDataInterval>* intervals, std::vector<std::string>* notes,
                  std::string_view* reason) {
  int64_t requests = 0;
  for (const Span& span : spans) {
    for (int64_t window = span.start; window < span.end; window += window_s) {
      const int64_t end_ts = std::min(window + window_s, span.end) - 1;
      int64_t ts = window;
      while (true) {
        if (++requests > max_requests) {
          notes->push_back("stopped after " + std::to_string(max_requests) +
                           " requests; the rest of the outage stays a gap");
          return Status::Ok();
        }
        Result<std::string> body = get(RpcPath(component, "GetData") + "&ts=" + std::to_string(ts) +
                                           "&end_ts=" + std::to_string(end_ts),
                                       reason);
        if (!body.ok()) return body.status();
        Result<EmDataPage> page = ParseEmDataData(component, *body);
        if (!page.ok()) {
          *reason = kErrorMalformed;
          return page.status();
        }
        intervals->insert(intervals->end(), page->intervals.begin(), page->intervals.end());
        // Follow a chunked answer within the window; anything else moves on.
        if (!page->next_record_ts || *page->next_record_ts <= ts ||
            *page->next_record_ts > end_ts) {
          break;
        }
        ts = *page->next_record_ts;
      }
    }
  }
  return Status::Ok();
}

std::string UtcTime(int64_t unix_ms) {
  const time_t seconds = static_cast<time_t>(unix_ms / 1000);
  struct tm tm {};
  gmtime_r(&seconds, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

}  // namespace

std::span<const EmDataComponent> EmDataHistoryComponents() {
  static constexpr EmDataComponent kComponents[] = {kEmDataComponent, Em1DataComponent(0),
                                                    Em1DataComponent(1), Em1DataComponent(2)};
  return kComponents;
}

std::string EmDataAnchorKey(const EmDataComponent& component, std::string_view device) {
  std::string key = "shelly_emdata/" + std::string(device);
  // emdata:0 keeps the key of the first version (see the header).
  if (component != kEmDataComponent) key += "/" + component.key();
  return key;
}

Result<EmDataReconstruction> FetchEmDataBackfill(
    const EmDataComponent& component, const ShellyRpcGet& get, const EmDataAnchor& last_shipped,
    const Clock& clock, const EmDataBackfillOptions& options, std::string_view* reason) {
  // The counters now: the ceiling of every rebuilt value.
  const int64_t now_ms = clock.NowUnixMs();
  Result<std::string> body = get(RpcPath(component, "GetStatus"), reason);
  if (!body.ok()) return body.status();
  Samples samples;
  Status parsed =
      ParseShellyComponentStatus(component.key(), *body, options.device, now_ms, &samples);
  std::optional<EmDataAnchor> current;
  if (parsed.ok()) current = EmDataAnchorFromSamples(component, samples, options.device);
  if (!current) {
    *reason = kErrorMalformed;
    return parsed.ok() ? Status::InvalidArgument(std::string(component.rpc_namespace()) +
                                                 ".GetStatus lacks a counter")
                       : parsed;
  }
  if (last_shipped.timestamp_ms >= now_ms) return EmDataReconstruction{};

  const int64_t now_s = now_ms / 1000;
  const int64_t oldest_s = now_s - options.max_age_ms / 1000;
  const int64_t from_s = std::max(last_shipped.timestamp_ms / 1000 - kMaxPeriodS, oldest_s);
  std::vector<std::string> notes;

  std::vector<Span> spans;
  body = get(RpcPath(component, "GetRecords") + "&ts=" + std::to_string(from_s), reason);
  if (!body.ok()) return body.status();
  Result<std::vector<EmDataBlock>> blocks = ParseEmDataRecords(component, *body);
  if (blocks.ok()) {
    spans = Covered(*blocks, from_s, now_s);
  } else {
    notes.push_back(blocks.status().message() + "; asking for every interval instead");
    spans.push_back({from_s, now_s});
  }

  const int64_t window_s = std::max<int64_t>(options.window_s, 60);
  const int64_t max_requests = 4 * (options.max_age_ms / 1000 / window_s + 2) + 16;
  std::vector<EmDataInterval> intervals;
  WATTLINE_RETURN_IF_ERROR(
      FetchSpans(component, get, spans, window_s, max_requests, &intervals, &notes, reason));
  EmDataReconstruction result =
      ReconstructEmData(component, last_shipped, *current, std::move(intervals));
  result.notes.insert(result.notes.begin(), notes.begin(), notes.end());
  return result;
}

struct ShellyEmDataBackfill::Job {
  // One component's outcome; `ran` is false for the components a connect
  // failure of an earlier one left unasked.
  struct Outcome {
    EmDataComponent component;
    bool ran = false;
    Result<EmDataReconstruction> result = Status::Internal("not run");
    std::string_view reason = kErrorConnect;
  };
  std::vector<Outcome> results;
  // True when a component could not reach the meter: the whole job is
  // retried (nothing of it was shipped yet).
  bool unreachable = false;
};

Result<std::unique_ptr<Source>> ShellyEmDataBackfill::Wrap(const SourceEnv& env,
                                                           const EmDataBackfillOptions& options,
                                                           const HttpClientOptions& http,
                                                           const SourceFactory& create) {
  if (env.state == nullptr || options.max_age_ms <= 0) return create(env);
  HttpClientOptions history_http = http;
  history_http.max_response_bytes = kMaxEmDataPageBytes;
  Result<std::unique_ptr<HttpClient>> client = HttpClient::Create(history_http);
  if (!client.ok()) return client.status().WithContext("device " + options.device);
  std::unique_ptr<ShellyEmDataBackfill> self(
      new ShellyEmDataBackfill(env, options, std::move(*client)));
  SourceEnv live_env = env;
  // The live source is owned by the decorator, so the pointer outlives it.
  ShellyEmDataBackfill* raw = self.get();
  live_env.sink = [raw](Samples&& samples) { raw->OnLiveSamples(std::move(samples)); };
  Result<std::unique_ptr<Source>> live = create(live_env);
  if (!live.ok()) return live.status();
  self->live_ = std::move(*live);
  return std::unique_ptr<Source>(std::move(self));
}

ShellyEmDataBackfill::ShellyEmDataBackfill(const SourceEnv& env, EmDataBackfillOptions options,
                                           std::shared_ptr<HttpClient> client)
    : loop_(env.loop),
      clock_(env.clock),
      sink_(env.sink),
      state_(env.state),
      options_(std::move(options)),
      client_(std::move(client)),
      retry_timer_(env.loop),
      anchor_minute_(EmDataHistoryComponents().size(), INT64_MIN) {}

ShellyEmDataBackfill::~ShellyEmDataBackfill() { *alive_ = false; }

Status ShellyEmDataBackfill::Start() {
  stopped_ = false;
  attempts_ = 0;
  std::vector<Pending> pending;
  const std::span<const EmDataComponent> components = EmDataHistoryComponents();
  for (size_t i = 0; i < components.size(); ++i) {
    const EmDataComponent& component = components[i];
    const std::string what = options_.device + " " + component.key() + ": ";
    Result<std::optional<std::string>> stored =
        state_->Get(EmDataAnchorKey(component, options_.device));
    if (!stored.ok()) {
      LogWarning(kLogComponent, what + stored.status().ToString() + "; not backfilled");
      continue;
    }
    if (!stored->has_value()) continue;  // nothing shipped yet
    Result<EmDataAnchor> anchor = DecodeEmDataAnchor(component, **stored);
    if (!anchor.ok()) {
      LogWarning(kLogComponent, what + anchor.status().ToString() + "; not backfilled");
      continue;
    }
    anchor_minute_[i] = anchor->timestamp_ms / 60'000;
    pending.push_back(Pending{component, *anchor});
  }
  if (pending.empty()) return live_->Start();
  RunBackfill(std::move(pending));
  return Status::Ok();
}

void ShellyEmDataBackfill::Stop() {
  stopped_ = true;
  retry_timer_.Stop();
  live_->Stop();
}

void ShellyEmDataBackfill::RunBackfill(std::vector<Pending> pending) {
  backfilling_ = true;
  ++attempts_;
  auto job = std::make_shared<Job>();
  for (const Pending& p : pending) job->results.push_back(Job::Outcome{p.component});
  std::shared_ptr<HttpClient> client = client_;
  const Clock* clock = clock_;
  EmDataBackfillOptions options = options_;
  std::shared_ptr<bool> alive = alive_;
  Status queued = QueuePoolWork(
      loop_,
      [job, client, clock, options, pending] {
        ShellyRpcGet get = [&client](const std::string& path,
                                     std::string_view* reason) -> Result<std::string> {
          Result<HttpResponseData> response = client->Get(path);
          if (!response.ok()) {
            *reason = response.status().code() == Status::Code::kUnavailable ? kErrorConnect
                                                                              : kErrorProtocol;
            return response.status();
          }
          if (response->status != 200) {
            *reason = response->status == 401 || response->status == 403 ? kErrorAuth
                                                                          : kErrorProtocol;
            return Status::Unavailable(path + " answered HTTP " +
                                       std::to_string(response->status));
          }
          return std::move(response->body);
        };
        for (size_t i = 0; i < pending.size(); ++i) {
          Job::Outcome& out = job->results[i];
          out.ran = true;
          out.result = FetchEmDataBackfill(pending[i].component, get, pending[i].anchor, *clock,
                                           options, &out.reason);
          // An unreachable meter: asking for the next component would only
          // wait for the same timeout again.
          if (!out.result.ok() && out.reason == kErrorConnect) {
            job->unreachable = true;
            break;
          }
        }
      },
      [this, job, alive, pending](Status status) {
        if (!*alive) return;
        backfilling_ = false;
        if (!status.ok()) {
          job->results = {Job::Outcome{pending.front().component, true, status}};
          job->unreachable = true;
        }
        if (!stopped_ && job->unreachable && attempts_ < kMaxAttempts) {
          ++errors_by_reason_[std::string(kErrorConnect)];
          for (const Job::Outcome& r : job->results) {
            if (r.ran && !r.result.ok() && r.reason == kErrorConnect) {
              LogWarning(kLogComponent, options_.device + " " + r.component.key() + ": " +
                                            r.result.status().ToString() + "; retrying in 10 s");
            }
          }
          Status timer =
              retry_timer_.Start(kRetryDelayMs, 0, [this, pending] { RunBackfill(pending); });
          if (timer.ok()) return;
        }
        OnBackfillDone(*job, Status::Ok());
      });
  if (!queued.ok()) {
    backfilling_ = false;
    Job failed;
    failed.results = {Job::Outcome{pending.front().component, true, queued}};
    OnBackfillDone(failed, queued);
  }
}

void ShellyEmDataBackfill::OnBackfillDone(Job& job, Status queued) {
  if (stopped_) return;
  const std::span<const EmDataComponent> components = EmDataHistoryComponents();
  for (Job::Outcome& r : job.results) {
    if (!r.ran) continue;
    const std::string what = options_.device + " " + r.component.key() + ": ";
    if (!r.result.ok()) {
      ++errors_by_reason_[std::string(queued.ok() ? r.reason : kErrorConnect)];
      LogWarning(kLogComponent, what + r.result.status().ToString() + "; the outage stays a gap");
      continue;
    }
    EmDataReconstruction& result = *r.result;
    for (const std::string& note : result.notes) LogInfo(kLogComponent, what + note);
    if (!result.rows.empty()) {
      const std::span<const EmDataRow> rows(result.rows);
      for (size_t i = 0; i < rows.size(); i += kRowsPerSink) {
        Samples samples;
        AppendEmDataSamples(r.component, rows.subspan(i, std::min(kRowsPerSink, rows.size() - i)),
                            options_.device, &samples);
        if (!samples.empty()) sink_(std::move(samples));
      }
      LogInfo(kLogComponent,
              what + "shipped " + std::to_string(rows.size()) + " recorded intervals ending " +
                  UtcTime(rows.front().timestamp_ms) + " to " + UtcTime(rows.back().timestamp_ms));
    }
    if (result.anchor) {
      const auto index = std::find(components.begin(), components.end(), r.component);
      PutAnchor(static_cast<size_t>(index - components.begin()), *result.anchor);
    }
  }
  StartLive();
}

void ShellyEmDataBackfill::StartLive() {
  Status status = live_->Start();
  if (!status.ok()) LogError(kLogComponent, options_.device + ": " + status.ToString());
}

void ShellyEmDataBackfill::OnLiveSamples(Samples&& samples) {
  const std::span<const EmDataComponent> components = EmDataHistoryComponents();
  for (size_t i = 0; i < components.size(); ++i) {
    std::optional<EmDataAnchor> anchor =
        EmDataAnchorFromSamples(components[i], samples, options_.device);
    // The first reading of each minute: see the header. Not one stamped
    // before the agent knew the time (agent/time/time_keeper.h): a
    // provisional anchor would make the next backfill start from 1970.
    if (anchor && anchor->timestamp_ms >= kProvisionalTimeLimitMs &&
        anchor->timestamp_ms / 60'000 != anchor_minute_[i]) {
      PutAnchor(i, *anchor);
    }
  }
  sink_(std::move(samples));
}

void ShellyEmDataBackfill::PutAnchor(size_t index, const EmDataAnchor& anchor) {
  const EmDataComponent& component = EmDataHistoryComponents()[index];
  anchor_minute_[index] = anchor.timestamp_ms / 60'000;
  Status status = state_->Put(EmDataAnchorKey(component, options_.device),
                              EncodeEmDataAnchor(component, anchor));
  if (!status.ok() && state_log_.Allow(clock_->NowMonotonicMs())) {
    LogWarning(kLogComponent, options_.device + " " + component.key() + ": " + status.ToString() +
                                  " (the next backfill may repeat or miss some minutes)");
  }
}

void ShellyEmDataBackfill::AppendHealth(std::vector<DeviceHealth>* out) const {
  const size_t first = out->size();
  live_->AppendHealth(out);
  if (errors_by_reason_.empty()) return;
  auto it = std::find_if(out->begin() + static_cast<std::ptrdiff_t>(first), out->end(),
                         [&](const DeviceHealth& health) { return health.device == options_.device; });
  if (it == out->end()) {
    out->push_back(DeviceHealth{});
    out->back().device = options_.device;
    it = out->end() - 1;
  }
  for (const auto& [reason, count] : errors_by_reason_) {
    it->errors += count;
    it->errors_by_reason[reason] += count;
  }
}

SourceConfig WithEmDataBackfill(SourceConfig config, const ShellyHttpSourceOptions& http,
                                int64_t max_age_ms) {
  EmDataBackfillOptions options;
  options.device = http.device;
  options.max_age_ms = max_age_ms;
  HttpClientOptions client;
  client.origin = http.url;
  client.auth = http.auth;
  client.username = http.username;
  client.password = http.password;
  client.connect_timeout_ms = http.timeout_ms;
  client.io_timeout_ms = http.timeout_ms;
  config.create = [create = std::move(config.create), options,
                   client](const SourceEnv& env) -> Result<std::unique_ptr<Source>> {
    return ShellyEmDataBackfill::Wrap(env, options, client, create);
  };
  return config;
}

}  // namespace wattline::agent
