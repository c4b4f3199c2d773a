#include "common/config/option_table.h"

#include <gtest/gtest.h>

#include <array>

namespace wattline {
namespace {

constexpr std::array<OptionSpec, 4> kSpecs = {{
    {"url", OptionType::kString, "", "where", true},
    {"interval", OptionType::kDuration, "5s", "how often"},
    {"retries", OptionType::kInt, "3", "how many"},
    {"enabled", OptionType::kBool, "true", "whether"},
}};

Result<OptionValues> Read(std::string_view yaml) {
  Result<ConfigNode> root = ParseYamlConfig(yaml, "test.yaml");
  if (!root.ok()) return root.status();
  return ReadOptions(root->Find("section"), kSpecs, "section");
}

TEST(OptionTable, AppliesDefaultsAndReadsValues) {
  auto values = Read("section:\n  url: http://x\n  retries: 7\n");
  ASSERT_TRUE(values.ok()) << values.status().ToString();
  EXPECT_EQ(values->String("url"), "http://x");
  EXPECT_EQ(values->DurationMs("interval"), 5000);
  EXPECT_EQ(values->Int("retries"), 7);
  EXPECT_TRUE(values->Bool("enabled"));
}

TEST(OptionTable, UnknownKeyNamesItsLineAndColumn) {
  auto values = Read("section:\n  url: http://x\n  retires: 7\n");
  ASSERT_FALSE(values.ok());
  EXPECT_NE(values.status().message().find("test.yaml:3:"), std::string::npos)
      << values.status().message();
  EXPECT_NE(values.status().message().find("unknown option section.retires"), std::string::npos);
}

TEST(OptionTable, WrongTypeSaysWhichOption) {
  auto values = Read("section:\n  url: x\n  interval: soon\n");
  ASSERT_FALSE(values.ok());
  EXPECT_NE(values.status().message().find("section.interval"), std::string::npos)
      << values.status().message();
}

TEST(OptionTable, MissingRequiredOptionIsAnError) {
  auto values = Read("section:\n  retries: 1\n");
  ASSERT_FALSE(values.ok());
  EXPECT_NE(values.status().message().find("missing required option section.url"),
            std::string::npos);
}

TEST(OptionTable, YamlSyntaxErrorNamesThePosition) {
  auto root = ParseYamlConfig("section:\n  url: [unclosed\n", "bad.yaml");
  ASSERT_FALSE(root.ok());
  EXPECT_NE(root.status().message().find("bad.yaml:"), std::string::npos);
}

TEST(OptionTable, RenderListsEveryOptionWithItsDefault) {
  std::string text = RenderOptions(kSpecs, 2);
  EXPECT_NE(text.find("  interval: 5s\n"), std::string::npos);
  EXPECT_NE(text.find("(required)"), std::string::npos);
}

}  // namespace
}  // namespace wattline
