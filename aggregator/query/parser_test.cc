#include "aggregator/query/parser.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "aggregator/query/function_table.h"

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

ExprPtr MustParse(std::string_view query) {
  Result<std::unique_ptr<Expr>> expr = ParseExpr(query);
  EXPECT_TRUE(expr.ok()) << query << ": " << expr.status().ToString();
  if (!expr.ok()) return std::make_unique<NumberLiteral>();
  return std::move(expr).value();
}

std::string_view OpName(TokenType op) {
  switch (op) {
    case TokenType::kAdd:
      return "+";
    case TokenType::kSub:
      return "-";
    case TokenType::kMul:
      return "*";
    case TokenType::kDiv:
      return "/";
    case TokenType::kMod:
      return "%";
    case TokenType::kPow:
      return "^";
    case TokenType::kAtan2:
      return "atan2";
    case TokenType::kEqlc:
      return "==";
    case TokenType::kNeq:
      return "!=";
    case TokenType::kLss:
      return "<";
    case TokenType::kLte:
      return "<=";
    case TokenType::kGtr:
      return ">";
    case TokenType::kGte:
      return ">=";
    case TokenType::kLand:
      return "and";
    case TokenType::kLor:
      return "or";
    case TokenType::kLunless:
      return "unless";
    case TokenType::kSum:
      return "sum";
    case TokenType::kTopk:
      return "topk";
    case TokenType::kCountValues:
      return "count_values";
    case TokenType::kQuantile:
      return "quantile";
    case TokenType::kAvg:
      return "avg";
    default:
      return "?";
  }
}

// The tree as an S-expression, written independently of ExprToString, so
// tests see its shape: (+ a (* b c)), (neg x), (paren x), (call rate x[300000]).
std::string Shape(const Expr& expr) {
  switch (expr.kind) {
    case Expr::Kind::kNumberLiteral: {
      char buffer[64];
      std::snprintf(buffer, sizeof(buffer), "%g", static_cast<const NumberLiteral&>(expr).value);
      return buffer;
    }
    case Expr::Kind::kStringLiteral:
      return "'" + static_cast<const StringLiteral&>(expr).value + "'";
    case Expr::Kind::kParen:
      return "(paren " + Shape(*static_cast<const ParenExpr&>(expr).expr) + ")";
    case Expr::Kind::kUnary: {
      const auto& unary = static_cast<const UnaryExpr&>(expr);
      return std::string(unary.op == TokenType::kSub ? "(neg " : "(pos ") + Shape(*unary.expr) +
             ")";
    }
    case Expr::Kind::kBinary: {
      const auto& binary = static_cast<const BinaryExpr&>(expr);
      return "(" + std::string(OpName(binary.op)) + (binary.return_bool ? " bool " : " ") +
             Shape(*binary.lhs) + " " + Shape(*binary.rhs) + ")";
    }
    case Expr::Kind::kAggregate: {
      const auto& aggregate = static_cast<const AggregateExpr&>(expr);
      std::string out = "(" + std::string(OpName(aggregate.op)) + " ";
      if (aggregate.param) out += Shape(*aggregate.param) + " ";
      return out + Shape(*aggregate.expr) + ")";
    }
    case Expr::Kind::kCall: {
      const auto& call = static_cast<const Call&>(expr);
      std::string out = "(call " + std::string(call.function->name);
      for (const ExprPtr& arg : call.args) out += " " + Shape(*arg);
      return out + ")";
    }
    case Expr::Kind::kVectorSelector: {
      const auto& selector = static_cast<const VectorSelector&>(expr);
      if (!selector.name.empty()) return selector.name;
      std::vector<std::string> matchers = MatcherStrings(selector);
      std::sort(matchers.begin(), matchers.end());
      std::string out = "{";
      for (const std::string& matcher : matchers) out += matcher + ";";
      return out + "}";
    }
    case Expr::Kind::kMatrixSelector: {
      const auto& matrix = static_cast<const MatrixSelector&>(expr);
      return Shape(*matrix.selector) + "[" + std::to_string(matrix.range_ms) + "]";
    }
    case Expr::Kind::kSubquery: {
      const auto& subquery = static_cast<const SubqueryExpr&>(expr);
      return Shape(*subquery.expr) + "[" + std::to_string(subquery.range_ms) + ":" +
             std::to_string(subquery.step_ms) + "]";
    }
  }
  return "?";
}

std::string ShapeOf(std::string_view query) { return Shape(*MustParse(query)); }

template <typename T>
const T& As(const Expr& expr) {
  return static_cast<const T&>(expr);
}

template <typename T>
const T& As(const ExprPtr& expr) {
  return static_cast<const T&>(*expr);
}

