#include "agent/modbus/modbus_source_type.h"

#include <gtest/gtest.h>
#include <uv.h>

#include <fstream>
#include <string>

#include "common/testing/temp_dir.h"

namespace wattline::agent {
namespace {

// Parses `yaml` (a document with a `sources:` list) as agent.yaml and reads
// its first entry with `type`.
Result<SourceConfig> ReadEntry(const SourceType& type, const std::string& yaml,
                               const std::string& profile_dir = "") {
  Result<ConfigNode> root = ParseYamlConfig(yaml, "agent.yaml");
  EXPECT_TRUE(root.ok()) << root.status().ToString();
  const ConfigNode* sources = root->Find("sources");
  EXPECT_NE(sources, nullptr);
  SourceConfigContext context;
  context.profile_dir = profile_dir;
  return type.read(sources->items.at(0), context);
}

void ExpectError(const SourceType& type, const std::string& yaml, const std::string& prefix,
                 const std::string& what, const std::string& profile_dir = "") {
  Result<SourceConfig> config = ReadEntry(type, yaml, profile_dir);
  ASSERT_FALSE(config.ok()) << yaml;
  const std::string message = config.status().message();
  EXPECT_EQ(message.rfind(prefix, 0), 0u) << "wanted " << prefix << ": " << message;
  EXPECT_NE(message.find(what), std::string::npos) << message;
}

constexpr char kTcp[] = R"(sources:
  - type: modbus_tcp
    host: 192.168.1.60
    timeout: 2s
    devices:
      - device: heatpump
        unit: 3
        profile: eastron_sdm630
      - device: pv
        profile: sunspec_meter_203
        interval: 30s
        retries: 0
)";

TEST(ModbusSourceType, ReadsTcpEntryWithDevices) {
  EXPECT_EQ(ModbusTcpSourceType().name, "modbus_tcp");
  EXPECT_EQ(ModbusRtuSourceType().name, "modbus_rtu");
  Result<SourceConfig> config = ReadEntry(ModbusTcpSourceType(), kTcp);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->type, "modbus_tcp");
  EXPECT_EQ(config->where, "agent.yaml:2:5");
  EXPECT_EQ(config->devices, (std::vector<std::string>{"heatpump", "pv"}));
  EXPECT_FALSE(config->needs_mqtt);

  // The factory builds a source (nothing is sent before Start).
  uv_loop_t loop;
  uv_loop_init(&loop);
  SystemClock clock;
  SourceEnv env;
  env.loop = &loop;
  env.clock = &clock;
  env.sink = [](Samples&&) {};
  Result<std::unique_ptr<Source>> source = config->create(env);
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  EXPECT_EQ((*source)->name(), "modbus tcp://192.168.1.60:502");
  std::vector<DeviceHealth> health;
  (*source)->AppendHealth(&health);
  ASSERT_EQ(health.size(), 2u);
  EXPECT_EQ(health[0].device, "heatpump");
  EXPECT_EQ(health[0].polls, 0u);
  source->reset();
  uv_run(&loop, UV_RUN_DEFAULT);
  EXPECT_EQ(uv_loop_close(&loop), 0);
}

TEST(ModbusSourceType, ReadsRtuEntry) {
  Result<SourceConfig> config = ReadEntry(ModbusRtuSourceType(), R"(sources:
  - type: modbus_rtu
    serial_port: /dev/ttyUSB0
    baud: 2400
    parity: E
    stop_bits: 2
    devices:
      - {device: boiler, unit: 2, profile: eastron_sdm120}
      - {device: mains, unit: 1, profile: eastron_sdm630}
)");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->type, "modbus_rtu");
  EXPECT_EQ(config->devices, (std::vector<std::string>{"boiler", "mains"}));
}

