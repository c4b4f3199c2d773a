#include "agent/modbus/modbus_source_type.h"

#include <array>
#include <set>
#include <string>

#include "agent/modbus/builtin_profiles.h"
#include "agent/modbus/modbus_source.h"
#include "common/config/option_table.h"

namespace wattline::agent {
namespace {

using modbus::FindModbusProfile;
using modbus::ModbusDeviceOptions;
using modbus::ModbusProfile;
using modbus::ModbusSource;
using modbus::ModbusSourceOptions;
using modbus::SerialLine;
using modbus::TcpEndpoint;

constexpr std::string_view kIntervalDoc =
    "How often each device is read (a device may override it)";
constexpr std::string_view kTimeoutDoc =
    "How long one request waits for its answer, and a TCP connect (a device may override it)";
constexpr std::string_view kRetriesDoc =
    "Extra attempts of a request after a timeout or a damaged answer (a device may override it)";

constexpr std::array<OptionSpec, 6> kTcpOptions = {{
    {"type", OptionType::kString, "modbus_tcp",
     "Modbus TCP: a meter, or a gateway to an RS485 line, at one address"},
    {"host", OptionType::kString, "192.168.1.60", "The device's or gateway's name or address",
     true},
    {"port", OptionType::kInt, "502", "Modbus TCP port"},
    {"interval", OptionType::kDuration, "10s", kIntervalDoc},
    {"timeout", OptionType::kDuration, "1s", kTimeoutDoc},
    {"retries", OptionType::kInt, "1", kRetriesDoc},
}};

constexpr std::array<OptionSpec, 9> kRtuOptions = {{
    {"type", OptionType::kString, "modbus_rtu",
     "Modbus RTU: the meters on one RS485 line, polled in turn"},
    {"serial_port", OptionType::kString, "/dev/ttyUSB0", "The serial device of the RS485 adapter",
     true},
    {"baud", OptionType::kInt, "9600",
     "Line speed; every meter on the line must use it (SDM120 ships at 2400 or 9600)"},
    {"parity", OptionType::kString, "N", "N, E or O, as set on the meters"},
    {"data_bits", OptionType::kInt, "8", "Data bits per character"},
    {"stop_bits", OptionType::kInt, "1", "1 or 2"},
    {"interval", OptionType::kDuration, "10s", kIntervalDoc},
    {"timeout", OptionType::kDuration, "1s", kTimeoutDoc},
    {"retries", OptionType::kInt, "1", kRetriesDoc},
}};

// Defaults here are the documented ones; at run time a device's defaults are
// its bus entry's values.
constexpr std::array<OptionSpec, 6> kDeviceOptions = {{
    {"device", OptionType::kString, "heatpump", "The device label of its series", true},
    {"unit", OptionType::kInt, "1",
     "Modbus unit (slave) id: 1-247 on RS485; 0-247 or 255 over TCP, as the device answers"},
    {"profile", OptionType::kString, "eastron_sdm630",
     "A built-in profile, PROFILE_DIR/NAME.yaml, or a path to a profile file", true},
    {"interval", OptionType::kDuration, "10s", "Poll interval (default: the bus entry's)"},
    {"timeout", OptionType::kDuration, "1s", "Request timeout (default: the bus entry's)"},
    {"retries", OptionType::kInt, "1", "Extra attempts (default: the bus entry's)"},
}};

constexpr int64_t kMinIntervalMs = 100;
constexpr int64_t kMaxTimeoutMs = 60'000;
constexpr int64_t kMaxRetries = 10;

// `node` without its `devices` key, so the option table sees scalars only.
ConfigNode WithoutDevices(const ConfigNode& node) {
  ConfigNode copy = node;
  copy.entries.clear();
  for (const auto& entry : node.entries) {
    if (entry.first != "devices") copy.entries.push_back(entry);
  }
  return copy;
}

// Where `key` stands in `node`, or where `node` does when the key is absent.
std::string WhereIs(const ConfigNode& node, std::string_view key) {
  const ConfigNode* value = node.Find(key);
  return value != nullptr ? value->Where() : node.Where();
}

Status OutOfRange(const ConfigNode& node, const std::string& path, std::string_view key,
                  std::string_view range) {
  return Status::InvalidArgument(WhereIs(node, key) + ": " + path + std::string(key) + " must be " +
                                 std::string(range));
}

// Checks the interval, timeout and retries read from `node` under `path`.
Status CheckTiming(const ConfigNode& node, const std::string& path, int64_t interval_ms,
                   int64_t timeout_ms, int64_t retries) {
  if (interval_ms < kMinIntervalMs) return OutOfRange(node, path, "interval", "at least 100ms");
  if (timeout_ms < 10 || timeout_ms > kMaxTimeoutMs) {
    return OutOfRange(node, path, "timeout", "10ms-60s");
  }
  if (retries < 0 || retries > kMaxRetries) return OutOfRange(node, path, "retries", "0-10");
  return Status::Ok();
}

Result<SourceConfig> ReadDevices(const ConfigNode& entry, const SourceConfigContext& context,
                                 bool rtu, const OptionValues& bus, ModbusSourceOptions options) {
  const ConfigNode* devices = entry.Find("devices");
  if (devices == nullptr || devices->kind != ConfigNode::Kind::kList || devices->items.empty()) {
    return Status::InvalidArgument((devices != nullptr ? devices->Where() : entry.Where()) +
                                   ": sources[].devices must be a non-empty list of devices");
  }
  // A device's defaults are its bus entry's values.
  const std::string interval = std::to_string(bus.DurationMs("interval")) + "ms";
  const std::string timeout = std::to_string(bus.DurationMs("timeout")) + "ms";
  const std::string retries = std::to_string(bus.Int("retries"));
  std::array<OptionSpec, 6> specs = kDeviceOptions;
  specs[3].default_value = interval;
  specs[4].default_value = timeout;
  specs[5].default_value = retries;

  SourceConfig config;
  std::set<std::string, std::less<>> labels;
  for (size_t i = 0; i < devices->items.size(); ++i) {
    const ConfigNode& item = devices->items[i];
    const std::string section = "sources[].devices[" + std::to_string(i) + "]";
    Result<OptionValues> values = ReadOptions(&item, specs, section);
    if (!values.ok()) return values.status();
    ModbusDeviceOptions device;
    device.device = values->String("device");
    device.interval_ms = values->DurationMs("interval");
    device.timeout_ms = values->DurationMs("timeout");
    const int64_t unit = values->Int("unit");
    const int64_t device_retries = values->Int("retries");
    const std::string path = section + ".";
    if (device.device.empty()) return OutOfRange(item, path, "device", "a non-empty label");
    if (!labels.insert(device.device).second) {
      return Status::InvalidArgument(WhereIs(item, "device") + ": " + path + "device \"" +
                                     device.device + "\" appears twice on this bus");
    }
    // What libmodbus 3.1.6 accepts: 0-247 and 255 over TCP (255 is the
    // "no serial unit behind me" id); on RS485 0 is broadcast, which a read
    // cannot use.
    const bool unit_ok =
        rtu ? (unit >= 1 && unit <= 247) : ((unit >= 0 && unit <= 247) || unit == 255);
    if (!unit_ok) return OutOfRange(item, path, "unit", rtu ? "1-247 on RS485" : "0-247 or 255");
    WATTLINE_RETURN_IF_ERROR(
        CheckTiming(item, path, device.interval_ms, device.timeout_ms, device_retries));
    device.unit = static_cast<int>(unit);
    device.retries = static_cast<int>(device_retries);
    Result<ModbusProfile> profile =
        FindModbusProfile(values->String("profile"), context.profile_dir);
    if (!profile.ok()) {
      return profile.status().WithContext(WhereIs(item, "profile") + ": " + path + "profile");
    }
    device.profile = std::make_shared<const ModbusProfile>(std::move(*profile));
    config.devices.push_back(device.device);
    options.devices.push_back(std::move(device));
  }
  config.type = rtu ? "modbus_rtu" : "modbus_tcp";
  config.where = entry.Where();
  config.create = [options](const SourceEnv& env) -> Result<std::unique_ptr<Source>> {
    auto source = ModbusSource::Create(env.loop, options, env.clock, env.sink);
    if (!source.ok()) return source.status();
    return std::unique_ptr<Source>(std::move(*source));
  };
  return config;
}

Result<SourceConfig> ReadTcp(const ConfigNode& entry, const SourceConfigContext& context) {
  const ConfigNode scalars = WithoutDevices(entry);
  Result<OptionValues> values = ReadOptions(&scalars, kTcpOptions, "sources[]");
  if (!values.ok()) return values.status();
  const int64_t port = values->Int("port");
  if (port < 1 || port > 65535) return OutOfRange(entry, "sources[].", "port", "1-65535");
  if (values->String("host").empty()) return OutOfRange(entry, "sources[].", "host", "non-empty");
  WATTLINE_RETURN_IF_ERROR(CheckTiming(entry, "sources[].", values->DurationMs("interval"),
                                       values->DurationMs("timeout"), values->Int("retries")));
  ModbusSourceOptions options;
  options.tcp = TcpEndpoint{values->String("host"), static_cast<int>(port)};
  return ReadDevices(entry, context, false, *values, std::move(options));
}

Result<SourceConfig> ReadRtu(const ConfigNode& entry, const SourceConfigContext& context) {
  const ConfigNode scalars = WithoutDevices(entry);
  Result<OptionValues> values = ReadOptions(&scalars, kRtuOptions, "sources[]");
  if (!values.ok()) return values.status();
  SerialLine line;
  line.device = values->String("serial_port");
  const int64_t baud = values->Int("baud");
  const std::string& parity = values->String("parity");
  const int64_t data_bits = values->Int("data_bits");
  const int64_t stop_bits = values->Int("stop_bits");
  if (line.device.empty()) return OutOfRange(entry, "sources[].", "serial_port", "non-empty");
  if (baud < 300 || baud > 4'000'000) {
    return OutOfRange(entry, "sources[].", "baud", "300-4000000");
  }
  if (parity != "N" && parity != "E" && parity != "O") {
    return OutOfRange(entry, "sources[].", "parity", "N, E or O");
  }
  if (data_bits < 5 || data_bits > 8) return OutOfRange(entry, "sources[].", "data_bits", "5-8");
  if (stop_bits < 1 || stop_bits > 2) return OutOfRange(entry, "sources[].", "stop_bits", "1 or 2");
  WATTLINE_RETURN_IF_ERROR(CheckTiming(entry, "sources[].", values->DurationMs("interval"),
                                       values->DurationMs("timeout"), values->Int("retries")));
  line.baud = static_cast<int>(baud);
  line.parity = parity[0];
  line.data_bits = static_cast<int>(data_bits);
  line.stop_bits = static_cast<int>(stop_bits);
  ModbusSourceOptions options;
  options.serial = line;
  return ReadDevices(entry, context, true, *values, std::move(options));
}

// The bus options, then one device as a list item under `devices:`.
// `device` names the example device: each type's example has its own, so the
// whole reference parses back as one config.
template <size_t N>
std::string Reference(const std::array<OptionSpec, N>& bus, std::string_view device_name) {
  std::string text = RenderOptions(bus, 4);
  text += "    # The devices on this bus, read in turn (required, at least one)\n";
  text += "    devices:\n";
  // The first option opens the list item: its comment and "- device:" at the
  // list's indent, the rest under it.
  std::string device = RenderOptions(kDeviceOptions, 8);
  device.erase(0, 2);
  const std::string first = "        device:";
  if (size_t at = device.find(first); at != std::string::npos) {
    device.replace(at, first.size(), "      - device:");
  }
  const std::string example = "device: heatpump";
  if (size_t at = device.find(example); at != std::string::npos) {
    device.replace(at, example.size(), "device: " + std::string(device_name));
  }
  return text + device;
}

std::string TcpReference() { return Reference(kTcpOptions, "heatpump"); }
std::string RtuReference() { return Reference(kRtuOptions, "mains"); }

}  // namespace

const SourceType& ModbusTcpSourceType() {
  static const SourceType type{"modbus_tcp",
                               "Modbus TCP meters and gateways, read through device profiles",
                               ReadTcp, TcpReference};
  return type;
}

const SourceType& ModbusRtuSourceType() {
  static const SourceType type{"modbus_rtu",
                               "Modbus RTU meters on one RS485 line, read through device profiles",
                               ReadRtu, RtuReference};
  return type;
}

}  // namespace wattline::agent
