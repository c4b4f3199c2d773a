#include "agent/mqtt_json/topic_pattern.h"

#include <gtest/gtest.h>

namespace wattline::agent {
namespace {

TopicPattern MustParse(std::string_view text) {
  Result<TopicPattern> pattern = TopicPattern::Parse(text);
  EXPECT_TRUE(pattern.ok()) << pattern.status().ToString();
  return *pattern;
}

TEST(TopicPattern, CapturesBecomePlusInTheFilter) {
  EXPECT_EQ(MustParse("tele/{device}/SENSOR").filter(), "tele/+/SENSOR");
  EXPECT_EQ(MustParse("inverter/{device}/ch{input}/#").filter(), "inverter/+/+/#");
  EXPECT_EQ(MustParse("a/+/b").filter(), "a/+/b");
  EXPECT_EQ(MustParse("tele/{device}/#").CaptureNames(), std::vector<std::string>{"device"});
}

TEST(TopicPattern, CapturesWholeLevelsAndPartsOfLevels) {
  TopicPattern pattern = MustParse("inverter/{device}/ch{input}/P_DC");
  Labels captures;
  ASSERT_TRUE(pattern.Match("inverter/roof/ch2/P_DC", &captures, nullptr));
  EXPECT_EQ(captures, (Labels{{"device", "roof"}, {"input", "2"}}));
  captures.clear();
  EXPECT_FALSE(pattern.Match("inverter/roof/ch/P_DC", &captures, nullptr));  // empty capture
  EXPECT_FALSE(pattern.Match("inverter/roof/x2/P_DC", &captures, nullptr));
  EXPECT_FALSE(pattern.Match("inverter/roof/ch2/P_AC", &captures, nullptr));
  EXPECT_FALSE(pattern.Match("inverter/roof/ch2", &captures, nullptr));
  EXPECT_FALSE(pattern.Match("inverter/roof/ch2/P_DC/x", &captures, nullptr));
  EXPECT_TRUE(captures.empty()) << "a failed match leaves no captures behind";
}

TEST(TopicPattern, HashMatchesTheParentAndGivesTheRest) {
  TopicPattern pattern = MustParse("solar/{device}/#");
  Labels captures;
  std::string_view rest = "unset";
  ASSERT_TRUE(pattern.Match("solar/116181234567/0/power", &captures, &rest));
  EXPECT_EQ(rest, "0/power");
  EXPECT_EQ(LabelValue(captures, "device"), "116181234567");
  captures.clear();
  ASSERT_TRUE(pattern.Match("solar/116181234567", &captures, &rest));
  EXPECT_EQ(rest, "");
  EXPECT_FALSE(pattern.Match("solar", &captures, &rest));
  EXPECT_FALSE(pattern.Match("other/x/y", &captures, &rest));
}

TEST(TopicPattern, EmptyLevelsAreLevels) {
  TopicPattern pattern = MustParse("a//{x}");
  Labels captures;
  EXPECT_TRUE(pattern.Match("a//b", &captures, nullptr));
  EXPECT_FALSE(pattern.Match("a/b", &captures, nullptr));
}

TEST(TopicPattern, RefusesMalformedPatterns) {
  for (std::string_view bad : {"", "a/#/b", "a/b#", "a+/b", "{}", "{1x}", "{__name__}", "x{a}{b}",
                               "{a/b}", "a}", "{a", "{a}/{a}"}) {
    EXPECT_FALSE(TopicPattern::Parse(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace wattline::agent
