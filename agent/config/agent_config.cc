#include "agent/config/agent_config.h"

#include <array>

#include "common/config/config_tree.h"
#include "common/config/option_table.h"
#include "common/log.h"

namespace wattline::agent {
namespace {

constexpr std::array<OptionSpec, 4> kAgentOptions = {{
    {"name", OptionType::kString, "\"\"",
     "Shown in logs only; the aggregator names the agent after its certificate"},
    {"data_dir", OptionType::kString, "/var/lib/wattline-agent",
     "Where the outbox lives; must survive reboots"},
    {"seal_interval", OptionType::kDuration, "5s",
     "How often the open batch is sealed into the outbox: the most a power cut can lose"},
    {"log_level", OptionType::kString, "info", "debug, info, warning or error"},
}};

constexpr std::array<OptionSpec, 7> kUploadOptions = {{
    {"url", OptionType::kString, "https://aggregator.lan:9781",
     "The aggregator's ingest listener", true},
    {"ca", OptionType::kString, "/etc/wattline/agent/ca.pem",
     "CA certificate that signed the aggregator's certificate", true},
    {"cert", OptionType::kString, "/etc/wattline/agent/cert.pem",
     "This agent's certificate; its CN is the agent's name", true},
    {"key", OptionType::kString, "/etc/wattline/agent/key.pem",
     "This agent's private key (keep it mode 0600)", true},
    {"timeout", OptionType::kDuration, "10s", "Connect and I/O timeout of one upload"},
    {"backoff_initial", OptionType::kDuration, "1s", "First retry delay after a failed upload"},
    {"backoff_max", OptionType::kDuration, "5m",
     "Longest retry delay: bounds how stale the server's view gets after it returns"},
}};

constexpr std::array<OptionSpec, 5> kShellyGen2HttpOptions = {{
    {"type", OptionType::kString, "shelly_gen2_http", "Shelly Pro 3EM / 3EM-63 over HTTP RPC"},
    {"device", OptionType::kString, "panel", "The device label of its series", true},
    {"url", OptionType::kString, "http://192.168.1.50", "The meter's address", true},
    {"interval", OptionType::kDuration, "1s", "Poll interval"},
    {"timeout", OptionType::kDuration, "2s", "Per-request timeout; a slow meter skips polls"},
}};

Result<ShellyGen2HttpOptions> ReadShellyGen2Http(const ConfigNode& node) {
  Result<OptionValues> values = ReadOptions(&node, kShellyGen2HttpOptions, "sources[]");
  if (!values.ok()) return values.status();
  ShellyGen2HttpOptions options;
  options.device = values->String("device");
  options.url = values->String("url");
  options.interval_ms = values->DurationMs("interval");
  options.timeout_ms = values->DurationMs("timeout");
  if (options.interval_ms <= 0) return Status::InvalidArgument(node.Where() + ": interval must be > 0");
  if (options.device.empty()) {
    return Status::InvalidArgument(node.Where() + ": device must not be empty");
  }
  return options;
}

Status ReadSources(const ConfigNode* sources, AgentConfig* config) {
  if (sources == nullptr) return Status::Ok();
  if (sources->kind != ConfigNode::Kind::kList) {
    return Status::InvalidArgument(sources->Where() + ": sources must be a list");
  }
  std::vector<std::string> devices;
  for (const ConfigNode& source : sources->items) {
    const ConfigNode* type = source.Find("type");
    if (type == nullptr || type->kind != ConfigNode::Kind::kScalar) {
      return Status::InvalidArgument(source.Where() + ": a source needs a type");
    }
    if (type->scalar != "shelly_gen2_http") {
      return Status::InvalidArgument(type->Where() + ": unknown source type \"" + type->scalar +
                                     "\" (known: shelly_gen2_http)");
    }
    Result<ShellyGen2HttpOptions> options = ReadShellyGen2Http(source);
    if (!options.ok()) return options.status();
    for (const std::string& seen : devices) {
      if (seen == options->device) {
        return Status::InvalidArgument(source.Where() + ": device \"" + seen +
                                       "\" is configured twice");
      }
    }
    devices.push_back(options->device);
    config->shelly_gen2_http.push_back(std::move(*options));
  }
  return Status::Ok();
}

Result<AgentConfig> FromTree(const Result<ConfigNode>& root) {
  if (!root.ok()) return root.status();
  const std::string& source_name = root->source;
  for (const auto& [key, value] : root->entries) {
    if (key != "agent" && key != "upload" && key != "sources") {
      return Status::InvalidArgument(value.Where() + ": unknown section \"" + key + "\"");
    }
  }
  AgentConfig config;
  Result<OptionValues> agent = ReadOptions(root->Find("agent"), kAgentOptions, "agent");
  if (!agent.ok()) return agent.status();
  config.name = agent->String("name");
  config.data_dir = agent->String("data_dir");
  config.seal_interval_ms = agent->DurationMs("seal_interval");
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
  WATTLINE_RETURN_IF_ERROR(ReadSources(root->Find("sources"), &config));
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
  out += "\n# One entry per meter.\nsources:\n  - " +
         RenderOptions(kShellyGen2HttpOptions, 4).substr(4);
  return out;
}

}  // namespace wattline::agent