// The parsed tree, kept alive until the test binary exits.
const Expr& Keep(std::string_view query) {
  static std::vector<ExprPtr>* trees = new std::vector<ExprPtr>();
  trees->push_back(MustParse(query));
  return *trees->back();
}

TEST(Parser, NumberLiteralsInEveryForm) {
  auto value = [](std::string_view query) {
    ExprPtr expr = MustParse(query);
    EXPECT_EQ(expr->kind, Expr::Kind::kNumberLiteral) << query;
    return static_cast<const NumberLiteral&>(*expr).value;
  };
  EXPECT_EQ(value("42"), 42);
  EXPECT_EQ(value("1.5"), 1.5);
  EXPECT_EQ(value(".5"), 0.5);
  EXPECT_EQ(value("1e3"), 1000);
  EXPECT_EQ(value("2.5E-3"), 0.0025);
  EXPECT_EQ(value("0x1f"), 31);
  EXPECT_EQ(value("0XFF"), 255);
  // strconv.ParseInt with base 0 reads a leading 0 as octal; 09 is not
  // octal and falls back to a float.
  EXPECT_EQ(value("0755"), 493);
  EXPECT_EQ(value("09"), 9);
  EXPECT_EQ(value("Inf"), INFINITY);
  EXPECT_EQ(value("-inf"), -INFINITY);
  EXPECT_TRUE(std::isnan(value("NaN")));
  EXPECT_EQ(value("1e-400"), 0);  // Go rounds an underflow to 0
  EXPECT_EQ(MustParse("42")->type(), ValueType::kScalar);
  EXPECT_EQ(MustParse("  42")->position.start, 2u);
}

TEST(Parser, RefusesNumbersGoCannotRead) {
  EXPECT_EQ(ParseError("1e999"),
            "1:1: parse error: error parsing number: strconv.ParseFloat: parsing \"1e999\": value "
            "out of range");
  EXPECT_EQ(ParseError("0x"),
            "1:1: parse error: error parsing number: strconv.ParseFloat: parsing \"0x\": invalid "
            "syntax");
  EXPECT_EQ(ParseError("1 + 1e"),
            "1:5: parse error: error parsing number: strconv.ParseFloat: parsing \"1e\": invalid "
            "syntax");
}

TEST(Parser, StringLiterals) {
  ExprPtr expr = MustParse(R"("a\tb")");
  ASSERT_EQ(expr->kind, Expr::Kind::kStringLiteral);
  EXPECT_EQ(As<StringLiteral>(expr).value, "a\tb");
  EXPECT_EQ(expr->type(), ValueType::kString);
  EXPECT_EQ(As<StringLiteral>(Keep("`raw\\n`")).value, "raw\\n");
  EXPECT_EQ(As<StringLiteral>(Keep("'single'")).value, "single");
}

TEST(Parser, UnaryMinusFoldsIntoANumberLiteral) {
  ExprPtr expr = MustParse(" -1");
  ASSERT_EQ(expr->kind, Expr::Kind::kNumberLiteral);
  EXPECT_EQ(As<NumberLiteral>(expr).value, -1);
  EXPECT_EQ(expr->position.start, 1u);
  EXPECT_EQ(As<NumberLiteral>(Keep("+2")).value, 2);
  EXPECT_EQ(As<NumberLiteral>(Keep("--3")).value, 3);
  EXPECT_EQ(ShapeOf("-(1)"), "(neg (paren 1))");
  EXPECT_EQ(ShapeOf("-x"), "(neg x)");
  EXPECT_EQ(ShapeOf("+x"), "(pos x)");
}

TEST(Parser, UnaryBindsLikeMultiplication) {
  // -1^2 is -(1^2): '^' binds tighter, so the minus is not folded.
  EXPECT_EQ(ShapeOf("-1^2"), "(neg (^ 1 2))");
  EXPECT_EQ(ShapeOf("-1 * 2"), "(* -1 2)");
  EXPECT_EQ(ShapeOf("-a + b"), "(+ (neg a) b)");
  EXPECT_EQ(ShapeOf("a + -b * c"), "(+ a (* (neg b) c))");
  EXPECT_EQ(ShapeOf("2 ^ -1"), "(^ 2 -1)");
  EXPECT_EQ(ShapeOf("a ^ -b * c"), "(* (^ a (neg b)) c)");
  // A range after the operand belongs to it: -(a[5m:]) is a unary range vector.
  EXPECT_EQ(ParseError("-a[5m:]"),
            "1:1: parse error: unary expression only allowed on expressions of type scalar or "
            "instant vector, got \"range vector\"");
}

