#include "agent/agent.h"

#include <random>

#include "agent/mqtt/mqtt_client.h"
#include "agent/sources/health_metrics.h"
#include "agent/state/source_state_store.h"
#include "common/private_directory.h"

namespace wattline::agent {

Agent::Agent(uv_loop_t* loop, const AgentConfig& config, const Clock* clock)
    : loop_(loop), config_(config), clock_(clock), seal_timer_(loop), health_timer_(loop) {}

Result<std::unique_ptr<Agent>> Agent::Create(uv_loop_t* loop, const AgentConfig& config,
                                             const Clock* clock) {
  std::unique_ptr<Agent> agent(new Agent(loop, config, clock));
  WATTLINE_RETURN_IF_ERROR(MakePrivateDirectory(config.data_dir));
  auto outbox = Outbox::Open(config.data_dir + "/outbox.db");
  if (!outbox.ok()) return outbox.status();
  agent->outbox_ = std::move(*outbox);

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
  agent->uploader_ = std::make_unique<Uploader>(loop, agent->outbox_.get(), std::move(*client),
                                                clock, upload);

  Agent* self = agent.get();
  auto state = SourceStateStore::Open(config.data_dir + "/state.db");
  if (!state.ok()) return state.status();
  agent->state_ = std::move(*state);
  if (config.mqtt) {
    auto mqtt = MqttClient::Create(loop, *config.mqtt, clock);
    if (!mqtt.ok()) return mqtt.status().WithContext("mqtt");
    agent->mqtt_ = std::move(*mqtt);
  }
  SourceEnv env;
  env.loop = loop;
  env.clock = clock;
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
  WATTLINE_RETURN_IF_ERROR(health_timer_.Start(config_.health_interval_ms,
                                               config_.health_interval_ms,
                                               [this] { RecordHealth(); }));
  uploader_->Start();
  return Status::Ok();
}

void Agent::Seal() {
  if (open_.empty()) return;
  Batch batch = open_.Take(clock_->NowUnixMs());
  batch.agent_id = config_.name;
  Result<uint64_t> sequence = outbox_->Seal(batch);
  if (!sequence.ok()) {
    // Keep the samples in memory and try again at the next seal.
    open_.Restore(batch);
    if (seal_error_log_.Allow(clock_->NowMonotonicMs())) {
      LogError("outbox", sequence.status().ToString() + " (samples kept in memory)");
    }
    return;
  }
  uploader_->Notify();
}

void Agent::RecordHealth() {
  std::vector<DeviceHealth> health;
  for (const auto& source : sources_) source->AppendHealth(&health);
  const int64_t now_ms = clock_->NowUnixMs();
  Samples samples;
  AppendHealthSamples(health, now_ms, &samples);
  if (mqtt_) {
    AppendMqttHealthSamples(mqtt_->broker(), mqtt_->connected(), mqtt_->counters(), now_ms,
                            &samples);
  }
  open_.Add(samples);
}

void Agent::Shutdown() {
  for (auto& source : sources_) source->Stop();
  seal_timer_.Stop();
  health_timer_.Stop();
  RecordHealth();
  Seal();
  // Destroying the uploader and sources closes their timers; pool work in
  // flight completes and finds them gone.
  uploader_.reset();
  sources_.clear();
  if (mqtt_) mqtt_->Stop();
}

}  // namespace wattline::agent
