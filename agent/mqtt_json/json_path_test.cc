#include "agent/mqtt_json/json_path.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace wattline::agent {
namespace {

using Json = nlohmann::json;

const Json* Find(std::string_view path, const Json& doc) {
  Result<JsonPath> parsed = JsonPath::Parse(path);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  return parsed.ok() ? parsed->Find(doc) : nullptr;
}

TEST(JsonPath, FollowsKeysAndIndexes) {
  const Json doc = Json::parse(
      R"({"ENERGY":{"Power":[5,7],"Total":3.705},"list":[{"v":1},{"v":2}],"a b":{"c":true}})");
  ASSERT_NE(Find("ENERGY.Total", doc), nullptr);
  EXPECT_EQ(*Find("ENERGY.Total", doc), 3.705);
  EXPECT_EQ(*Find("ENERGY.Power[1]", doc), 7);
  EXPECT_EQ(*Find("list[1].v", doc), 2);
  EXPECT_EQ(*Find("a b.c", doc), true);
  EXPECT_EQ(Find("", doc), &doc);
  const Json array = Json::parse(R"([{"value":3}])");
  EXPECT_EQ(*Find("[0].value", array), 3);
}

TEST(JsonPath, MissingOrMismatchedStepsFindNothing) {
  const Json doc = Json::parse(R"({"ENERGY":{"Power":[5,7]},"n":1})");
  EXPECT_EQ(Find("ENERGY.Voltage", doc), nullptr);
  EXPECT_EQ(Find("ENERGY.Power[2]", doc), nullptr);
  EXPECT_EQ(Find("ENERGY[0]", doc), nullptr);
  EXPECT_EQ(Find("ENERGY.Power.x", doc), nullptr);
  EXPECT_EQ(Find("n.x", doc), nullptr);
  EXPECT_EQ(Find("energy.Power", doc), nullptr) << "keys are case-sensitive";
}

TEST(JsonPath, RefusesMalformedPaths) {
  for (std::string_view bad : {".a", "a.", "a..b", "a[", "a[x]", "a[]", "a]", "a[0]b", "a.[0]",
                               "a[99999999999]", "a[-1]"}) {
    EXPECT_FALSE(JsonPath::Parse(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace wattline::agent
