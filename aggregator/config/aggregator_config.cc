#include "aggregator/config/aggregator_config.h"

#include <algorithm>
#include <array>
#include <charconv>

#include "common/config/config_tree.h"
#include "common/config/option_table.h"
#include "common/mqtt/mqtt_password_file.h"

namespace wattline::aggregator {
namespace {

constexpr std::array<OptionSpec, 2> kTopOptions = {{
    {"data_dir", OptionType::kString, "/var/lib/wattline-aggregator",
     "Where the series are stored; --data-dir overrides it"},
    {"log_level", OptionType::kString, "info", "debug, info, warning or error"},
}};

constexpr std::array<OptionSpec, 5> kIngestOptions = {{
    {"listen", OptionType::kString, "0.0.0.0:9781",
     "The agents' mutual-TLS listener; agents reach it over the LAN"},
    {"pki_dir", OptionType::kString, "/etc/wattline/pki",
     "Made by `wattline-aggregator pki init`: server certificate and the CA agents are checked "
     "against"},
    {"max_upload_bytes", OptionType::kInt, "4194304",
     "Largest upload body accepted (413 beyond, checked before reading the body)"},
    {"max_batch_decompressed_bytes", OptionType::kInt, "67108864",
     "Largest decompressed batch in an upload (refused beyond): guards against zstd bombs"},
    {"max_future", OptionType::kDuration, "10m",
     "Samples further ahead of this server's clock are refused: a clock that wrong would "
     "hide them"},
}};

constexpr std::array<OptionSpec, 3> kApiOptions = {{
    {"listen", OptionType::kString, "127.0.0.1:9780",
     "The query API (Prometheus-compatible) for Grafana; loopback unless a proxy adds auth"},
    {"write_token_file", OptionType::kString, "",
     "File holding the bearer token of /api/v1/write and /api/v1/import/prometheus (mode 0600); "
     "empty: those paths answer 403"},
    {"max_write_bytes", OptionType::kInt, "33554432",
     "Largest write request body, and largest remote write body once uncompressed (413 beyond)"},
}};

constexpr std::array<OptionSpec, 9> kStorageOptions = {{
    {"raw_retention", OptionType::kDuration, "35d",
     "How long raw samples are kept (0: for ever); rollups answer for longer ranges"},
    {"minute_rollup_retention", OptionType::kDuration, "400d",
     "How long per-minute rollups are kept (0: for ever): a year of detailed panels"},
    {"hour_rollup_retention", OptionType::kDuration, "20y",
     "How long hourly rollups are kept (0: for ever): a meter's lifetime of energy"},
    {"flush_grace", OptionType::kDuration, "1m",
     "How late samples may arrive for a window before it is cut into a chunk; later ones "
     "are merged into it, at the cost of rewriting it"},
    {"flush_quiet", OptionType::kDuration, "10s",
     "A closed window is cut once nothing arrived for it this long, so a backlog is written "
     "once, not per upload"},
    {"flush_interval", OptionType::kDuration, "1s", "How often windows are looked at for cutting"},
    {"head_pressure_samples", OptionType::kInt, "8000000",
     "Above this many samples in memory every window is cut, open or not (16 bytes each)"},
    {"head_limit_samples", OptionType::kInt, "32000000",
     "Above this many samples in memory writes are refused (503) until cutting catches up"},
    {"read_cache_mb", OptionType::kInt, "64",
     "Memory for decoded chunks and rollups that repeated queries (a dashboard's "
     "refreshes) read again; 0 keeps none"},
}};

constexpr std::array<OptionSpec, 6> kRulesOptions = {{
    {"files", OptionType::kString, "",
     "Prometheus rule files (docs/rules.md), a glob such as /etc/wattline/rules/*.yml; "
     "empty: no rules"},
    {"evaluation_interval", OptionType::kDuration, "1m",
     "How often a group without its own interval is evaluated"},
    {"resend_delay", OptionType::kDuration, "1m",
     "A firing alert is notified again this often, so a receiver that missed it hears it"},
    {"outage_tolerance", OptionType::kDuration, "1h",
     "After a longer stop, pending alerts start their `for` over"},
    {"for_grace_period", OptionType::kDuration, "10m",
     "After a start, a restored pending alert fires no sooner than this: its condition is "
     "seen holding first"},
    {"external_url", OptionType::kString, "",
     "This aggregator's address as people reach it, for templates and alert links"},
}};

constexpr std::array<OptionSpec, 9> kNotifyOptions = {{
    {"alertmanager_url", OptionType::kString, "",
     "Alertmanager to send alerts to (http://host:9093, a path prefix allowed); empty: none. "
     "Undelivered alerts wait in data_dir/notifications.db"},
    {"webhook_url", OptionType::kString, "",
     "A URL to POST alerts to as JSON in Alertmanager's webhook shape (docs/rules.md); "
     "empty: none"},
    {"mqtt_url", OptionType::kString, "",
     "An MQTT broker to publish alerts to, retained, QoS 1: mqtt://host:1883 or "
     "mqtts://host:8883 (docs/rules.md); empty: none"},
    {"mqtt_topic_prefix", OptionType::kString, "wattline",
     "Alerts go to <prefix>/alerts/<alertname>/<id>, availability to <prefix>/status"},
    {"mqtt_discovery_prefix", OptionType::kString, "homeassistant",
     "Home Assistant's MQTT discovery prefix: each alert appears as a binary_sensor; "
     "empty: no discovery config"},
    {"mqtt_client_id", OptionType::kString, "",
     "Empty: wattline-<hostname>-<random>; set it if the broker's ACL names clients"},
    {"mqtt_username", OptionType::kString, "", "Empty: connect without credentials"},
    {"mqtt_password_file", OptionType::kString, "",
     "File whose first line is the password (never the password itself here); refused if "
     "every user may read it; needs mqtt_username"},
    {"mqtt_ca_file", OptionType::kString, "",
     "With mqtts: the CA that signed the broker's certificate; empty: the system's CAs"},
}};

// The energy section is lists of periods and windows, which an option table
// cannot hold: energy_config.cc reads it, and this is its reference.
constexpr char kEnergyReference[] = R"(
# Tariffs and grid carbon intensity, served as series so cost and CO2 are
# PromQL joins (docs/energy.md). Absent: no such series.
# energy:
#   # Local time of the dates and windows below; empty: the system's zone.
#   timezone: ""
#   tariffs:
#     home:                              # the series' tariff="home"
#       - from: 2026-01-01               # a local date; the first may omit it
#         import_per_kwh: 0.245          # price of energy taken from the grid
#         export_per_kwh: 0.15           # paid for energy fed in; 0 when left out
#         standing_charge_per_day: 0.53  # 0 when left out
#         windows:                       # time of use: the first match wins
#           - {months: oct-mar, days: mon-fri, hours: "16:00-19:00", import_per_kwh: 0.38}
#           - {hours: "00:30-07:30", import_per_kwh: 0.09}
#   carbon:
#     grid:                              # the series' zone="grid"
#       grams_per_kwh: 180               # a constant; windows make a schedule
#       windows: [{hours: "00:00-06:00", grams_per_kwh: 120}]
)";

// The notify section's mqtt_* options; nullopt without mqtt_url.
Result<std::optional<MqttPublisherOptions>> ReadMqttNotify(const OptionValues& notify) {
  const std::string& url = notify.String("mqtt_url");
  if (url.empty()) return std::optional<MqttPublisherOptions>();
  MqttPublisherOptions mqtt;
  WATTLINE_RETURN_IF_ERROR(ParseMqttUrl(url, &mqtt.broker).WithContext("notify.mqtt_url"));
  mqtt.topic_prefix = notify.String("mqtt_topic_prefix");
  mqtt.discovery_prefix = notify.String("mqtt_discovery_prefix");
  mqtt.broker.client_id = notify.String("mqtt_client_id");
  mqtt.broker.username = notify.String("mqtt_username");
  const std::string& password_file = notify.String("mqtt_password_file");
  if (!password_file.empty()) {
    if (mqtt.broker.username.empty()) {
      return Status::InvalidArgument("notify.mqtt_password_file needs notify.mqtt_username");
    }
    Result<std::string> password = ReadMqttPasswordFile(password_file);
    if (!password.ok()) return password.status().WithContext("notify.mqtt_password_file");
    mqtt.broker.password = std::move(*password);
  }
  mqtt.broker.ca_file = notify.String("mqtt_ca_file");
  if (!mqtt.broker.ca_file.empty() && !mqtt.broker.tls) {
    return Status::InvalidArgument("notify.mqtt_ca_file needs an mqtts:// notify.mqtt_url");
  }
  WATTLINE_RETURN_IF_ERROR(CheckMqttPublisherOptions(mqtt).WithContext("notify"));
  return std::optional<MqttPublisherOptions>(std::move(mqtt));
}

Result<AggregatorConfig> FromTree(const Result<ConfigNode>& root) {
  if (!root.ok()) return root.status();
  constexpr std::array<std::string_view, 6> kSections = {"ingest", "api",    "storage",
                                                         "rules",  "notify", "energy"};
  const auto is_section = [&](std::string_view key) {
    return std::find(kSections.begin(), kSections.end(), key) != kSections.end();
  };
  for (const auto& [key, value] : root->entries) {
    bool known = is_section(key);
    for (const OptionSpec& spec : kTopOptions) known = known || spec.key == key;
    if (!known) return Status::InvalidArgument(value.Where() + ": unknown option \"" + key + "\"");
  }
  // Top-level scalars share the root map with the sections; read them alone.
  ConfigNode top = *root;
  std::erase_if(top.entries, [&](const auto& entry) { return is_section(entry.first); });
  Result<OptionValues> values = ReadOptions(&top, kTopOptions, "");
  if (!values.ok()) return values.status();
  Result<OptionValues> ingest = ReadOptions(root->Find("ingest"), kIngestOptions, "ingest");
  if (!ingest.ok()) return ingest.status();
  Result<OptionValues> api = ReadOptions(root->Find("api"), kApiOptions, "api");
  if (!api.ok()) return api.status();
  Result<OptionValues> storage = ReadOptions(root->Find("storage"), kStorageOptions, "storage");
  if (!storage.ok()) return storage.status();
  Result<OptionValues> rules = ReadOptions(root->Find("rules"), kRulesOptions, "rules");
  if (!rules.ok()) return rules.status();
  Result<OptionValues> notify = ReadOptions(root->Find("notify"), kNotifyOptions, "notify");
  if (!notify.ok()) return notify.status();

  Result<EnergyConfig> energy = ReadEnergyConfig(root->Find("energy"));
  if (!energy.ok()) return energy.status();

  AggregatorConfig config;
  config.energy = std::move(*energy);
  config.data_dir = values->String("data_dir");
  Result<LogLevel> log_level = ParseLogLevel(values->String("log_level"));
  if (!log_level.ok()) return log_level.status().WithContext(root->source + ": log_level");
  config.log_level = *log_level;
  config.pki_dir = ingest->String("pki_dir");
  config.max_upload_bytes = ingest->Int("max_upload_bytes");
  config.max_batch_decompressed_bytes = ingest->Int("max_batch_decompressed_bytes");
  if (config.max_upload_bytes <= 0 || config.max_batch_decompressed_bytes <= 0) {
    return Status::InvalidArgument(root->source + ": ingest size limits must be > 0");
  }
  config.max_future_ms = ingest->DurationMs("max_future");
  Result<ListenAddress> ingest_listen = ParseListenAddress(ingest->String("listen"));
  if (!ingest_listen.ok()) return ingest_listen.status().WithContext(root->source + ": ingest.listen");
  config.ingest_listen = *ingest_listen;
  Result<ListenAddress> api_listen = ParseListenAddress(api->String("listen"));
  if (!api_listen.ok()) return api_listen.status().WithContext(root->source + ": api.listen");
  config.api_listen = *api_listen;
  config.write_token_file = api->String("write_token_file");
  config.max_write_bytes = api->Int("max_write_bytes");
  if (config.max_write_bytes <= 0) {
    return Status::InvalidArgument(root->source + ": api.max_write_bytes must be > 0");
  }
  StorageOptions& engine = config.storage;
  engine.raw_retention_ms = storage->DurationMs("raw_retention");
  engine.minute_retention_ms = storage->DurationMs("minute_rollup_retention");
  engine.hour_retention_ms = storage->DurationMs("hour_rollup_retention");
  engine.flush_grace_ms = storage->DurationMs("flush_grace");
  engine.flush_quiet_ms = storage->DurationMs("flush_quiet");
  engine.flush_interval_ms = std::max<int64_t>(1, storage->DurationMs("flush_interval"));
  const int64_t pressure = storage->Int("head_pressure_samples");
  const int64_t limit = storage->Int("head_limit_samples");
  if (pressure <= 0 || limit < pressure) {
    return Status::InvalidArgument(root->source +
                                   ": storage.head_limit_samples must be >= "
                                   "storage.head_pressure_samples > 0");
  }
  const int64_t read_cache_mb = storage->Int("read_cache_mb");
  if (read_cache_mb < 0 || read_cache_mb > (int64_t{1} << 20)) {
    return Status::InvalidArgument(root->source +
                                   ": storage.read_cache_mb must be between 0 and 1048576");
  }
  engine.read_cache_bytes = static_cast<size_t>(read_cache_mb) << 20;
  engine.head_pressure_samples = static_cast<size_t>(pressure);
  engine.head_limit_samples = static_cast<size_t>(limit);
  config.rules.files = rules->String("files");
  config.rules.evaluation_interval_ms = rules->DurationMs("evaluation_interval");
  config.rules.resend_delay_ms = rules->DurationMs("resend_delay");
  config.rules.outage_tolerance_ms = rules->DurationMs("outage_tolerance");
  config.rules.for_grace_period_ms = rules->DurationMs("for_grace_period");
  config.rules.external_url = rules->String("external_url");
  config.rules.alertmanager_url = notify->String("alertmanager_url");
  config.rules.webhook_url = notify->String("webhook_url");
  Result<std::optional<MqttPublisherOptions>> mqtt = ReadMqttNotify(*notify);
  if (!mqtt.ok()) return mqtt.status().WithContext(root->source);
  config.rules.mqtt = std::move(*mqtt);
  if (config.rules.evaluation_interval_ms <= 0 || config.rules.resend_delay_ms <= 0) {
    return Status::InvalidArgument(
        root->source + ": rules.evaluation_interval and rules.resend_delay must be > 0");
  }
  return config;
}

}  // namespace

