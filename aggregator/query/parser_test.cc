#include "aggregator/query/parser.h"

#include <gtest/gtest.h>

namespace wattline::aggregator {
namespace {

using Type = LabelMatcher::Type;

const VectorSelector& ParseSelector(std::string_view query) {
  static std::unique_ptr<Expr> last;  // keeps the tree alive for the caller
  Result<std::unique_ptr<Expr>> expr = ParseExpr(query);
  EXPECT_TRUE(expr.ok()) << query << ": " << expr.status().ToString();
  if (!expr.ok()) {
    last = std::make_unique<VectorSelector>();
  } else {
    last = std::move(expr).value();
  }
  EXPECT_EQ(last->kind, Expr::Kind::kVectorSelector);
  return static_cast<const VectorSelector&>(*last);
}

std::string ParseError(std::string_view query) {
  Result<std::unique_ptr<Expr>> expr = ParseExpr(query);
  if (expr.ok()) return "parsed";
  EXPECT_EQ(expr.status().code(), Status::Code::kInvalidArgument);
  return expr.status().message();
}

std::vector<std::string> MatcherStrings(const VectorSelector& selector) {
  std::vector<std::string> out;
  for (const LabelMatcher& matcher : selector.matchers) out.push_back(matcher.ToString());
  return out;
}

TEST(Parser, MetricNameAloneBecomesANameMatcher) {
  const VectorSelector& selector = ParseSelector("power_watts");
  EXPECT_EQ(selector.name, "power_watts");
  EXPECT_EQ(MatcherStrings(selector), std::vector<std::string>{"__name__=\"power_watts\""});
  EXPECT_EQ(selector.position.start, 0u);
  EXPECT_EQ(selector.position.end, 11u);
  EXPECT_EQ(selector.type(), ValueType::kVector);
}

TEST(Parser, MetricNameWithMatchers) {
  const VectorSelector& selector = ParseSelector("power_watts{device=\"panel\",phase=~\"a|b\"}");
  EXPECT_EQ(selector.name, "power_watts");
  EXPECT_EQ(
      MatcherStrings(selector),
      (std::vector<std::string>{"device=\"panel\"", "phase=~\"a|b\"", "__name__=\"power_watts\""}));
  EXPECT_EQ(selector.position.end, 40u);
}

TEST(Parser, NameInsideBracesOnly) {
  const VectorSelector& selector = ParseSelector("{__name__=\"voltage_volts\",phase!=\"n\"}");
  EXPECT_EQ(selector.name, "");
  EXPECT_EQ(MatcherStrings(selector),
            (std::vector<std::string>{"__name__=\"voltage_volts\"", "phase!=\"n\""}));
  EXPECT_EQ(selector.matchers[1].type(), Type::kNotEqual);
}

TEST(Parser, AllFourMatchOperators) {
  const VectorSelector& selector = ParseSelector("x{a=\"1\",b!=\"2\",c=~\"3\",d!~\"4\"}");
  ASSERT_EQ(selector.matchers.size(), 5u);
  EXPECT_EQ(selector.matchers[0].type(), Type::kEqual);
  EXPECT_EQ(selector.matchers[1].type(), Type::kNotEqual);
  EXPECT_EQ(selector.matchers[2].type(), Type::kRegexMatch);
  EXPECT_EQ(selector.matchers[3].type(), Type::kRegexNoMatch);
}

TEST(Parser, TrailingCommaSpacesCommentsAndEmptyBraces) {
  EXPECT_EQ(ParseSelector("power_watts{device=\"panel\",}").matchers.size(), 2u);
  EXPECT_EQ(ParseSelector("  power_watts { device = \"panel\" , } ").matchers.size(), 2u);
  EXPECT_EQ(
      ParseSelector("# panel\npower_watts{ # the meter\n device=\"panel\"}\n# end").matchers.size(),
      2u);
  EXPECT_EQ(ParseSelector("power_watts{}").matchers.size(), 1u);
}

TEST(Parser, StringValuesInEveryFormAreUnquoted) {
  const VectorSelector& selector =
      ParseSelector(R"(x{a='single',b=`raw\d+`,c="caf\u00e9",d="tab\there"})");
  EXPECT_EQ(selector.matchers[0].value(), "single");
  EXPECT_EQ(selector.matchers[1].value(), "raw\\d+");
  EXPECT_EQ(selector.matchers[2].value(), "caf\xc3\xa9");
  EXPECT_EQ(selector.matchers[3].value(), "tab\there");
}

TEST(Parser, MetricNamesWithColonsAndKeywordsAsNames) {
  EXPECT_EQ(ParseSelector("job:power_watts:sum{a=\"b\"}").name, "job:power_watts:sum");
  EXPECT_EQ(ParseSelector("sum").name, "sum");
  EXPECT_EQ(ParseSelector("offset{a=\"b\"}").name, "offset");
  // Inside braces keywords are label names.
  EXPECT_EQ(MatcherStrings(ParseSelector("x{by=\"1\",on=\"2\"}"))[1], "on=\"2\"");
}

TEST(Parser, RequiresOneMatcherThatDoesNotMatchEmpty) {
  const std::string error =
      "1:1: parse error: vector selector must contain at least one non-empty matcher";
  EXPECT_EQ(ParseError("{}"), error);
  EXPECT_EQ(ParseError("{job=~\".*\"}"), error);
  EXPECT_EQ(ParseError("{job=\"\"}"), error);
  EXPECT_EQ(ParseError("{job!~\".+\",phase=~\"a?\"}"), error);
  EXPECT_EQ(ParseError("  {job=~\".*\"}"),
            "1:3: parse error: vector selector must contain at least one non-empty matcher");
  EXPECT_EQ(ParseError("{job!=\"\"}"), "parsed");
  EXPECT_EQ(ParseError("{job=~\".+\"}"), "parsed");
  EXPECT_EQ(ParseError("{job=~\".*\",device=\"panel\"}"), "parsed");
}

TEST(Parser, RefusesTheMetricNameTwice) {
  EXPECT_EQ(ParseError("power_watts{__name__=\"voltage_volts\"}"),
            "1:1: parse error: metric name must not be set twice: \"power_watts\" or "
            "\"voltage_volts\"");
}

TEST(Parser, ReportsLabelMatchingErrorsAtTheToken) {
  EXPECT_EQ(ParseError("power_watts{device=\"panel\" phase=\"a\"}"),
            "1:28: parse error: unexpected identifier \"phase\" in label matching, expected \",\" "
            "or \"}\"");
  EXPECT_EQ(ParseError("{device}"),
            "1:8: parse error: unexpected \"}\" in label matching, expected label matching "
            "operator");
  EXPECT_EQ(ParseError("{device=}"),
            "1:9: parse error: unexpected \"}\" in label matching, expected string");
  EXPECT_EQ(ParseError("{device==\"x\"}"),
            "1:9: parse error: unexpected \"=\" in label matching, expected string");
  EXPECT_EQ(ParseError("{=\"x\"}"),
            "1:2: parse error: unexpected \"=\" in label matching, expected identifier or \"}\"");
  EXPECT_EQ(ParseError("{device=\"a\",,}"),
            "1:13: parse error: unexpected \",\" in label matching, expected identifier or \"}\"");
  EXPECT_EQ(ParseError("{device=\"a\" \"b\"}"),
            "1:13: parse error: unexpected string \"\\\"b\\\"\" in label matching, expected \",\" "
            "or \"}\"");
}

TEST(Parser, ReportsLexerErrorsWithTheirPosition) {
  EXPECT_EQ(ParseError("power_watts{device$\"x\"}"),
            "1:19: parse error: unexpected character inside braces: '$'");
  EXPECT_EQ(ParseError("power_watts{device!\"x\"}"),
            "1:19: parse error: unexpected character after '!' inside braces: '\"'");
  EXPECT_EQ(ParseError("power_watts{device=\"panel}"),
            "1:20: parse error: unterminated quoted string");
  EXPECT_EQ(ParseError("power_watts{device=\"panel\""),
            "1:27: parse error: unexpected end of input inside braces");
  EXPECT_EQ(ParseError("power_watts}"), "1:12: parse error: unexpected character: '}'");
}

TEST(Parser, ReportsABadRegexAtItsLabel) {
  EXPECT_EQ(ParseError("power_watts{device=~\"(\"}"),
            "1:13: parse error: error parsing regexp: missing closing ): `(`");
}

TEST(Parser, CountsLinesAndColumns) {
  EXPECT_EQ(ParseError("power_watts{\n  device=\"a\"\n  phase=\"b\"\n}"),
            "3:3: parse error: unexpected identifier \"phase\" in label matching, expected \",\" "
            "or \"}\"");
}

TEST(Parser, RefusesAnEmptyQuery) {
  EXPECT_EQ(ParseError(""), "unknown position: parse error: no expression found in input");
  EXPECT_EQ(ParseError("  # nothing"), "1:1: parse error: no expression found in input");
}

TEST(Parser, ParsesRangeVectorSelectors) {
  auto expr = ParseExpr("power_watts{phase=\"a\"}[1m30s]");
  ASSERT_TRUE(expr.ok()) << expr.status().ToString();
  ASSERT_EQ((*expr)->kind, Expr::Kind::kMatrixSelector);
  EXPECT_EQ((*expr)->type(), ValueType::kMatrix);
  const auto& matrix = static_cast<const MatrixSelector&>(**expr);
  EXPECT_EQ(matrix.range_ms, 90'000);
  EXPECT_EQ(matrix.selector->name, "power_watts");
  EXPECT_EQ(matrix.selector->matchers.size(), 2u);
}

TEST(Parser, RefusesBadRanges) {
  EXPECT_EQ(ParseError("power_watts[0s]"), "1:13: parse error: duration must be greater than 0");
  EXPECT_NE(ParseError("power_watts[5x]"), "parsed");
  EXPECT_NE(ParseError("power_watts[5m"), "parsed");
  EXPECT_EQ(ParseError("{__name__=~\".*\"}[5m]"),
            "1:1: parse error: vector selector must contain at least one non-empty matcher");
}

TEST(Parser, RefusesTrailingTokensAsUnexpected) {
  EXPECT_EQ(ParseError("power_watts voltage_volts"),
            "1:13: parse error: unexpected identifier \"voltage_volts\"");
  EXPECT_EQ(ParseError("power_watts{a=\"b\"} {c=\"d\"}"), "1:20: parse error: unexpected \"{\"");
  EXPECT_EQ(ParseError("power_watts by"), "1:13: parse error: unexpected <by>");
  EXPECT_EQ(ParseError("bool"), "1:1: parse error: unexpected <bool>");
}

}  // namespace
}  // namespace wattline::aggregator
