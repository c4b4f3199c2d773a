#include "agent/shelly/shelly_gen2_http_source.h"

#include <array>

#include "agent/shelly/shelly_emdata_backfill.h"
#include "agent/shelly/shelly_gen2_parser.h"
#include "agent/shelly/shelly_http_source.h"
#include "common/config/option_table.h"

namespace wattline::agent {
namespace {

constexpr std::array<OptionSpec, 7> kOptions = {{
    {"type", OptionType::kString, "shelly_gen2_http",
     "Shelly Gen2/3/4 meter or metering switch over HTTP RPC (Shelly.GetStatus)"},
    {"device", OptionType::kString, "panel", "The device label of its series", true},
    {"url", OptionType::kString, "http://192.168.1.50", "The device's address", true},
    {"password", OptionType::kString, "",
     "The device's password (user admin, digest auth); empty when authentication is off"},
    {"interval", OptionType::kDuration, "1s", "Poll interval"},
    {"timeout", OptionType::kDuration, "2s", "Per-request timeout; a slow device skips polls"},
    {"backfill_max", OptionType::kDuration, "7d",
     "Energy meters (Pro 3EM, Pro EM, EM Gen3): after an agent outage, ship the meter's "
     "recorded intervals up to this far back; 0 turns it off"},
}};

Result<SourceConfig> Read(const ConfigNode& entry, const SourceConfigContext&) {
  Result<OptionValues> values = ReadOptions(&entry, kOptions, "sources[]");
  if (!values.ok()) return values.status();
  ShellyHttpSourceOptions options;
  options.device = values->String("device");
  options.url = values->String("url");
  options.path = std::string(kShellyGen2StatusPath);
  options.password = values->String("password");
  if (!options.password.empty()) {
    options.auth = HttpAuthKind::kDigest;
    options.username = "admin";  // Gen2+ knows no other user (DEVICES.md B.1)
  }
  options.interval_ms = values->DurationMs("interval");
  options.timeout_ms = values->DurationMs("timeout");
  options.max_response_bytes = kMaxShellyDocumentBytes;
  const std::string device = options.device;
  Result<SourceConfig> config = MakeShellyHttpSourceConfig(
      entry, options,
      [device](std::string_view body, int64_t timestamp_ms, Samples* out,
               std::vector<std::string>* faulty) {
        return ParseShellyStatus(body, device, timestamp_ms, out, faulty);
      });
  // A meter's recorded history after an agent outage: shelly_emdata_backfill.h.
  if (!config.ok()) return config;
  const int64_t backfill_max_ms = values->DurationMs("backfill_max");
  if (backfill_max_ms < 0) {
    return Status::InvalidArgument(entry.Where() + ": backfill_max must be >= 0");
  }
  return WithEmDataBackfill(std::move(*config), options, backfill_max_ms);
}

std::string Reference() { return RenderOptions(kOptions, 4); }

}  // namespace

const SourceType& ShellyGen2HttpSourceType() {
  static const SourceType type{
      "shelly_gen2_http",
      "Shelly Gen2/3/4 meters and metering switches (Pro 3EM, Pro EM, Plus 1PM, Plug S...) over "
      "HTTP RPC",
      Read, Reference};
  return type;
}

}  // namespace wattline::agent
