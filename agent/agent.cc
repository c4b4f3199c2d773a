#include "agent/agent.h"

#include <random>

#include "agent/mqtt/mqtt_client.h"
#include "agent/self_metrics.h"
#include "agent/sources/health_metrics.h"
#include "agent/state/source_state_store.h"
#include "agent/time/kernel_clock.h"
#include "common/private_directory.h"

namespace wattline::agent {

namespace {

// What the open batch may hold while the outbox cannot take it (a full disk):
// about 20 devices x 18 series x 1 Hz for 15 minutes, some 30 MB. Beyond it
// the oldest samples are dropped and counted, so a Pi with 512 MB lives on.
constexpr size_t kMaxOpenSamples = 300'000;

// How often outbox.persist: unacked writes what waited too long for its ack.
constexpr int64_t kPersistCheckMs = 1000;

// True when `batch` holds a timestamp taken before the clock was known.
bool HasProvisionalTimestamps(const Batch& batch) {
  for (const SeriesSamples& series : batch.series) {
    for (int64_t ts : series.timestamps_ms) {
      if (ts < kProvisionalTimeLimitMs) return true;
    }
  }
  return false;
}

}  // namespace

Agent::Agent(uv_loop_t* loop, const AgentConfig& config)
    : loop_(loop), config_(config), seal_timer_(loop), health_timer_(loop), persist_timer_(loop) {}

Result<std::unique_ptr<Agent>> Agent::Create(uv_loop_t* loop, const AgentConfig& config,
                                             const Clock* clock) {
  std::unique_ptr<Agent> agent(new Agent(loop, config));
  WATTLINE_RETURN_IF_ERROR(MakePrivateDirectory(config.data_dir));
  const std::string boot_id = CurrentBootId();
  auto outbox = Outbox::Open(config.data_dir + "/outbox.db", config.outbox, boot_id);
  if (!outbox.ok()) return outbox.status();
  agent->outbox_ = std::move(*outbox);
  auto saved_offset = agent->outbox_->ClockOffset(boot_id);
  if (!saved_offset.ok()) return saved_offset.status();
  agent->time_ = std::make_unique<TimeKeeper>(clock, config.clock_sync, KernelClockSynchronised,
                                              boot_id, *saved_offset);
  agent->SaveClockOffset();

  HttpClientOptions http;
  http.origin = config.upload.url;
  http.ca_file = config.upload.ca_file;
  http.cert_file = config.upload.cert_file;
  http.key_file = config.upload.key_file;
  http.connect_timeout_ms = config.upload.timeout_ms;
  http.io_timeout_ms = config.upload.timeout_ms;
  auto client = HttpClient::Create(http);
  if (!client.ok()) return client.status().WithContext("upload");
  UploaderOptions upload;
  upload.backoff = config.upload.backoff;
  upload.seed = std::random_device{}();
  upload.max_request_bytes = static_cast<size_t>(config.upload.max_request_bytes);
  upload.max_bytes_per_second = config.upload.max_bytes_per_second;
  agent->uploader_ = std::make_unique<Uploader>(loop, agent->outbox_.get(), std::move(*client),
                                                agent->time_.get(), upload);

  Agent* self = agent.get();
  auto state = SourceStateStore::Open(config.data_dir + "/state.db");
  if (!state.ok()) return state.status();
  agent->state_ = std::move(*state);
  if (config.mqtt) {
    auto mqtt = MqttClient::Create(loop, *config.mqtt, agent->time_.get());
    if (!mqtt.ok()) return mqtt.status().WithContext("mqtt");
    agent->mqtt_ = std::move(*mqtt);
  }
  SourceEnv env;
  env.loop = loop;
  env.clock = agent->time_.get();
  env.mqtt = agent->mqtt_.get();
  env.state = agent->state_.get();
  env.sink = [self](Samples&& samples) { self->open_.Add(samples); };
  for (const SourceConfig& source_config : config.sources) {
    auto source = source_config.create(env);
    if (!source.ok()) return source.status().WithContext(source_config.where);
    agent->sources_.push_back(std::move(*source));
  }
  return agent;
}

Status Agent::Start() {
  // Sources subscribe before the broker connection starts, so the first
  // connect already carries every subscription.
  for (auto& source : sources_) WATTLINE_RETURN_IF_ERROR(source->Start());
  if (mqtt_) WATTLINE_RETURN_IF_ERROR(mqtt_->Start());
  WATTLINE_RETURN_IF_ERROR(
      seal_timer_.Start(config_.seal_interval_ms, config_.seal_interval_ms, [this] { Seal(); }));
  WATTLINE_RETURN_IF_ERROR(health_timer_.Start(
      config_.health_interval_ms, config_.health_interval_ms, [this] { RecordHealth(); }));
  if (config_.outbox.persist == OutboxOptions::Persist::kUnacked) {
    WATTLINE_RETURN_IF_ERROR(persist_timer_.Start(kPersistCheckMs, kPersistCheckMs, [this] {
      Status persisted = outbox_->PersistDue(time_->NowMonotonicMs());
      if (!persisted.ok()) LogError("outbox", persisted.ToString());
    }));
  }
  uploader_->Start();
  return Status::Ok();
}

void Agent::RefreshTime() {
  if (time_->Refresh()) SaveClockOffset();
}

void Agent::SaveClockOffset() {
  if (!time_->offset_ms()) return;
  Status saved = outbox_->SetClockOffset(time_->boot_id(), *time_->offset_ms());
  if (!saved.ok()) LogError("outbox", "cannot save the clock offset: " + saved.ToString());
  if (uploader_) uploader_->Notify();  // batches held for the offset may go now
}

void Agent::Seal() {
  RefreshTime();
  if (open_.empty()) return;
  Batch batch = open_.Take(time_->NowUnixMs());
  batch.agent_id = config_.name;
  SealTime when;
  when.now_unix_ms = batch.sealed_at_ms;
  when.time_known = time_->time_known();
  if (HasProvisionalTimestamps(batch)) when.provisional_boot = time_->boot_id();
  when.now_monotonic_ms = time_->NowMonotonicMs();
  Result<uint64_t> sequence = outbox_->Seal(batch, when);
  if (!sequence.ok()) {
    const size_t samples = batch.SampleCount();
    std::string kept = "samples kept in memory";
    if (samples + open_.sample_count() > kMaxOpenSamples) {
      // The oldest go, so memory stays bounded however long the disk is full.
      open_batch_dropped_samples_ += samples;
      kept = std::to_string(samples) + " samples dropped: memory is full too";
    } else {
      open_.Restore(batch);
    }
    if (seal_error_log_.Allow(time_->NowMonotonicMs())) {
      LogError("outbox", sequence.status().ToString() + " (" + kept + ")");
    }
    return;
  }
  uploader_->Notify();
}

void Agent::RecordHealth() {
  RefreshTime();
  std::vector<DeviceHealth> health;
  for (const auto& source : sources_) source->AppendHealth(&health);
  const int64_t now_ms = time_->NowUnixMs();
  Samples samples;
  AppendHealthSamples(health, now_ms, &samples);
  if (mqtt_) {
    AppendMqttHealthSamples(mqtt_->broker(), mqtt_->connected(), mqtt_->counters(), now_ms,
                            &samples);
  }
  SelfState self;
  Result<OutboxStats> stats = outbox_->Stats();
  if (stats.ok()) self.outbox = *stats;
  self.outbox_max_bytes = config_.outbox.max_bytes;
  self.upload = uploader_->counters();
  self.clock = time_->state();
  self.open_batch_dropped_samples = open_batch_dropped_samples_;
  AppendSelfMetrics(self, now_ms, &samples);
  open_.Add(samples);
}

void Agent::Shutdown() {
  for (auto& source : sources_) source->Stop();
  seal_timer_.Stop();
  health_timer_.Stop();
  persist_timer_.Stop();
  RecordHealth();
  Seal();
  Status persisted = outbox_->PersistAll();
  if (!persisted.ok()) LogError("outbox", persisted.ToString());
  // Destroying the uploader and sources closes their timers; pool work in
  // flight completes and finds them gone.
  uploader_.reset();
  sources_.clear();
  if (mqtt_) mqtt_->Stop();
}

}  // namespace wattline::agent