TEST(Parser, BinaryPrecedenceFromOrUpToPow) {
  EXPECT_EQ(ShapeOf("a or b and c"), "(or a (and b c))");
  EXPECT_EQ(ShapeOf("a unless b or c"), "(or (unless a b) c)");
  EXPECT_EQ(ShapeOf("a and b > c"), "(and a (> b c))");
  EXPECT_EQ(ShapeOf("a > b + c"), "(> a (+ b c))");
  EXPECT_EQ(ShapeOf("a + b * c"), "(+ a (* b c))");
  EXPECT_EQ(ShapeOf("a - b % c"), "(- a (% b c))");
  EXPECT_EQ(ShapeOf("a / b atan2 c"), "(atan2 (/ a b) c)");
  EXPECT_EQ(ShapeOf("a * b ^ c"), "(* a (^ b c))");
  EXPECT_EQ(ShapeOf("(a + b) * c"), "(* (paren (+ a b)) c)");
}

TEST(Parser, BinaryAssociativity) {
  EXPECT_EQ(ShapeOf("a - b - c"), "(- (- a b) c)");
  EXPECT_EQ(ShapeOf("a / b * c"), "(* (/ a b) c)");
  EXPECT_EQ(ShapeOf("a == b != c"), "(!= (== a b) c)");
  EXPECT_EQ(ShapeOf("a or b or c"), "(or (or a b) c)");
  EXPECT_EQ(ShapeOf("2 ^ 3 ^ 2"), "(^ 2 (^ 3 2))");  // right-associative
}

TEST(Parser, BinaryExpressionTypesAndPositions) {
  ExprPtr scalar = MustParse("1 + 2");
  EXPECT_EQ(scalar->type(), ValueType::kScalar);
  EXPECT_FALSE(As<BinaryExpr>(scalar).matching.has_value());
  ExprPtr mixed = MustParse("x * 2");
  EXPECT_EQ(mixed->type(), ValueType::kVector);
  EXPECT_FALSE(As<BinaryExpr>(mixed).matching.has_value());
  ExprPtr vectors = MustParse(" a  / b ");
  EXPECT_EQ(vectors->position.start, 1u);
  EXPECT_EQ(vectors->position.end, 7u);
  const auto& binary = As<BinaryExpr>(vectors);
  ASSERT_TRUE(binary.matching.has_value());
  EXPECT_EQ(binary.matching->card, VectorMatching::Card::kOneToOne);
  EXPECT_FALSE(binary.matching->on);
  EXPECT_TRUE(binary.matching->matching_labels.empty());
}

TEST(Parser, BoolModifierOnComparisons) {
  ExprPtr expr = MustParse("1 > bool 2");
  EXPECT_TRUE(As<BinaryExpr>(expr).return_bool);
  EXPECT_EQ(expr->type(), ValueType::kScalar);
  EXPECT_TRUE(As<BinaryExpr>(Keep("x == BOOL 1")).return_bool);
  EXPECT_FALSE(As<BinaryExpr>(Keep("x == 1")).return_bool);
}

TEST(Parser, VectorMatchingOnIgnoringAndGroups) {
  ExprPtr on = MustParse("a * on(job, instance) group_left(name, ) b");
  const VectorMatching& matching = *As<BinaryExpr>(on).matching;
  EXPECT_TRUE(matching.on);
  EXPECT_EQ(matching.matching_labels, (std::vector<std::string>{"job", "instance"}));
  EXPECT_EQ(matching.card, VectorMatching::Card::kManyToOne);
  EXPECT_EQ(matching.include, std::vector<std::string>{"name"});

  ExprPtr ignoring = MustParse("a - ignoring(phase) group_right b");
  const VectorMatching& right = *As<BinaryExpr>(ignoring).matching;
  EXPECT_FALSE(right.on);
  EXPECT_EQ(right.matching_labels, std::vector<std::string>{"phase"});
  EXPECT_EQ(right.card, VectorMatching::Card::kOneToMany);
  EXPECT_TRUE(right.include.empty());

  // After group_left a '(' opens its labels, never the right-hand side.
  ExprPtr grouped = MustParse("a / on() group_left (c) (d)");
  EXPECT_EQ(As<BinaryExpr>(grouped).matching->include, std::vector<std::string>{"c"});
  EXPECT_EQ(Shape(*As<BinaryExpr>(grouped).rhs), "(paren d)");

  // Keywords may be label names there.
  EXPECT_EQ(As<BinaryExpr>(Keep("a + on(sum, by, offset, atan2) b")).matching->matching_labels,
            (std::vector<std::string>{"sum", "by", "offset", "atan2"}));
  EXPECT_EQ(As<BinaryExpr>(Keep("a > bool on(x) b")).matching->matching_labels,
            std::vector<std::string>{"x"});
}

