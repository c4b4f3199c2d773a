// The agent's configuration: a YAML file whose every option is declared in a
// table (agent_config.cc, agent/mqtt/mqtt_config.cc, and each source type's
// own). The same tables render `wattline-agent --print-config`, the complete
// commented example config, so the two agree.
#ifndef WATTLINE_AGENT_CONFIG_AGENT_CONFIG_H_
#define WATTLINE_AGENT_CONFIG_AGENT_CONFIG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/mqtt/mqtt_options.h"
#include "agent/outbox/outbox_options.h"
#include "agent/sources/source_type.h"
#include "agent/time/time_keeper.h"
#include "agent/upload/backoff.h"
#include "common/log.h"
#include "common/status.h"

namespace wattline::agent {

struct UploadConfig {
  std::string url;  // https://aggregator:9781
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  int64_t timeout_ms = 10'000;
  BackoffOptions backoff;
  int64_t max_request_bytes = 1 << 20;
  int64_t max_bytes_per_second = 0;  // 0: no cap
};

struct AgentConfig {
  std::string name;
  std::string data_dir;
  int64_t seal_interval_ms = 5000;
  int64_t health_interval_ms = 30'000;
  std::string profile_dir;
  LogLevel log_level = LogLevel::kInfo;
  UploadConfig upload;
  OutboxOptions outbox;
  ClockSync clock_sync = ClockSync::kKernel;
  // The one broker the MQTT sources share; nullopt when there is no `mqtt:`.
  std::optional<MqttOptions> mqtt;
  std::vector<SourceConfig> sources;
};

// Reads and checks `path`. Errors name the file, line and column, and the
// option, e.g. "agent.yaml:7:12: upload.timeout: not a valid duration: "1x"".
Result<AgentConfig> LoadAgentConfig(const std::string& path);
Result<AgentConfig> ParseAgentConfig(std::string_view yaml, std::string_view source_name);

// Every option with its default and a one-line reason, as commented YAML.
std::string AgentConfigReference();

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_CONFIG_AGENT_CONFIG_H_