TEST(ModbusSourceType, MistakesNameTheLine) {
  const SourceType& tcp = ModbusTcpSourceType();
  const SourceType& rtu = ModbusRtuSourceType();
  ExpectError(tcp, "sources:\n  - type: modbus_tcp\n    devices: [{device: a, profile: x}]\n",
              "agent.yaml:2:", "missing required option sources[].host");
  ExpectError(tcp, "sources:\n  - type: modbus_tcp\n    host: h\n",
              "agent.yaml:2:", "devices must be a non-empty list");
  ExpectError(tcp,
              "sources:\n  - type: modbus_tcp\n    host: h\n    port: 0\n"
              "    devices: [{device: a, profile: eastron_sdm630}]\n",
              "agent.yaml:4:", "port must be 1-65535");
  ExpectError(tcp,
              "sources:\n  - type: modbus_tcp\n    host: h\n    devices:\n"
              "      - {device: a, profile: eastron_sdm630, colour: red}\n",
              "agent.yaml:5:", "unknown option sources[].devices[0].colour");
  ExpectError(tcp,
              "sources:\n  - type: modbus_tcp\n    host: h\n    devices:\n"
              "      - {device: a, profile: eastron_sdm630}\n"
              "      - {device: a, profile: eastron_sdm120}\n",
              "agent.yaml:6:", "appears twice");
  ExpectError(tcp,
              "sources:\n  - type: modbus_tcp\n    host: h\n    devices:\n"
              "      - {device: a, profile: eastron_sdm63}\n",
              "agent.yaml:5:", "no built-in profile of that name");
  ExpectError(tcp,
              "sources:\n  - type: modbus_tcp\n    host: h\n    devices:\n"
              "      - {device: a, profile: eastron_sdm630, interval: 10ms}\n",
              "agent.yaml:5:", "interval must be at least 100ms");
  ExpectError(tcp,
              "sources:\n  - type: modbus_tcp\n    host: h\n    retries: 11\n"
              "    devices: [{device: a, profile: eastron_sdm630}]\n",
              "agent.yaml:4:", "retries must be 0-10");
  ExpectError(rtu,
              "sources:\n  - type: modbus_rtu\n    serial_port: /dev/ttyUSB0\n    devices:\n"
              "      - {device: a, unit: 0, profile: eastron_sdm630}\n",
              "agent.yaml:5:", "unit must be 1-247");
  ExpectError(rtu,
              "sources:\n  - type: modbus_rtu\n    serial_port: /dev/ttyUSB0\n    parity: X\n"
              "    devices: [{device: a, profile: eastron_sdm630}]\n",
              "agent.yaml:4:", "parity must be N, E or O");
  ExpectError(rtu, "sources:\n  - type: modbus_rtu\n    devices: [{device: a, profile: x}]\n",
              "agent.yaml:2:", "missing required option sources[].serial_port");
}

TEST(ModbusSourceType, BrokenUserProfileNamesBothFiles) {
  testing::TempDir dir;
  std::ofstream(dir.File("mine.yaml"))
      << "table: input\nfields:\n  - {name: v, address: 0, type: flaot32}\n";
  Result<SourceConfig> config =
      ReadEntry(ModbusTcpSourceType(),
                "sources:\n  - type: modbus_tcp\n    host: h\n"
                "    devices:\n      - device: a\n        profile: mine\n",
                dir.path());
  ASSERT_FALSE(config.ok());
  const std::string message = config.status().message();
  EXPECT_EQ(
      message.rfind(
          "agent.yaml:6:18: sources[].devices[0].profile: " + dir.File("mine.yaml") + ":3:", 0),
      0u)
      << message;
  EXPECT_NE(message.find("unknown type \"flaot32\""), std::string::npos) << message;
}

TEST(ModbusSourceType, ReferenceIsAValidEntry) {
  for (const SourceType* type : {&ModbusTcpSourceType(), &ModbusRtuSourceType()}) {
    const std::string reference = type->reference();
    EXPECT_NE(reference.find("devices:"), std::string::npos) << reference;
    EXPECT_NE(reference.find("      - device: "), std::string::npos) << reference;
    Result<SourceConfig> config = ReadEntry(*type, "sources:\n  -\n" + reference);
    EXPECT_TRUE(config.ok()) << config.status().ToString() << "\n" << reference;
  }
}

}  // namespace
}  // namespace wattline::agent