TEST(Parser, SetOperatorsMatchManyToMany) {
  ExprPtr expr = MustParse("a and on(job) b");
  EXPECT_EQ(As<BinaryExpr>(expr).matching->card, VectorMatching::Card::kManyToMany);
  EXPECT_EQ(As<BinaryExpr>(Keep("a or b")).matching->card, VectorMatching::Card::kManyToMany);
  EXPECT_EQ(As<BinaryExpr>(Keep("a unless ignoring(x) b")).matching->card,
            VectorMatching::Card::kManyToMany);
  // Matching is dropped when a side is not a vector.
  EXPECT_FALSE(As<BinaryExpr>(Keep("a + on() 1")).matching.has_value());
}

TEST(Parser, Aggregations) {
  ExprPtr before = MustParse("sum by (device, phase) (power_watts)");
  const auto& by = As<AggregateExpr>(before);
  EXPECT_EQ(by.op, TokenType::kSum);
  EXPECT_EQ(by.grouping, (std::vector<std::string>{"device", "phase"}));
  EXPECT_FALSE(by.without);
  EXPECT_EQ(by.param, nullptr);
  EXPECT_EQ(Shape(*by.expr), "power_watts");
  EXPECT_EQ(before->type(), ValueType::kVector);
  EXPECT_EQ(before->position.end, 36u);

  const auto& after = As<AggregateExpr>(Keep("avg(x) without (a,)"));
  EXPECT_EQ(after.op, TokenType::kAvg);
  EXPECT_TRUE(after.without);
  EXPECT_EQ(after.grouping, std::vector<std::string>{"a"});

  const auto& empty = As<AggregateExpr>(Keep("SUM BY () (x)"));
  EXPECT_TRUE(empty.grouping.empty());
  EXPECT_FALSE(empty.without);

  const auto& topk = As<AggregateExpr>(Keep("topk(3, x)"));
  EXPECT_EQ(Shape(*topk.param), "3");
  EXPECT_EQ(Shape(*topk.expr), "x");
  EXPECT_EQ(ShapeOf("quantile(0.9, rate(x[5m]))"), "(quantile 0.9 (call rate x[300000]))");
  EXPECT_EQ(ShapeOf("count_values(\"v\", x)"), "(count_values 'v' x)");
  EXPECT_EQ(ShapeOf("sum(x) + 1"), "(+ (sum x) 1)");
  // Without '(' or by/without after it, an aggregator is a metric name.
  EXPECT_EQ(ShapeOf("sum + count"), "(+ sum count)");
}

TEST(Parser, FunctionCalls) {
  ExprPtr expr = MustParse("rate(power_watts[5m])");
  const auto& call = As<Call>(expr);
  EXPECT_EQ(call.function, FindFunction("rate"));
  ASSERT_EQ(call.args.size(), 1u);
  EXPECT_EQ(call.args[0]->kind, Expr::Kind::kMatrixSelector);
  EXPECT_EQ(expr->position.end, 21u);
  EXPECT_EQ(expr->type(), ValueType::kVector);
  EXPECT_EQ(As<Call>(Keep("time()")).function, FindFunction("time"));
  EXPECT_EQ(MustParse("time()")->type(), ValueType::kScalar);
  EXPECT_EQ(ShapeOf("round(x)"), "(call round x)");
  EXPECT_EQ(ShapeOf("round(x, 5)"), "(call round x 5)");
  EXPECT_EQ(ShapeOf("hour()"), "(call hour)");
  EXPECT_EQ(ShapeOf("label_join(x, \"d\", \",\", \"a\", \"b\", \"c\")"),
            "(call label_join x 'd' ',' 'a' 'b' 'c')");
  EXPECT_EQ(ShapeOf("label_join(x, \"d\", \",\")"), "(call label_join x 'd' ',')");
  EXPECT_EQ(ShapeOf("clamp(x, -1, 1)"), "(call clamp x -1 1)");
}

