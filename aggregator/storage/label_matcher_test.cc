#include "aggregator/storage/label_matcher.h"

#include <gtest/gtest.h>

namespace wattline::aggregator {
namespace {

using Type = LabelMatcher::Type;

LabelMatcher Make(Type type, std::string name, std::string value) {
  Result<LabelMatcher> matcher = LabelMatcher::Make(type, std::move(name), std::move(value));
  EXPECT_TRUE(matcher.ok()) << matcher.status().ToString();
  return std::move(matcher).value();
}

const Labels kPanel = {{"__name__", "power_watts"}, {"device", "panel"}, {"phase", "a"}};

TEST(LabelMatcher, EqualMatchesExactValueOnly) {
  EXPECT_TRUE(Make(Type::kEqual, "device", "panel").Matches(kPanel));
  EXPECT_FALSE(Make(Type::kEqual, "device", "pan").Matches(kPanel));
  EXPECT_FALSE(Make(Type::kEqual, "device", "Panel").Matches(kPanel));
}

TEST(LabelMatcher, NotEqualIsTheComplementOfEqual) {
  EXPECT_FALSE(Make(Type::kNotEqual, "device", "panel").Matches(kPanel));
  EXPECT_TRUE(Make(Type::kNotEqual, "device", "heat_pump").Matches(kPanel));
  // A label the series lacks has the value "", which differs from "x".
  EXPECT_TRUE(Make(Type::kNotEqual, "room", "x").Matches(kPanel));
}

TEST(LabelMatcher, RegexMatchIsAnchoredAtBothEnds) {
  EXPECT_TRUE(Make(Type::kRegexMatch, "device", "pan.*").Matches(kPanel));
  EXPECT_TRUE(Make(Type::kRegexMatch, "phase", "a|b").Matches(kPanel));
  EXPECT_FALSE(Make(Type::kRegexMatch, "device", "ane").Matches(kPanel));
  EXPECT_FALSE(Make(Type::kRegexMatch, "device", "pan").Matches(kPanel));
  EXPECT_FALSE(Make(Type::kRegexMatch, "device", "anel").Matches(kPanel));
  // The alternation is grouped before anchoring: "xa|b" must not match "xab".
  EXPECT_FALSE(Make(Type::kRegexMatch, "v", "xa|b").MatchesValue("xab"));
  EXPECT_TRUE(Make(Type::kRegexMatch, "v", "xa|b").MatchesValue("b"));
}

TEST(LabelMatcher, RegexNoMatchIsTheComplementOfRegexMatch) {
  EXPECT_FALSE(Make(Type::kRegexNoMatch, "phase", "a|b").Matches(kPanel));
  EXPECT_TRUE(Make(Type::kRegexNoMatch, "phase", "b|c").Matches(kPanel));
  EXPECT_TRUE(Make(Type::kRegexNoMatch, "device", "pan").Matches(kPanel));
}

TEST(LabelMatcher, DotDoesNotMatchNewlineAsInPrometheus2) {
  EXPECT_FALSE(Make(Type::kRegexMatch, "v", "a.b").MatchesValue("a\nb"));
  EXPECT_TRUE(Make(Type::kRegexMatch, "v", "a.b").MatchesValue("a b"));
  EXPECT_TRUE(Make(Type::kRegexMatch, "v", "a(.|\n)b").MatchesValue("a\nb"));
}

TEST(LabelMatcher, EmptyValueMatchesAnAbsentLabel) {
  EXPECT_TRUE(Make(Type::kEqual, "room", "").Matches(kPanel));
  EXPECT_FALSE(Make(Type::kEqual, "device", "").Matches(kPanel));
  EXPECT_TRUE(Make(Type::kRegexMatch, "room", "").Matches(kPanel));
  EXPECT_TRUE(Make(Type::kRegexMatch, "room", ".*").Matches(kPanel));
  EXPECT_FALSE(Make(Type::kRegexMatch, "room", ".+").Matches(kPanel));
}

TEST(LabelMatcher, NotEqualEmptyRequiresTheLabel) {
  EXPECT_FALSE(Make(Type::kNotEqual, "room", "").Matches(kPanel));
  EXPECT_TRUE(Make(Type::kNotEqual, "device", "").Matches(kPanel));
  EXPECT_TRUE(Make(Type::kRegexMatch, "device", ".+").Matches(kPanel));
  EXPECT_FALSE(Make(Type::kRegexNoMatch, "room", "").Matches(kPanel));
  EXPECT_TRUE(Make(Type::kRegexNoMatch, "room", ".+").Matches(kPanel));
}

TEST(LabelMatcher, BadRegexIsInvalidArgumentInGoWording) {
  Result<LabelMatcher> matcher = LabelMatcher::Make(Type::kRegexMatch, "device", "(");
  ASSERT_FALSE(matcher.ok());
  EXPECT_EQ(matcher.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(matcher.status().message(), "error parsing regexp: missing closing ): `(`");

  matcher = LabelMatcher::Make(Type::kRegexNoMatch, "device", "a**");
  ASSERT_FALSE(matcher.ok());
  EXPECT_EQ(matcher.status().message(),
            "error parsing regexp: invalid nested repetition operator: `**`");
}

TEST(LabelMatcher, RegexCharactersInEqualValuesAreLiteral) {
  EXPECT_TRUE(LabelMatcher::Make(Type::kEqual, "v", "(").ok());
  EXPECT_TRUE(Make(Type::kEqual, "v", "a.b").MatchesValue("a.b"));
  EXPECT_FALSE(Make(Type::kEqual, "v", "a.b").MatchesValue("axb"));
}

TEST(LabelMatcher, CopiesShareTheCompiledRegex) {
  LabelMatcher original = Make(Type::kRegexMatch, "phase", "a|b");
  LabelMatcher copy = original;
  EXPECT_TRUE(copy.Matches(kPanel));
  EXPECT_EQ(copy.ToString(), original.ToString());
}

TEST(LabelMatcher, ToStringWritesPromQL) {
  EXPECT_EQ(Make(Type::kEqual, "device", "panel").ToString(), "device=\"panel\"");
  EXPECT_EQ(Make(Type::kNotEqual, "device", "").ToString(), "device!=\"\"");
  EXPECT_EQ(Make(Type::kRegexMatch, "phase", "a|b").ToString(), "phase=~\"a|b\"");
  EXPECT_EQ(Make(Type::kNotEqual, "v", "\"\\").ToString(), "v!=\"\\\"\\\\\"");
  EXPECT_EQ(Make(Type::kRegexNoMatch, "v", "a\\.b").ToString(), "v!~\"a\\\\.b\"");
}

TEST(LabelMatcher, MatchesAllRequiresEveryMatcher) {
  LabelMatchers matchers = {Make(Type::kEqual, "__name__", "power_watts"),
                            Make(Type::kRegexMatch, "phase", "a|b")};
  EXPECT_TRUE(MatchesAll(matchers, kPanel));
  matchers.push_back(Make(Type::kEqual, "device", "heat_pump"));
  EXPECT_FALSE(MatchesAll(matchers, kPanel));
  EXPECT_TRUE(MatchesAll({}, kPanel));
}

}  // namespace
}  // namespace wattline::aggregator
