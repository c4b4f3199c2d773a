#include "agent/modbus/modbus_profile.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "common/testing/temp_dir.h"

namespace wattline::agent::modbus {
namespace {

constexpr char kMinimal[] = R"(description: test meter
table: input
type: float32
fields:
  - {name: voltage_volts, labels: {phase: a}, address: 30001, unit: V}
  - name: energy_imported_watt_hours_total
    address: 0x48
    scale: 1000
)";

void WriteFile(const std::string& path, std::string_view text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

Result<ModbusProfile> Parse(std::string_view yaml) {
  return ParseModbusProfile(yaml, "meter.yaml", "meter");
}

// The profile's error, which must name meter.yaml at `line`, and contain `what`.
void ExpectError(std::string_view yaml, int line, std::string_view what) {
  Result<ModbusProfile> profile = Parse(yaml);
  ASSERT_FALSE(profile.ok()) << "accepted:\n" << yaml;
  EXPECT_EQ(profile.status().code(), Status::Code::kInvalidArgument);
  const std::string message = profile.status().message();
  EXPECT_EQ(message.rfind("meter.yaml:" + std::to_string(line) + ":", 0), 0u)
      << "wanted line " << line << ": " << message;
  EXPECT_NE(message.find(what), std::string::npos) << message;
}

TEST(ModbusProfile, ParsesFieldsWithDefaultsAndNotation) {
  Result<ModbusProfile> profile = Parse(kMinimal);
  ASSERT_TRUE(profile.ok()) << profile.status().ToString();
  EXPECT_EQ(profile->name, "meter");
  EXPECT_EQ(profile->description, "test meter");
  ASSERT_EQ(profile->fields.size(), 2u);
  const ProfileField& voltage = profile->fields[0];
  EXPECT_EQ(voltage.name, "voltage_volts");
  EXPECT_EQ(voltage.table, RegisterTable::kInputRegister);
  EXPECT_EQ(voltage.address, 0);
  EXPECT_EQ(voltage.type, ValueType::kFloat32);
  EXPECT_EQ(voltage.order, WordOrder::kABCD);
  EXPECT_EQ(voltage.labels, (Labels{{"phase", "a"}}));
  EXPECT_EQ(voltage.unit, "V");
  EXPECT_EQ(voltage.where, "meter.yaml:5:5");
  const ProfileField& energy = profile->fields[1];
  EXPECT_EQ(energy.address, 72);
  EXPECT_EQ(energy.scale, 1000);
  EXPECT_EQ(energy.where, "meter.yaml:6:5");
  EXPECT_EQ(profile->limits.max_registers, 125);
  EXPECT_FALSE(profile->limits.even_alignment);
  EXPECT_FALSE(profile->sunspec);
}

TEST(ModbusProfile, ReadsEveryKey) {
  Result<ModbusProfile> profile = Parse(R"(order: CDAB
max_registers_per_read: 80
even_alignment: true
max_gap: 4
fields:
  - name: x
    labels: {phase: b, circuit: heat_pump}
    table: holding
    address: 7
    type: int32
    order: DCBA
    scale: -0.5e-1
    offset: 273.15
    invalid: [0xFFFFFFFF, 0]
  - {name: y, address: 40011, type: uint16}
  - {name: relay_on, address: 00005, type: bool}
  - {name: alarm, table: discrete_input, address: 3, type: bool}
)");
  ASSERT_TRUE(profile.ok()) << profile.status().ToString();
  EXPECT_EQ(profile->limits.max_registers, 80);
  EXPECT_TRUE(profile->limits.even_alignment);
  EXPECT_EQ(profile->limits.max_gap, 4);
  const ProfileField& x = profile->fields[0];
  EXPECT_EQ(x.table, RegisterTable::kHoldingRegister);
  EXPECT_EQ(x.type, ValueType::kInt32);
  EXPECT_EQ(x.order, WordOrder::kDCBA);
  EXPECT_EQ(x.scale, -0.05);
  EXPECT_EQ(x.offset, 273.15);
  EXPECT_EQ(x.invalid, (std::vector<uint64_t>{0xFFFFFFFF, 0}));
  EXPECT_EQ(x.labels, (Labels{{"circuit", "heat_pump"}, {"phase", "b"}}));
  EXPECT_EQ(profile->fields[1].order, WordOrder::kCDAB);  // the profile's default
  EXPECT_EQ(profile->fields[1].table, RegisterTable::kHoldingRegister);
  EXPECT_EQ(profile->fields[1].address, 10);
  EXPECT_EQ(profile->fields[2].table, RegisterTable::kCoil);
  EXPECT_EQ(profile->fields[2].address, 4);
  EXPECT_EQ(profile->fields[3].table, RegisterTable::kDiscreteInput);
}

TEST(ModbusProfile, ReadsSunSpec) {
  Result<ModbusProfile> profile = Parse(R"(sunspec: {model: 203}
type: int16
fields:
  - {name: current_amperes, address: 2, sunssf: 6}
)");
  ASSERT_TRUE(profile.ok()) << profile.status().ToString();
  ASSERT_TRUE(profile->sunspec);
  EXPECT_EQ(profile->sunspec->model, 203);
  EXPECT_EQ(profile->sunspec->bases, (std::vector<uint16_t>{40000, 50000, 0}));
  EXPECT_EQ(profile->fields[0].table, RegisterTable::kHoldingRegister);
  EXPECT_EQ(profile->fields[0].sunssf, 6);
}

TEST(ModbusProfile, MistakesNameFileAndLine) {
  struct Case {
    const char* yaml;
    int line;
    const char* what;
  };
  const Case cases[] = {
      {"fields:\n  - {name: v, address: 30001, type: flaot32}\n", 2, "unknown type \"flaot32\""},
      {"fields:\n  - {name: v, address: 30001, order: ABDC}\n", 2, "unknown word order"},
      {"fields:\n  - {name: v, address: 1, table: inputs}\n", 2, "unknown table"},
      {"fields:\n  - {name: v, address: 7}\n", 2, "fields[0].table: missing"},
      {"fields:\n  - {name: v, address: 30001}\n  - {name: w, address: 30002}\n", 3,
       "overlap those of fields[0]"},
      {"fields:\n  - {name: v, address: 30001}\n  - {name: v, address: 30003}\n", 3,
       "already made by another field"},
      {"fields:\n  - {name: v, address: 30001, table: holding}\n", 2,
       "address 30001 is in the input table"},
      {"fields:\n  - {name: v, address: 40000}\n", 2, "not a valid register number"},
      {"fields:\n  - {name: v, address: 30001, scale: 0}\n", 2, "must not be 0"},
      {"fields:\n  - {name: v, address: 30001, scale: lots}\n", 2, "finite number"},
      {"fields:\n  - {name: v, address: 30001, offset: .nan}\n", 2, "finite number"},
      {"fields:\n  - {name: 1v, address: 30001}\n", 2, "not a valid metric name"},
      {"fields:\n  - {name: v, address: 30001, labels: {device: x}}\n", 2, "reserved"},
      {"fields:\n  - {name: v, address: 30001, labels: {__name__: x}}\n", 2, "reserved"},
      {"fields:\n  - {name: v, address: 30001, labels: {phase: \"\"}}\n", 2, "must not be empty"},
      {"fields:\n  - {name: v, address: 30001, colour: red}\n", 2, "fields[0].colour: unknown key"},
      {"fields:\n  - {address: 30001}\n", 2, "fields[0].name: missing"},
      {"fields:\n  - {name: v}\n", 2, "fields[0].address: missing"},
      {"fields:\n  - {name: v, address: 30001, type: bool}\n", 2, "type bool is for coils"},
      {"fields:\n  - {name: v, address: 00001, type: int16}\n", 2, "coils and discrete inputs"},
      {"fields:\n  - {name: v, address: 0xFFFF, table: input}\n", 2, "past address 65535"},
      {"fields:\n  - {name: v, address: 30001, sunssf: 3}\n", 2, "only a SunSpec profile"},
      {"max_registers_per_read: 126\nfields:\n  - {name: v, address: 30001}\n", 1, "1-125"},
      {"max_registers_per_read: 1\nfields:\n  - {name: v, address: 30001}\n", 3,
       "does not fit in one read"},
      {"even_alignment: maybe\nfields:\n  - {name: v, address: 30001}\n", 1, "true or false"},
      {"colour: red\nfields:\n  - {name: v, address: 30001}\n", 1, "colour: unknown key"},
      {"description: x\n", 1, "fields: missing"},
      {"fields: []\n", 1, "non-empty list"},
      {"fields:\n  - {name: v, address: 30001\n", 3, ""},  // YAML syntax error
      {"sunspec: {model: 203}\nfields:\n  - {name: v, address: 40003, type: int16}\n", 3,
       "offset from the model"},
      {"sunspec: {model: 203}\nfields:\n  - {name: v, address: 3, table: input, type: int16}\n", 3,
       "SunSpec points are holding registers"},
      {"sunspec: {bases: [40000]}\nfields:\n  - {name: v, address: 3, type: int16}\n", 1,
       "sunspec.model: missing"},
      {"sunspec: {model: 203, bases: [70000]}\nfields:\n  - {name: v, address: 3}\n", 1,
       "outside 0-65535"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.yaml);
    ExpectError(c.yaml, c.line, c.what);
  }
}

TEST(ModbusProfile, OverlapNamesBothFields) {
  Result<ModbusProfile> profile = Parse(
      "table: holding\nfields:\n  - {name: a, address: 10, type: float64}\n"
      "  - {name: b, address: 4}\n  - {name: c, address: 13, type: uint16}\n");
  ASSERT_FALSE(profile.ok());
  EXPECT_EQ(
      profile.status().message(),
      "meter.yaml:5:5: fields[2]: its registers overlap those of fields[0] at meter.yaml:3:5");
}

TEST(ModbusProfile, RefusesTooManyFields) {
  std::string yaml = "table: holding\ntype: uint16\nfields:\n";
  for (size_t i = 0; i <= kMaxProfileFields; ++i) {
    yaml += "  - {name: r" + std::to_string(i) + ", address: " + std::to_string(i) + "}\n";
  }
  Result<ModbusProfile> profile = Parse(yaml);
  ASSERT_FALSE(profile.ok());
  EXPECT_NE(profile.status().message().find("more than 1000 fields"), std::string::npos);
}

TEST(ModbusProfile, LoadsAFileNamedAfterIt) {
  testing::TempDir dir;
  const std::string path = dir.File("my_meter.yaml");
  WriteFile(path, kMinimal);
  Result<ModbusProfile> profile = LoadModbusProfileFile(path);
  ASSERT_TRUE(profile.ok()) << profile.status().ToString();
  EXPECT_EQ(profile->name, "my_meter");
  EXPECT_EQ(profile->source, path);

  WriteFile(path, "fields:\n  - {name: v, address: 30001, type: float33}\n");
  profile = LoadModbusProfileFile(path);
  ASSERT_FALSE(profile.ok());
  EXPECT_EQ(profile.status().message().rfind(path + ":2:", 0), 0u) << profile.status().message();

  profile = LoadModbusProfileFile(dir.File("absent.yaml"));
  ASSERT_FALSE(profile.ok());
  EXPECT_EQ(profile.status().code(), Status::Code::kNotFound);
}

}  // namespace
}  // namespace wattline::agent::modbus