TEST(Parser, RangeSelectorsCarryOffsetAndAtOnTheirSelector) {
  ExprPtr expr = MustParse("x[5m] offset 1h @ 1700000000.5");
  const auto& matrix = As<MatrixSelector>(expr);
  EXPECT_EQ(matrix.range_ms, 300'000);
  EXPECT_EQ(matrix.selector->offset_ms, 3'600'000);
  ASSERT_TRUE(matrix.selector->at.has_value());
  EXPECT_EQ(matrix.selector->at->kind, AtModifier::Kind::kTimestamp);
  EXPECT_EQ(matrix.selector->at->timestamp_ms, 1'700'000'000'500);
  EXPECT_EQ(expr->position.end, 30u);
  EXPECT_EQ(As<MatrixSelector>(Keep("x[1h] @ end()")).selector->at->kind, AtModifier::Kind::kEnd);
}

TEST(Parser, AcceptsAtStartBeforeARangeAsPrometheusDoes) {
  // generated_parser.y refuses only an @ timestamp before a range.
  const auto& matrix = As<MatrixSelector>(Keep("x @ start() [5m]"));
  EXPECT_EQ(matrix.selector->at->kind, AtModifier::Kind::kStart);
  EXPECT_EQ(matrix.range_ms, 300'000);
}

TEST(Parser, OffsetsIncludingNegativeOnes) {
  ExprPtr expr = MustParse("x offset 5m");
  EXPECT_EQ(As<VectorSelector>(expr).offset_ms, 300'000);
  EXPECT_EQ(expr->position.end, 11u);
  EXPECT_EQ(As<VectorSelector>(Keep("x offset -1h30m")).offset_ms, -5'400'000);
  EXPECT_EQ(As<VectorSelector>(Keep("x OFFSET 1d")).offset_ms, 86'400'000);
  // offset binds tighter than any operator.
  EXPECT_EQ(As<VectorSelector>(As<BinaryExpr>(Keep("a + b offset 1m")).rhs).offset_ms, 60'000);
}

TEST(Parser, AtModifiers) {
  const auto& at = As<VectorSelector>(Keep("x @ 1700000000"));
  EXPECT_EQ(at.at->kind, AtModifier::Kind::kTimestamp);
  EXPECT_EQ(at.at->timestamp_ms, 1'700'000'000'000);
  EXPECT_EQ(As<VectorSelector>(Keep("x @ -1.5")).at->timestamp_ms, -1500);
  EXPECT_EQ(As<VectorSelector>(Keep("x @ +0.0004")).at->timestamp_ms, 0);  // rounded
  EXPECT_EQ(As<VectorSelector>(Keep("x @ start()")).at->kind, AtModifier::Kind::kStart);
  const auto& both = As<VectorSelector>(Keep("x @ end() offset 1m"));
  EXPECT_EQ(both.at->kind, AtModifier::Kind::kEnd);
  EXPECT_EQ(both.offset_ms, 60'000);
  EXPECT_FALSE(As<VectorSelector>(Keep("x")).at.has_value());
}

TEST(Parser, Subqueries) {
  ExprPtr expr = MustParse("max_over_time(rate(x[1m])[30m:1m] offset -5m @ start())");
  const auto& sub = As<SubqueryExpr>(As<Call>(expr).args[0]);
  EXPECT_EQ(sub.range_ms, 1'800'000);
  EXPECT_EQ(sub.step_ms, 60'000);
  EXPECT_EQ(sub.offset_ms, -300'000);
  EXPECT_EQ(sub.at->kind, AtModifier::Kind::kStart);
  EXPECT_EQ(Shape(*sub.expr), "(call rate x[60000])");
  EXPECT_EQ(sub.type(), ValueType::kMatrix);
  EXPECT_EQ(ShapeOf("(a + b)[5m:]"), "(paren (+ a b))[300000:0]");
  EXPECT_EQ(ShapeOf("sum(x)[1h:5m]"), "(sum x)[3600000:300000]");
  EXPECT_EQ(ShapeOf("max_over_time(x[10m:1m])[1h:]"),
            "(call max_over_time x[600000:60000])[3600000:0]");
  EXPECT_EQ(MustParse("x[5m:]")->position.end, 6u);
}

TEST(Parser, CommentsAnywhere) {
  EXPECT_EQ(ShapeOf("# total\nsum( # over devices\n x # the meter\n) # done"), "(sum x)");
}

// Each error with Prometheus's text, at Prometheus's position.
TEST(Parser, ReportsTypeErrorsOfBinaryExpressions) {
  EXPECT_EQ(ParseError("1 == 1"),
            "1:3: parse error: comparisons between scalars must use BOOL modifier");
  EXPECT_EQ(ParseError("x + bool 1"),
            "1:3: parse error: bool modifier can only be used on comparison operators");
  EXPECT_EQ(ParseError("1 and 1"),
            "1:1: parse error: set operator \"and\" not allowed in binary scalar expression");
  EXPECT_EQ(ParseError("x or 1"),
            "1:1: parse error: set operator \"or\" not allowed in binary scalar expression");
  EXPECT_EQ(ParseError("x + on(a) 1"),
            "1:1: parse error: vector matching only allowed between instant vectors");
  EXPECT_EQ(ParseError("a and on(b) group_left c"),
            "1:1: parse error: no grouping allowed for \"and\" operation");
  EXPECT_EQ(ParseError("a unless ignoring(b) group_right(d) c"),
            "1:1: parse error: no grouping allowed for \"unless\" operation");
  EXPECT_EQ(ParseError("a * on(x) group_left(x) b"),
            "1:3: parse error: label \"x\" must not occur in ON and GROUP clause at once");
  EXPECT_EQ(ParseError("x[5m] + 1"),
            "1:1: parse error: binary expression must contain only scalar and instant vector "
            "types");
  EXPECT_EQ(ParseError("1 + \"a\""),
            "1:5: parse error: binary expression must contain only scalar and instant vector "
            "types");
  EXPECT_EQ(ParseError("(1)\n  ==  2"),
            "2:3: parse error: comparisons between scalars must use BOOL modifier");
}

TEST(Parser, ReportsTypeErrorsOfCallsAndAggregations) {
  EXPECT_EQ(ParseError("rate(x)"),
            "1:6: parse error: expected type range vector in call to function \"rate\", got "
            "instant vector");
  EXPECT_EQ(ParseError("rate(x[5m], 1)"),
            "1:1: parse error: expected 1 argument(s) in call to \"rate\", got 2");
  EXPECT_EQ(ParseError("round()"),
            "1:1: parse error: expected at least 1 argument(s) in call to \"round\", got 0");
  EXPECT_EQ(ParseError("round(x, 1, 2)"),
            "1:1: parse error: expected at most 2 argument(s) in call to \"round\", got 3");
  EXPECT_EQ(ParseError("label_join(x, \"a\")"),
            "1:1: parse error: expected at least 3 argument(s) in call to \"label_join\", got 2");
  EXPECT_EQ(ParseError("label_join(x, \"a\", \",\", 1)"),
            "1:25: parse error: expected type string in call to function \"label_join\", got "
            "scalar");
  EXPECT_EQ(ParseError("foo(x)"), "1:1: parse error: unknown function with name \"foo\"");
  EXPECT_EQ(ParseError("sum(x[5m])"),
            "1:5: parse error: expected type instant vector in aggregation expression, got range "
            "vector");
  EXPECT_EQ(ParseError("topk(\"a\", x)"),
            "1:6: parse error: expected type scalar in aggregation parameter, got string");
  EXPECT_EQ(ParseError("count_values(1, x)"),
            "1:14: parse error: expected type string in aggregation parameter, got scalar");
  EXPECT_EQ(ParseError("sum()"),
            "1:1: parse error: no arguments for aggregate expression provided");
  EXPECT_EQ(ParseError("topk(x)"),
            "1:1: parse error: wrong number of arguments for aggregate expression provided, "
            "expected 2, got 1");
  EXPECT_EQ(ParseError("sum(x, y)"),
            "1:1: parse error: wrong number of arguments for aggregate expression provided, "
            "expected 1, got 2");
  EXPECT_EQ(ParseError("-x[5m]"),
            "1:1: parse error: unary expression only allowed on expressions of type scalar or "
            "instant vector, got \"range vector\"");
  EXPECT_EQ(ParseError("rate(x[5m], )"),
            "1:11: parse error: trailing commas not allowed in function call args");
  // The innermost error comes first, as checkAST walks the tree.
  EXPECT_EQ(ParseError("sum(rate(x)) == 1"),
            "1:10: parse error: expected type range vector in call to function \"rate\", got "
            "instant vector");
}

TEST(Parser, ReportsRangeOffsetAndAtErrors) {
  EXPECT_EQ(ParseError("rate(x[5m])[1h]"),
            "1:12: parse error: ranges only allowed for vector selectors");
  EXPECT_EQ(ParseError("(x)[5m]"), "1:4: parse error: ranges only allowed for vector selectors");
  EXPECT_EQ(ParseError("x offset 5m [1h]"),
            "1:13: parse error: no offset modifiers allowed before range");
  EXPECT_EQ(ParseError("x @ 10 [1h]"), "1:8: parse error: no @ modifiers allowed before range");
  EXPECT_EQ(ParseError("x offset 1m offset 2m"),
            "1:1: parse error: offset may not be set multiple times");
  EXPECT_EQ(ParseError("x[5m] offset 1m offset 2m"),
            "1:1: parse error: offset may not be set multiple times");
  EXPECT_EQ(ParseError("x @ 1 @ 2"),
            "1:1: parse error: @ <timestamp> may not be set multiple times");
  EXPECT_EQ(ParseError("x @ start() @ end()"),
            "1:1: parse error: @ <timestamp> may not be set multiple times");
  EXPECT_EQ(ParseError("sum(x) offset 1m"),
            "1:1: parse error: offset modifier must be preceded by an instant vector selector or "
            "range vector selector or a subquery");
  EXPECT_EQ(ParseError("(x) offset 1m"),
            "1:1: parse error: offset modifier must be preceded by an instant vector selector or "
            "range vector selector or a subquery");
  EXPECT_EQ(ParseError("1 @ 1"),
            "1:1: parse error: @ modifier must be preceded by an instant vector selector or range "
            "vector selector or a subquery");
  EXPECT_EQ(ParseError("x @ Inf"),
            "1:1: parse error: timestamp out of bounds for @ modifier: +Inf");
  EXPECT_EQ(ParseError("x @ 1e19"),
            "1:1: parse error: timestamp out of bounds for @ modifier: "
            "10000000000000000000.000000");
  EXPECT_EQ(ParseError("x offset 0s"), "1:10: parse error: duration must be greater than 0");
  EXPECT_EQ(ParseError("x[5m:0s]"), "1:6: parse error: duration must be greater than 0");
  EXPECT_EQ(ParseError("x[5m][1m:]"),
            "1:1: parse error: subquery is only allowed on instant vector, got matrix instead");
  EXPECT_EQ(ParseError("1[5m:]"),
            "1:1: parse error: subquery is only allowed on instant vector, got scalar instead");
}

TEST(Parser, ReportsSyntaxErrorsInTheirContext) {
  EXPECT_EQ(ParseError("x offset"),
            "1:9: parse error: unexpected end of input in offset, expected duration");
  EXPECT_EQ(ParseError("x offset +5m"),
            "1:10: parse error: unexpected <op:+> in offset, expected duration");
  EXPECT_EQ(ParseError("x @ foo"),
            "1:5: parse error: unexpected identifier \"foo\" in @, expected timestamp");
  EXPECT_EQ(ParseError("x @ start"),
            "1:10: parse error: unexpected end of input in @, expected timestamp");
  EXPECT_EQ(ParseError("x[5]"),
            "1:3: parse error: unexpected number \"5\" in subquery selector, expected duration");
  EXPECT_EQ(ParseError("x[5m 1m]"),
            "1:6: parse error: unexpected duration \"1m\" in subquery or range, expected \":\" or "
            "\"]\"");
  EXPECT_EQ(ParseError("x[5m:1m 1m]"),
            "1:9: parse error: unexpected duration \"1m\" in subquery selector, expected \"]\"");
  EXPECT_EQ(ParseError("sum by x (y)"),
            "1:8: parse error: unexpected identifier \"x\" in grouping opts, expected \"(\"");
  EXPECT_EQ(ParseError("sum by (a b) (y)"),
            "1:11: parse error: unexpected identifier \"b\" in grouping opts, expected \",\" or "
            "\")\"");
  EXPECT_EQ(ParseError("sum by (a:b) (y)"),
            "1:9: parse error: unexpected metric identifier \"a:b\" in grouping opts, expected "
            "label");
  EXPECT_EQ(ParseError("sum by (without) (x)"),
            "1:9: parse error: unexpected <without> in grouping opts, expected label");
  EXPECT_EQ(ParseError("sum by (a,,) (x)"),
            "1:11: parse error: unexpected \",\" in grouping opts, expected label");
  EXPECT_EQ(ParseError("sum by (a) y"),
            "1:12: parse error: unexpected identifier \"y\" in aggregation");
  EXPECT_EQ(ParseError("sum(rate(x[5m]) y)"),
            "1:17: parse error: unexpected identifier \"y\" in aggregation");
  EXPECT_EQ(ParseError("rate(x[5m] y)"), "1:12: parse error: unexpected identifier \"y\"");
  EXPECT_EQ(ParseError("x +"), "1:4: parse error: unexpected end of input");
  EXPECT_EQ(ParseError("a + group_left b"), "1:5: parse error: unexpected <group_left>");
  EXPECT_EQ(ParseError("()"), "1:2: parse error: unexpected \")\"");
  EXPECT_EQ(ParseError("sum(x) by (a) (y)"), "1:15: parse error: unexpected \"(\"");
  EXPECT_EQ(ParseError("rate(x[5m]"), "1:11: parse error: unclosed left parenthesis");
}

TEST(Parser, RefusesTreesNestedTooDeeply) {
  // Checking, printing and freeing a tree recurse, so its depth is bounded.
  const std::string parens = std::string(600, '(') + "1" + std::string(600, ')');
  EXPECT_EQ(ParseError(parens), "1:501: parse error: expression nested deeper than 500 levels");
  std::string chain = "1";
  for (int i = 0; i < 600; ++i) chain += " + 1";
  EXPECT_EQ(ParseError(chain), "1:1: parse error: expression nested deeper than 500 levels");
  EXPECT_EQ(ParseError(std::string(600, '-') + "x"),
            "1:501: parse error: expression nested deeper than 500 levels");
  std::string fine = "x";
  for (int i = 0; i < 400; ++i) fine += " + x";
  EXPECT_EQ(ParseError(fine), "parsed");
}

TEST(ExprToString, PrintsPrometheusCanonicalForm) {
  auto print = [](std::string_view query) { return ExprToString(*MustParse(query)); };
  EXPECT_EQ(print("sum by(a)(rate(x{b=\"c\"}[5m] offset 1m))"),
            "sum by (a) (rate(x{b=\"c\"}[5m] offset 1m))");
  EXPECT_EQ(print("sum(x) without(a,b)"), "sum without (a, b) (x)");
  EXPECT_EQ(print("sum by() (x)"), "sum(x)");
  EXPECT_EQ(print("sum without() (x)"), "sum without () (x)");
  EXPECT_EQ(print("topk(5,x)"), "topk(5, x)");
  EXPECT_EQ(print("a-on(b)group_left(x,y)c"), "a - on (b) group_left (x, y) c");
  EXPECT_EQ(print("a - on(b) group_left c"), "a - on (b) group_left () c");
  EXPECT_EQ(print("a - on() c"), "a - on () c");
  EXPECT_EQ(print("a - ignoring() c"), "a - c");
  EXPECT_EQ(print("a - ignoring(b) group_right(c) d"), "a - ignoring (b) group_right (c) d");
  EXPECT_EQ(print("a * ignoring() group_left(n) b"), "a * ignoring () group_left (n) b");
  EXPECT_EQ(print("up>bool 0"), "up > bool 0");
  EXPECT_EQ(print("a offset -7m"), "a offset -7m");
  EXPECT_EQ(print("a[12m] offset -3m"), "a[12m] offset -3m");
  EXPECT_EQ(print("a[1h:5m] offset 1m"), "a[1h:5m] offset 1m");
  EXPECT_EQ(print("a[90m:]"), "a[1h30m:]");
  EXPECT_EQ(print("a[7d]"), "a[1w]");
  EXPECT_EQ(print("a[8d]"), "a[8d]");
  EXPECT_EQ(print("a @ 10"), "a @ 10.000");
  EXPECT_EQ(print("a[1m] @ start()"), "a[1m] @ start()");
  EXPECT_EQ(print("a @ end() offset 1m"), "a @ end() offset 1m");
  EXPECT_EQ(print("{__name__=\"a\"}"), "{__name__=\"a\"}");
  EXPECT_EQ(print("a{z=\"1\",b!~\"c\"}"), "a{b!~\"c\",z=\"1\"}");
  EXPECT_EQ(print("-x"), "-x");
  EXPECT_EQ(print("-1"), "-1");
  EXPECT_EQ(print("1e3 + 0x10 + .5"), "1000 + 16 + 0.5");
  EXPECT_EQ(print("Inf + -Inf + NaN"), "+Inf + -Inf + NaN");
  EXPECT_EQ(print("Inf ^ 2"), "Inf ^ 2");  // "+Inf ^ 2" would read as +(Inf ^ 2)
  EXPECT_EQ(print("'a\"b'"), "\"a\\\"b\"");
  EXPECT_EQ(print("(a)"), "(a)");
  EXPECT_EQ(print("count_values('v', x)"), "count_values(\"v\", x)");
  EXPECT_EQ(print("x and on(a) y"), "x and on (a) y");
  // Values are quoted as Go's %q quotes them, bytes that are not UTF-8 too.
  EXPECT_EQ(print("x{a='\\xff\\n'}"), "x{a=\"\\xff\\n\"}");
}

TEST(ExprToString, RoundTrips) {
  const char* queries[] = {
      "sum by (device) (rate(power_watts{phase=~\"a|b\"}[5m] offset 1h)) > bool 1e3",
      "-(1 + 2) ^ -3 % 4 atan2 x",
      "a * on(job) group_right(x, y) b unless c or d and ignoring(e) f",
      "quantile without (a) (0.9, max_over_time(x[1h:1m] @ 1700000000.123 offset -5m))",
      "label_replace(x, \"dst\", \"$1\", \"src\", \"(.*)\")",
      "count_values(\"value\", x) / scalar(y) - time()",
      "x @ start() offset 1d",
      "avg_over_time((x)[10m:30s])[1h:] ",
      "{job=\"a\",__name__=~\"power.*\"} != 0",
  };
  for (const char* query : queries) {
    const std::string printed = ExprToString(*MustParse(query));
    EXPECT_EQ(ExprToString(*MustParse(printed)), printed) << query;
    EXPECT_EQ(Shape(*MustParse(printed)), Shape(*MustParse(query))) << query;
  }
}

}  // namespace
}  // namespace wattline::aggregator
