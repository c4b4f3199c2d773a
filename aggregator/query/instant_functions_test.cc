#include "aggregator/query/instant_functions.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

namespace wattline::aggregator {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double Apply(std::string_view name, double value, std::vector<double> scalars = {}) {
  ValueKernel kernel = FindValueKernel(name);
  EXPECT_NE(kernel, nullptr) << name;
  return kernel == nullptr ? kNaN : kernel(value, scalars);
}

TEST(ValueKernels, FindsPerValueFunctionsOnly) {
  EXPECT_NE(FindValueKernel("abs"), nullptr);
  EXPECT_NE(FindValueKernel("days_in_month"), nullptr);
  EXPECT_EQ(FindValueKernel("rate"), nullptr);
  EXPECT_EQ(FindValueKernel("label_replace"), nullptr);
  EXPECT_EQ(FindValueKernel("vector"), nullptr);
}

TEST(ValueKernels, Math) {
  EXPECT_EQ(Apply("abs", -2.5), 2.5);
  EXPECT_EQ(Apply("ceil", 1.2), 2);
  EXPECT_EQ(Apply("floor", -1.2), -2);
  EXPECT_EQ(Apply("sqrt", 16), 4);
  EXPECT_EQ(Apply("exp", 0), 1);
  EXPECT_EQ(Apply("ln", 1), 0);
  EXPECT_EQ(Apply("log2", 8), 3);
  EXPECT_DOUBLE_EQ(Apply("log2", 10), std::log2(10));
  EXPECT_DOUBLE_EQ(Apply("log10", 1000), 3);
  EXPECT_TRUE(std::isnan(Apply("sqrt", -1)));
  EXPECT_EQ(Apply("ln", 0), -kInf);
}

TEST(ValueKernels, Trigonometry) {
  EXPECT_EQ(Apply("sin", 0), 0);
  EXPECT_EQ(Apply("cos", 0), 1);
  EXPECT_DOUBLE_EQ(Apply("tan", std::numbers::pi / 4), 1);
  EXPECT_DOUBLE_EQ(Apply("asin", 1), std::numbers::pi / 2);
  EXPECT_DOUBLE_EQ(Apply("acos", -1), std::numbers::pi);
  EXPECT_DOUBLE_EQ(Apply("atan", 1), std::numbers::pi / 4);
  EXPECT_EQ(Apply("sinh", 0), 0);
  EXPECT_EQ(Apply("cosh", 0), 1);
  EXPECT_EQ(Apply("tanh", kInf), 1);
  EXPECT_EQ(Apply("asinh", 0), 0);
  EXPECT_EQ(Apply("acosh", 1), 0);
  EXPECT_EQ(Apply("atanh", 1), kInf);
  EXPECT_DOUBLE_EQ(Apply("deg", std::numbers::pi), 180);
  EXPECT_DOUBLE_EQ(Apply("rad", 180), std::numbers::pi);
}

TEST(ValueKernels, SgnKeepsZeroAndNaN) {
  EXPECT_EQ(Apply("sgn", -3), -1);
  EXPECT_EQ(Apply("sgn", 0.001), 1);
  EXPECT_EQ(Apply("sgn", 0), 0);
  EXPECT_TRUE(std::signbit(Apply("sgn", -0.0)));
  EXPECT_TRUE(std::isnan(Apply("sgn", kNaN)));
}

TEST(ValueKernels, RoundBreaksTiesUpward) {
  EXPECT_EQ(Apply("round", 2.5), 3);
  EXPECT_EQ(Apply("round", -2.5), -2);
  EXPECT_EQ(Apply("round", 2.4), 2);
  EXPECT_EQ(Apply("round", 2.5, {1}), 3);
  // To the nearest 5: floor(7 * 0.2 + 0.5) / 0.2.
  EXPECT_EQ(Apply("round", 7, {5}), 5);
  EXPECT_EQ(Apply("round", 8, {5}), 10);
  // To the nearest 0.1: floor(123.4 + 0.5) / 10.
  EXPECT_DOUBLE_EQ(Apply("round", 12.34, {0.1}), 12.3);
}

TEST(ValueKernels, ClampFollowsGoMaxAndMin) {
  EXPECT_EQ(Apply("clamp", 5, {0, 3}), 3);
  EXPECT_EQ(Apply("clamp", -1, {0, 3}), 0);
  EXPECT_EQ(Apply("clamp", 2, {0, 3}), 2);
  EXPECT_EQ(Apply("clamp_min", -1, {0}), 0);
  EXPECT_EQ(Apply("clamp_min", 4, {0}), 4);
  EXPECT_EQ(Apply("clamp_max", 4, {3}), 3);
  // Go's Max and Min: NaN wins over numbers, an infinity of the right sign
  // wins over NaN, and -0 is below +0.
  EXPECT_TRUE(std::isnan(Apply("clamp_min", kNaN, {0})));
  EXPECT_TRUE(std::isnan(Apply("clamp_max", 1, {kNaN})));
  EXPECT_EQ(Apply("clamp_min", kNaN, {kInf}), kInf);
  EXPECT_EQ(Apply("clamp_max", kNaN, {-kInf}), -kInf);
  EXPECT_FALSE(std::signbit(Apply("clamp_min", -0.0, {0.0})));
  EXPECT_TRUE(std::signbit(Apply("clamp_max", 0.0, {-0.0})));
}

struct Date {
  double day_of_month, day_of_week, day_of_year, days_in_month, hour, minute, month, year;
};

void ExpectDate(double unix_seconds, Date want) {
  SCOPED_TRACE(unix_seconds);
  EXPECT_EQ(Apply("day_of_month", unix_seconds), want.day_of_month);
  EXPECT_EQ(Apply("day_of_week", unix_seconds), want.day_of_week);
  EXPECT_EQ(Apply("day_of_year", unix_seconds), want.day_of_year);
  EXPECT_EQ(Apply("days_in_month", unix_seconds), want.days_in_month);
  EXPECT_EQ(Apply("hour", unix_seconds), want.hour);
  EXPECT_EQ(Apply("minute", unix_seconds), want.minute);
  EXPECT_EQ(Apply("month", unix_seconds), want.month);
  EXPECT_EQ(Apply("year", unix_seconds), want.year);
}

TEST(CalendarFunctions, KnownDatesInUtc) {
  // 1970-01-01 00:00, a Thursday.
  ExpectDate(0, {1, 4, 1, 31, 0, 0, 1, 1970});
  // 2024-02-29 13:45:00, a Thursday in a leap year: 2024-01-01 is day
  // 19723 since the epoch, plus 31 + 28 days, plus 13 h 45 min.
  ExpectDate(19782 * 86400.0 + 13 * 3600 + 45 * 60, {29, 4, 60, 29, 13, 45, 2, 2024});
  // 2023-02-15 00:00, a Wednesday: February has 28 days.
  ExpectDate(1676419200, {15, 3, 46, 28, 0, 0, 2, 2023});
  // 2000-12-31 23:59:59, a Sunday, the 366th day of a leap century.
  ExpectDate(978307199, {31, 0, 366, 31, 23, 59, 12, 2000});
  // 1900-03-01, not a leap year (1900 is divisible by 100, not 400).
  ExpectDate(-2203891200, {1, 4, 60, 31, 0, 0, 3, 1900});
}

TEST(CalendarFunctions, BeforeTheEpochAndFractions) {
  // One second before the epoch: 1969-12-31 23:59:59, a Wednesday.
  ExpectDate(-1, {31, 3, 365, 31, 23, 59, 12, 1969});
  // int64(v) truncates toward zero: -0.5 is second 0.
  ExpectDate(-0.5, {1, 4, 1, 31, 0, 0, 1, 1970});
  ExpectDate(59.9, {1, 4, 1, 31, 0, 0, 1, 1970});
}

TEST(CalendarFunctions, NonFiniteValuesHaveNoDate) {
  EXPECT_TRUE(std::isnan(Apply("year", kNaN)));
  EXPECT_TRUE(std::isnan(Apply("month", kInf)));
  EXPECT_TRUE(std::isnan(Apply("hour", -1e300)));
}

TEST(Quantile, InterpolatesBetweenRanks) {
  std::vector<double> values = {4, 1, 3, 2};
  EXPECT_EQ(Quantile(0, values), 1);
  EXPECT_EQ(Quantile(0.5, values), 2.5);    // rank 1.5: halfway between 2 and 3
  EXPECT_EQ(Quantile(0.25, values), 1.75);  // rank 0.75
  EXPECT_EQ(Quantile(1, values), 4);
  EXPECT_EQ(Quantile(-0.1, values), -kInf);
  EXPECT_EQ(Quantile(1.1, values), kInf);
  EXPECT_TRUE(std::isnan(Quantile(kNaN, values)));
  std::vector<double> none;
  EXPECT_TRUE(std::isnan(Quantile(0.5, none)));
  std::vector<double> one = {7};
  EXPECT_EQ(Quantile(0.9, one), 7);
}

TEST(Quantile, NaNsSortFirst) {
  std::vector<double> values = {3, kNaN, 1};
  EXPECT_TRUE(std::isnan(Quantile(0, values)));
  EXPECT_EQ(Quantile(1, values), 3);
}

const Labels kTarget = {{"__name__", "up"}, {"instance", "meter-3:9100"}, {"job", "agent"}};

Labels Replace(std::string_view dst, std::string_view replacement, std::string_view src,
               std::string_view regex) {
  Result<Labels> result = LabelReplace(kTarget, dst, replacement, src, regex);
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? *result : Labels{};
}

TEST(LabelReplace, ExpandsNumberedGroups) {
  EXPECT_EQ(
      Replace("port", "$2", "instance", "(.*):(.*)"),
      (Labels{
          {"__name__", "up"}, {"instance", "meter-3:9100"}, {"job", "agent"}, {"port", "9100"}}));
  EXPECT_EQ(Replace("host", "${1}x", "instance", "(.*):.*"), (Labels{{"__name__", "up"},
                                                                     {"host", "meter-3x"},
                                                                     {"instance", "meter-3:9100"},
                                                                     {"job", "agent"}}));
}

TEST(LabelReplace, ExpandsNamedGroupsAsGoDoes) {
  const std::string regex = "(?P<host>[^:]+):(?P<port>[0-9]+)";
  EXPECT_EQ(LabelValue(Replace("job", "${host}_${port}", "instance", regex), "job"),
            "meter-3_9100");
  // "$host_x" names the group "host_x", which does not exist: empty.
  EXPECT_EQ(LabelValue(Replace("job", "$host_x", "instance", regex), "job"), "");
  // "$1x" names group "1x": empty too, and "$$" is a literal "$".
  EXPECT_EQ(LabelValue(Replace("job", "$1x-$$1-$2", "instance", regex), "job"), "-$1-9100");
  // A malformed reference stays as text.
  EXPECT_EQ(LabelValue(Replace("job", "${host", "instance", regex), "job"), "${host");
}

TEST(LabelReplace, NoMatchLeavesLabelsAlone) {
  EXPECT_EQ(Replace("port", "$1", "instance", "nothing(.*)"), kTarget);
  // Anchored at both ends: "meter" alone does not match "meter-3:9100".
  EXPECT_EQ(Replace("port", "x", "instance", "meter"), kTarget);
}

TEST(LabelReplace, DotDoesNotMatchNewlineAsIn242) {
  const Labels labels = {{"__name__", "up"}, {"note", "a\nb"}};
  Result<Labels> result = LabelReplace(labels, "x", "y", "note", "a.b");
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(*result, labels);
}

TEST(LabelReplace, EmptyResultRemovesTheLabel) {
  // The missing label "zone" has the value "", which "(.*)" matches.
  EXPECT_EQ(Replace("job", "$1", "zone", "(.*)"),
            (Labels{{"__name__", "up"}, {"instance", "meter-3:9100"}}));
}

TEST(LabelReplace, RejectsBadRegexAndDestination) {
  Result<Labels> bad_regex = LabelReplace(kTarget, "x", "", "job", "(");
  ASSERT_FALSE(bad_regex.ok());
  EXPECT_EQ(bad_regex.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(bad_regex.status().message(), "invalid regular expression in label_replace(): (");
  Result<Labels> bad_dst = LabelReplace(kTarget, "1x", "", "job", ".*");
  ASSERT_FALSE(bad_dst.ok());
  EXPECT_EQ(bad_dst.status().message(), "invalid destination label name in label_replace(): 1x");
}

TEST(LabelReplacer, AppliesOneCompiledRegexToManySeries) {
  Result<LabelReplacer> replacer = LabelReplacer::Make("phase", "L$1", "channel", "ch([1-3])");
  ASSERT_TRUE(replacer.ok()) << replacer.status().ToString();
  EXPECT_EQ(replacer->Apply({{"__name__", "power_watts"}, {"channel", "ch2"}}),
            (Labels{{"__name__", "power_watts"}, {"channel", "ch2"}, {"phase", "L2"}}));
  EXPECT_EQ(replacer->Apply({{"__name__", "power_watts"}, {"channel", "ch7"}}),
            (Labels{{"__name__", "power_watts"}, {"channel", "ch7"}}));
  EXPECT_FALSE(LabelReplacer::Make("phase", "", "channel", "[").ok());
}

TEST(LabelJoin, JoinsSourcesWithTheSeparator) {
  const std::vector<std::string> sources = {"job", "zone", "instance"};
  Result<Labels> joined = LabelJoin(kTarget, "id", "/", sources);
  ASSERT_TRUE(joined.ok());
  EXPECT_EQ(*joined, (Labels{{"__name__", "up"},
                             {"id", "agent//meter-3:9100"},
                             {"instance", "meter-3:9100"},
                             {"job", "agent"}}));
}

TEST(LabelJoin, EmptyJoinRemovesTheDestination) {
  const std::vector<std::string> sources = {"zone"};
  Result<Labels> joined = LabelJoin(kTarget, "job", "", sources);
  ASSERT_TRUE(joined.ok());
  EXPECT_EQ(*joined, (Labels{{"__name__", "up"}, {"instance", "meter-3:9100"}}));
}

TEST(LabelJoin, RejectsBadLabelNames) {
  const std::vector<std::string> bad_source = {"job", "a-b"};
  Result<Labels> result = LabelJoin(kTarget, "id", ",", bad_source);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(), "invalid source label name in label_join(): a-b");
  const std::vector<std::string> sources = {"job"};
  result = LabelJoin(kTarget, "", ",", sources);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(), "invalid destination label name in label_join(): ");
}

}  // namespace
}  // namespace wattline::aggregator
