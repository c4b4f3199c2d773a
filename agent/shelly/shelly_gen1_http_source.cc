#include "agent/shelly/shelly_gen1_http_source.h"

#include <array>

#include "agent/shelly/shelly_gen1_parser.h"
#include "agent/shelly/shelly_http_source.h"
#include "common/config/option_table.h"

namespace wattline::agent {
namespace {

constexpr std::array<OptionSpec, 7> kOptions = {{
    {"type", OptionType::kString, "shelly_gen1_http",
     "Shelly 3EM or Shelly EM (Gen1) over HTTP (/status)"},
    {"device", OptionType::kString, "panel_gen1", "The device label of its series", true},
    {"url", OptionType::kString, "http://192.168.1.51", "The meter's address", true},
    {"user", OptionType::kString, "admin", "The restricted-login user (Basic auth)"},
    {"password", OptionType::kString, "",
     "The restricted-login password; empty when the login is off"},
    {"interval", OptionType::kDuration, "1s", "Poll interval"},
    {"timeout", OptionType::kDuration, "2s", "Per-request timeout; a slow meter skips polls"},
}};

Result<SourceConfig> Read(const ConfigNode& entry, const SourceConfigContext&) {
  Result<OptionValues> values = ReadOptions(&entry, kOptions, "sources[]");
  if (!values.ok()) return values.status();
  ShellyHttpSourceOptions options;
  options.device = values->String("device");
  options.url = values->String("url");
  options.path = std::string(kShellyGen1StatusPath);
  options.password = values->String("password");
  if (!options.password.empty()) {
    options.auth = HttpAuthKind::kBasic;
    options.username = values->String("user");
    if (options.username.empty()) {
      return Status::InvalidArgument(entry.Where() + ": a password needs a user");
    }
  }
  options.interval_ms = values->DurationMs("interval");
  options.timeout_ms = values->DurationMs("timeout");
  options.max_response_bytes = kMaxShellyGen1DocumentBytes;
  const std::string device = options.device;
  return MakeShellyHttpSourceConfig(entry, options,
                                    [device](std::string_view body, int64_t timestamp_ms,
                                             Samples* out, std::vector<std::string>* invalid) {
                                      return ParseGen1Status(body, device, timestamp_ms, out,
                                                             invalid);
                                    });
}

std::string Reference() { return RenderOptions(kOptions, 4); }

}  // namespace

const SourceType& ShellyGen1HttpSourceType() {
  static const SourceType type{
      "shelly_gen1_http", "Shelly 3EM or Shelly EM (Gen1) over HTTP (/status)", Read, Reference};
  return type;
}

}  // namespace wattline::agent
