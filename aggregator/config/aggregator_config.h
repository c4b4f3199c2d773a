// The aggregator's configuration: a YAML file whose every option is declared
// in a table in aggregator_config.cc, which also renders --print-config.
#ifndef WATTLINE_AGGREGATOR_CONFIG_AGGREGATOR_CONFIG_H_
#define WATTLINE_AGGREGATOR_CONFIG_AGGREGATOR_CONFIG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "aggregator/energy/energy_config.h"
#include "aggregator/notify/mqtt_publisher_options.h"
#include "aggregator/storage/storage_options.h"
#include "common/log.h"
#include "common/status.h"

namespace wattline::aggregator {

struct ListenAddress {
  std::string host;
  int port = 0;  // 0: pick a free port (tests)
};

// "host:port" or "[v6]:port". InvalidArgument otherwise.
Result<ListenAddress> ParseListenAddress(std::string_view text);

// Alerting and recording rules (docs/rules.md).
struct RulesConfig {
  std::string files;  // a glob; "" none
  int64_t evaluation_interval_ms = 0;
  int64_t resend_delay_ms = 0;
  int64_t outage_tolerance_ms = 0;
  int64_t for_grace_period_ms = 0;
  std::string external_url;
  std::string alertmanager_url;  // the notify section's; "" none
  std::string webhook_url;       // the notify section's; "" none
  // The notify section's mqtt_* options (the password read from its file);
  // nullopt without mqtt_url.
  std::optional<MqttPublisherOptions> mqtt;
};

struct AggregatorConfig {
  std::string data_dir;
  LogLevel log_level = LogLevel::kInfo;
  ListenAddress ingest_listen;
  std::string pki_dir;  // ca.pem, server.pem, server-key.pem (aggregator/pki/pki.h)
  int64_t max_upload_bytes = 0;
  int64_t max_batch_decompressed_bytes = 0;
  int64_t max_future_ms = 0;
  ListenAddress api_listen;
  // The standard write paths (aggregator/ingest/write_handler.h): "" turns
  // them off; the file must not be readable by group or others.
  std::string write_token_file;
  int64_t max_write_bytes = 0;
  StorageOptions storage;
  RulesConfig rules;
  // Tariffs and carbon intensity, served as series (docs/energy.md).
  EnergyConfig energy;
};

// Reads `path`; an empty path gives every default.
Result<AggregatorConfig> LoadAggregatorConfig(const std::string& path);
Result<AggregatorConfig> ParseAggregatorConfig(std::string_view yaml, std::string_view source);

// Every option with its default and a one-line reason, as commented YAML.
std::string AggregatorConfigReference();

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_CONFIG_AGGREGATOR_CONFIG_H_
