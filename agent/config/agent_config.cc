#include "agent/config/agent_config.h"

#include <array>
#include <map>

#include "agent/mqtt/mqtt_config.h"
#include "common/config/config_tree.h"
#include "common/config/option_table.h"
#include "common/log.h"

namespace wattline::agent {
namespace {

constexpr std::array<OptionSpec, 6> kAgentOptions = {{
    {"name", OptionType::kString, "",
     "Shown in logs only; the aggregator names the agent after its certificate"},
    {"data_dir", OptionType::kString, "/var/lib/wattline-agent",
     "Where the outbox lives; must survive reboots"},
    {"seal_interval", OptionType::kDuration, "5s",
     "How often the open batch is sealed into the outbox: the most a power cut can lose"},
    {"log_level", OptionType::kString, "info", "debug, info, warning or error"},
    {"health_interval", OptionType::kDuration, "30s",
     "How often per-device health (polls, errors, last success) is recorded as series"},
    {"profile_dir", OptionType::kString, "/etc/wattline/profiles",
     "Your own device profiles (NAME.yaml); they take precedence over the built-in ones"},
}};

constexpr std::array<OptionSpec, 9> kUploadOptions = {{
    {"url", OptionType::kString, "https://aggregator.lan:9781", "The aggregator's ingest listener",
     true},
    {"ca", OptionType::kString, "/etc/wattline/agent/ca.pem",
     "CA certificate that signed the aggregator's certificate", true},
    {"cert", OptionType::kString, "/etc/wattline/agent/cert.pem",
     "This agent's certificate; its CN is the agent's name", true},
    {"key", OptionType::kString, "/etc/wattline/agent/key.pem",
     "This agent's private key (keep it mode 0600)", true},
    {"timeout", OptionType::kDuration, "10s", "Connect and I/O timeout of one upload"},
    {"backoff_initial", OptionType::kDuration, "1s", "First retry delay after a failed upload"},
    {"backoff_max", OptionType::kDuration, "15s",
     "Longest retry delay: bounds how stale the server's view gets after it returns"},
    {"max_request_bytes", OptionType::kInt, "262144",
     "Largest upload body; with a backlog, one request carries several batches up to this "
     "(the agent holds about three copies while it sends: keep it small on a Pi)"},
    {"max_bytes_per_second", OptionType::kInt, "0",
     "Bandwidth cap for slow or metered links, in bytes per second; 0 is no cap"},
}};

constexpr std::array<OptionSpec, 4> kOutboxOptions = {{
    {"max_bytes", OptionType::kInt, "268435456",
     "Most the outbox may hold on disk; when over, the oldest batches are dropped and counted"},
    {"max_age", OptionType::kDuration, "30d",
     "Batches older than this are dropped and counted (only while the clock is known)"},
    {"persist", OptionType::kString, "always",
     "always: every seal is written to disk; unacked: only what the aggregator has not "
     "acknowledged within persist_delay (fewer SD-card writes; a power cut can lose more)"},
    {"persist_delay", OptionType::kDuration, "10s",
     "With persist: unacked, how long a sealed batch may wait in memory for its ack"},
}};

constexpr std::array<OptionSpec, 1> kClockOptions = {{
    {"sync", OptionType::kString, "kernel",
     "Who says the wall clock is right: kernel (NTP has synchronised it), system (always: "
     "a machine with a real-time clock) or aggregator (never: use the aggregator's time)"},
}};

std::string KnownTypes() {
  std::string known;
  for (const SourceType* type : SourceTypes()) {
    known += (known.empty() ? "" : ", ") + std::string(type->name);
  }
  return known;
}

const SourceType* FindType(std::string_view name) {
  for (const SourceType* type : SourceTypes()) {
    if (type->name == name) return type;
  }
  return nullptr;
}

Status ReadSources(const ConfigNode* sources, const SourceConfigContext& context,
                   AgentConfig* config) {
  if (sources == nullptr) return Status::Ok();
  if (sources->kind != ConfigNode::Kind::kList) {
    return Status::InvalidArgument(sources->Where() + ": sources must be a list");
  }
  std::map<std::string, std::string> device_where;
  for (const ConfigNode& entry : sources->items) {
    const ConfigNode* type_node = entry.Find("type");
    if (type_node == nullptr || type_node->kind != ConfigNode::Kind::kScalar) {
      return Status::InvalidArgument(entry.Where() + ": a source needs a type");
    }
    const SourceType* type = FindType(type_node->scalar);
    if (type == nullptr) {
      return Status::InvalidArgument(type_node->Where() + ": unknown source type \"" +
                                     type_node->scalar + "\" (known: " + KnownTypes() + ")");
    }
    Result<SourceConfig> source = type->read(entry, context);
    if (!source.ok()) return source.status();
    source->type = std::string(type->name);
    source->where = entry.Where();
    for (const std::string& device : source->devices) {
      auto [it, inserted] = device_where.emplace(device, entry.Where());
      if (!inserted) {
        return Status::InvalidArgument(entry.Where() + ": device \"" + device +
                                       "\" is already configured at " + it->second);
      }
    }
    config->sources.push_back(std::move(*source));
  }
  return Status::Ok();
}

Status ReadOutboxAndClock(const ConfigNode& root, AgentConfig* config) {
  Result<OptionValues> outbox = ReadOptions(root.Find("outbox"), kOutboxOptions, "outbox");
  if (!outbox.ok()) return outbox.status();
  config->outbox.max_bytes = outbox->Int("max_bytes");
  config->outbox.max_age_ms = outbox->DurationMs("max_age");
  config->outbox.persist_delay_ms = outbox->DurationMs("persist_delay");
  const std::string persist = outbox->String("persist");
  if (persist == "always") {
    config->outbox.persist = OutboxOptions::Persist::kAlways;
  } else if (persist == "unacked") {
    config->outbox.persist = OutboxOptions::Persist::kUnacked;
  } else {
    return Status::InvalidArgument(root.source +
                                   ": outbox.persist must be always or unacked, "
                                   "not \"" +
                                   persist + "\"");
  }
  if (config->outbox.max_bytes < (1 << 20) || config->outbox.max_age_ms <= 0 ||
      config->outbox.persist_delay_ms <= 0) {
    return Status::InvalidArgument(root.source +
                                   ": outbox.max_bytes must be >= 1 MiB, "
                                   "max_age and persist_delay > 0");
  }
  Result<OptionValues> clock = ReadOptions(root.Find("clock"), kClockOptions, "clock");
  if (!clock.ok()) return clock.status();
  Result<ClockSync> sync = ParseClockSync(clock->String("sync"));
  if (!sync.ok()) return sync.status().WithContext(root.source);
  config->clock_sync = *sync;
  return Status::Ok();
}

Result<AgentConfig> FromTree(const Result<ConfigNode>& root) {
  if (!root.ok()) return root.status();
  const std::string& source_name = root->source;
  for (const auto& [key, value] : root->entries) {
    if (key != "agent" && key != "upload" && key != "outbox" && key != "clock" && key != "mqtt" &&
        key != "sources") {
      return Status::InvalidArgument(value.Where() + ": unknown section \"" + key + "\"");
    }
  }
  AgentConfig config;
  Result<OptionValues> agent = ReadOptions(root->Find("agent"), kAgentOptions, "agent");
  if (!agent.ok()) return agent.status();
  config.name = agent->String("name");
  config.data_dir = agent->String("data_dir");
  config.seal_interval_ms = agent->DurationMs("seal_interval");
  config.health_interval_ms = agent->DurationMs("health_interval");
  config.profile_dir = agent->String("profile_dir");
  if (config.health_interval_ms < 1000) {
    return Status::InvalidArgument(source_name + ": agent.health_interval must be >= 1s");
  }
  if (config.seal_interval_ms < 100) {
    return Status::InvalidArgument(source_name + ": agent.seal_interval must be >= 100ms");
  }
  Result<LogLevel> log_level = ParseLogLevel(agent->String("log_level"));
  if (!log_level.ok()) return log_level.status().WithContext(source_name + ": agent.log_level");
  config.log_level = *log_level;
  const ConfigNode* upload_node = root->Find("upload");
  if (upload_node == nullptr) {
    return Status::InvalidArgument(source_name + ": missing section upload");
  }
  Result<OptionValues> upload = ReadOptions(upload_node, kUploadOptions, "upload");
  if (!upload.ok()) return upload.status();
  config.upload.url = upload->String("url");
  config.upload.ca_file = upload->String("ca");
  config.upload.cert_file = upload->String("cert");
  config.upload.key_file = upload->String("key");
  config.upload.timeout_ms = upload->DurationMs("timeout");
  config.upload.backoff.initial_ms = upload->DurationMs("backoff_initial");
  config.upload.backoff.max_ms = upload->DurationMs("backoff_max");
  if (config.upload.url.rfind("https://", 0) != 0) {
    return Status::InvalidArgument(upload_node->Where() +
                                   ": upload.url must be https:// (agents authenticate with TLS)");
  }
  if (config.upload.backoff.initial_ms <= 0 ||
      config.upload.backoff.max_ms < config.upload.backoff.initial_ms) {
    return Status::InvalidArgument(upload_node->Where() +
                                   ": upload.backoff_max must be >= backoff_initial > 0");
  }
  config.upload.max_request_bytes = upload->Int("max_request_bytes");
  config.upload.max_bytes_per_second = upload->Int("max_bytes_per_second");
  if (config.upload.max_request_bytes < 1024 || config.upload.max_bytes_per_second < 0) {
    return Status::InvalidArgument(upload_node->Where() +
                                   ": upload.max_request_bytes must be >= 1024 and "
                                   "max_bytes_per_second >= 0");
  }
  WATTLINE_RETURN_IF_ERROR(ReadOutboxAndClock(*root, &config));
  Result<std::optional<MqttOptions>> mqtt = ReadMqttConfig(root->Find("mqtt"));
  if (!mqtt.ok()) return mqtt.status();
  config.mqtt = std::move(*mqtt);
  SourceConfigContext context;
  context.profile_dir = config.profile_dir;
  WATTLINE_RETURN_IF_ERROR(ReadSources(root->Find("sources"), context, &config));
  if (!config.mqtt) {
    for (const SourceConfig& source : config.sources) {
      if (source.needs_mqtt) {
        return Status::InvalidArgument(source.where + ": a " + source.type +
                                       " source needs a broker: add an `mqtt:` section");
      }
    }
  }
  return config;
}

}  // namespace

Result<AgentConfig> ParseAgentConfig(std::string_view yaml, std::string_view source_name) {
  return FromTree(ParseYamlConfig(yaml, source_name));
}

Result<AgentConfig> LoadAgentConfig(const std::string& path) {
  return FromTree(LoadYamlConfigFile(path));
}

std::string AgentConfigReference() {
  std::string out = "# wattline-agent configuration: every option, its default and why.\n\n";
  out += "agent:\n" + RenderOptions(kAgentOptions, 2);
  out += "\nupload:\n" + RenderOptions(kUploadOptions, 2);
  out += "\noutbox:\n" + RenderOptions(kOutboxOptions, 2);
  out += "\nclock:\n" + RenderOptions(kClockOptions, 2);
  out += "\n" + MqttConfigReference();
  out += "\n# One entry per meter, bus or topic tree. The types:\nsources:\n";
  for (const SourceType* type : SourceTypes()) {
    out += "\n  # " + std::string(type->name) + ": " + std::string(type->summary) + "\n  - " +
           type->reference().substr(4);
  }
  return out;
}

}  // namespace wattline::agent
