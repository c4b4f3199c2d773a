#include "agent/modbus/builtin_profiles.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "agent/modbus/poll_plan.h"
#include "common/testing/temp_dir.h"

namespace wattline::agent::modbus {
namespace {

void WriteFile(const std::string& path, std::string_view text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(BuiltinProfiles, ShipsTheDocumentedProfiles) {
  std::vector<std::string> names;
  for (const BuiltinProfileText& text : BuiltinProfileTexts()) names.emplace_back(text.name);
  EXPECT_EQ(names, (std::vector<std::string>{"eastron_sdm120", "eastron_sdm630", "eastron_sdm72",
                                             "shelly_pro3em", "sunspec_meter_203"}));
}

TEST(BuiltinProfiles, EveryShippedProfileLoadsAndPlans) {
  for (const BuiltinProfileText& text : BuiltinProfileTexts()) {
    SCOPED_TRACE(std::string(text.name));
    // The embedded bytes are the file's.
    const std::string path =
        std::string(WATTLINE_MODBUS_PROFILE_DIR) + "/" + std::string(text.name) + ".yaml";
    EXPECT_EQ(text.yaml, ReadFile(path));
    Result<ModbusProfile> profile = LoadBuiltinProfile(text.name);
    ASSERT_TRUE(profile.ok()) << profile.status().ToString();
    EXPECT_EQ(profile->name, text.name);
    EXPECT_EQ(profile->source, "<built-in>/" + std::string(text.name) + ".yaml");
    EXPECT_FALSE(profile->description.empty());
    auto shared = std::make_shared<const ModbusProfile>(std::move(*profile));
    Result<PollPlan> plan =
        shared->sunspec ? PollPlan::CreateSunSpec(shared, 40070, 105) : PollPlan::Create(shared);
    ASSERT_TRUE(plan.ok()) << plan.status().ToString();
    for (const PlannedRead& read : plan->reads()) {
      EXPECT_LE(read.count, shared->limits.max_registers);
      if (shared->limits.even_alignment) {
        EXPECT_EQ(read.address % 2, 0);
        EXPECT_EQ(read.count % 2, 0);
      }
    }
  }
}

TEST(BuiltinProfiles, ReadsAreAsFewAsTheMetersAllow) {
  const auto reads = [](std::string_view name) {
    Result<ModbusProfile> profile = LoadBuiltinProfile(name);
    EXPECT_TRUE(profile.ok());
    auto shared = std::make_shared<const ModbusProfile>(std::move(*profile));
    Result<PollPlan> plan =
        shared->sunspec ? PollPlan::CreateSunSpec(shared, 40070, 105) : PollPlan::Create(shared);
    EXPECT_TRUE(plan.ok());
    return plan->reads();
  };
  std::vector<PlannedRead> sdm630 = reads("eastron_sdm630");
  ASSERT_EQ(sdm630.size(), 1u);  // DEVICES.md D.2: 0x0000-0x004B in one read
  EXPECT_EQ(sdm630[0].address, 0);
  EXPECT_EQ(sdm630[0].count, 76);
  EXPECT_EQ(reads("eastron_sdm120").size(), 2u);
  EXPECT_EQ(reads("eastron_sdm72").size(), 2u);
  EXPECT_EQ(reads("shelly_pro3em").size(), 2u);
  std::vector<PlannedRead> sunspec = reads("sunspec_meter_203");
  ASSERT_EQ(sunspec.size(), 1u);
  EXPECT_EQ(sunspec[0].address, 40072);
  EXPECT_EQ(sunspec[0].count, 53);
}

TEST(BuiltinProfiles, UserDirectoryComesFirstThenBuiltIns) {
  testing::TempDir dir;
  // A user's own eastron_sdm120 replaces the built-in one.
  WriteFile(dir.File("eastron_sdm120.yaml"),
            "description: mine\ntable: input\nfields:\n  - {name: voltage_volts, address: 0}\n");
  Result<ModbusProfile> mine = FindModbusProfile("eastron_sdm120", dir.path());
  ASSERT_TRUE(mine.ok()) << mine.status().ToString();
  EXPECT_EQ(mine->description, "mine");
  EXPECT_EQ(mine->source, dir.File("eastron_sdm120.yaml"));

  Result<ModbusProfile> builtin = FindModbusProfile("eastron_sdm630", dir.path());
  ASSERT_TRUE(builtin.ok()) << builtin.status().ToString();
  EXPECT_EQ(builtin->source, "<built-in>/eastron_sdm630.yaml");

  // No directory configured, or one that does not exist: built-ins only.
  EXPECT_TRUE(FindModbusProfile("eastron_sdm630", "").ok());
  EXPECT_TRUE(FindModbusProfile("eastron_sdm630", dir.File("absent")).ok());
}

TEST(BuiltinProfiles, ValueWithASlashIsAPath) {
  testing::TempDir dir;
  WriteFile(dir.File("heat pump.yaml"),
            "table: holding\nfields:\n  - {name: power_watts, address: 5, type: int16}\n");
  Result<ModbusProfile> profile = FindModbusProfile(dir.File("heat pump.yaml"), "");
  ASSERT_TRUE(profile.ok()) << profile.status().ToString();
  EXPECT_EQ(profile->name, "heat pump");

  Result<ModbusProfile> absent = FindModbusProfile(dir.File("eastron_sdm630.yaml"), "");
  ASSERT_FALSE(absent.ok());  // a path is never looked up among the built-ins
  EXPECT_EQ(absent.status().code(), Status::Code::kNotFound);
}

TEST(BuiltinProfiles, UnknownNameSaysWhereItLooked) {
  testing::TempDir dir;
  Result<ModbusProfile> profile = FindModbusProfile("eastron_sdm63", dir.path());
  ASSERT_FALSE(profile.ok());
  EXPECT_EQ(profile.status().code(), Status::Code::kNotFound);
  const std::string message = profile.status().message();
  EXPECT_NE(message.find(dir.File("eastron_sdm63.yaml")), std::string::npos) << message;
  EXPECT_NE(message.find("eastron_sdm630"), std::string::npos) << message;  // the list

  EXPECT_EQ(FindModbusProfile("..", "").status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(FindModbusProfile("a b", "").status().code(), Status::Code::kInvalidArgument);
}

TEST(BuiltinProfiles, BrokenUserProfileNamesItsLine) {
  testing::TempDir dir;
  WriteFile(dir.File("mine.yaml"),
            "table: input\nfields:\n  - {name: v, address: 0}\n  - {name: w, address: 1}\n");
  Result<ModbusProfile> profile = FindModbusProfile("mine", dir.path());
  ASSERT_FALSE(profile.ok());
  EXPECT_EQ(profile.status().message().rfind(dir.File("mine.yaml") + ":4:", 0), 0u)
      << profile.status().message();
}

}  // namespace
}  // namespace wattline::agent::modbus