Result<ListenAddress> ParseListenAddress(std::string_view text) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return Status::InvalidArgument("expected host:port, got \"" + std::string(text) + "\"");
  }
  std::string_view host = text.substr(0, colon);
  std::string_view port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  int port = -1;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port < 0 ||
      port > 65535) {
    return Status::InvalidArgument("bad port in \"" + std::string(text) + "\"");
  }
  return ListenAddress{std::string(host), port};
}

Result<AggregatorConfig> ParseAggregatorConfig(std::string_view yaml, std::string_view source) {
  return FromTree(ParseYamlConfig(yaml, source));
}

Result<AggregatorConfig> LoadAggregatorConfig(const std::string& path) {
  if (path.empty()) return ParseAggregatorConfig("", "defaults");
  return FromTree(LoadYamlConfigFile(path));
}

std::string AggregatorConfigReference() {
  std::string out = "# wattline-aggregator configuration: every option, its default and why.\n\n";
  out += RenderOptions(kTopOptions, 0);
  out += "\ningest:\n" + RenderOptions(kIngestOptions, 2);
  out += "\napi:\n" + RenderOptions(kApiOptions, 2);
  out += "\nstorage:\n" + RenderOptions(kStorageOptions, 2);
  out += "\nrules:\n" + RenderOptions(kRulesOptions, 2);
  out += "\nnotify:\n" + RenderOptions(kNotifyOptions, 2);
  out += kEnergyReference;
  return out;
}

}  // namespace wattline::aggregator
