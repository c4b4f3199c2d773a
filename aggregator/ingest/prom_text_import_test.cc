#include "aggregator/ingest/prom_text_import.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>

namespace wattline::aggregator {
namespace {

constexpr int64_t kNowMs = 1'700'000'000'000;

std::vector<SeriesSamples> Parse(std::string_view text) {
  Result<std::vector<SeriesSamples>> series = ParsePromText(text, kNowMs);
  EXPECT_TRUE(series.ok()) << series.status().ToString();
  return series.ok() ? *series : std::vector<SeriesSamples>{};
}

std::string ErrorOf(std::string_view text) {
  Result<std::vector<SeriesSamples>> series = ParsePromText(text, kNowMs);
  EXPECT_FALSE(series.ok()) << "accepted: " << text;
  if (series.ok()) return "";
  EXPECT_EQ(series.status().code(), Status::Code::kInvalidArgument);
  return series.status().message();
}

TEST(PromTextImport, ReadsNameLabelsValueAndTimestamp) {
  auto series = Parse("power_watts{phase=\"a\",device=\"panel\"} 230.5 1700000000123\n");
  ASSERT_EQ(series.size(), 1u);
  EXPECT_EQ(series[0].labels,
            (Labels{{"__name__", "power_watts"}, {"device", "panel"}, {"phase", "a"}}));
  EXPECT_EQ(series[0].timestamps_ms, std::vector<int64_t>{1'700'000'000'123});
  EXPECT_EQ(series[0].values, std::vector<double>{230.5});
}

TEST(PromTextImport, SampleWithoutTimestampOrWithZeroGetsTheServersTime) {
  auto series = Parse("a 1\nb{x=\"y\"} 2 0\nc 3 \n");
  ASSERT_EQ(series.size(), 3u);
  for (const SeriesSamples& one : series) {
    EXPECT_EQ(one.timestamps_ms, std::vector<int64_t>{kNowMs}) << LabelsToString(one.labels);
  }
}

TEST(PromTextImport, IgnoresCommentsHelpTypeBlankLinesAndCarriageReturns) {
  auto series = Parse(
      "# HELP power_watts Power.\r\n"
      "# TYPE power_watts gauge\r\n"
      "\r\n"
      "   \t\n"
      "  #another comment\n"
      "power_watts 1 1700000000000\r\n");
  ASSERT_EQ(series.size(), 1u);
  EXPECT_EQ(series[0].values, std::vector<double>{1});
}

TEST(PromTextImport, UnescapesLabelValuesAsVictoriaMetricsDoes) {
  auto series = Parse(R"(m{a="back\\slash",b="say \"hi\"",c="two\nlines",d="tab\t"} 1)");
  ASSERT_EQ(series.size(), 1u);
  EXPECT_EQ(LabelValue(series[0].labels, "a"), "back\\slash");
  EXPECT_EQ(LabelValue(series[0].labels, "b"), "say \"hi\"");
  EXPECT_EQ(LabelValue(series[0].labels, "c"), "two\nlines");
  EXPECT_EQ(LabelValue(series[0].labels, "d"), "tab\\t");  // unknown escape kept
}

TEST(PromTextImport, ReadsSpecialValuesAndExponents) {
  auto series = Parse(
      "m{v=\"nan\"} NaN 1\nm{v=\"pinf\"} +Inf 1\nm{v=\"ninf\"} -Inf 1\n"
      "m{v=\"exp\"} -2.5e3 1\nm{v=\"hex\"} 0x1p4 1\n");
  ASSERT_EQ(series.size(), 5u);
  auto value = [&](std::string_view v) {
    for (const SeriesSamples& one : series) {
      if (LabelValue(one.labels, "v") == v) return one.values.at(0);
    }
    ADD_FAILURE() << "no series v=" << v;
    return 0.0;
  };
  EXPECT_TRUE(std::isnan(value("nan")));
  EXPECT_EQ(value("pinf"), std::numeric_limits<double>::infinity());
  EXPECT_EQ(value("ninf"), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(value("exp"), -2500);
  EXPECT_EQ(value("hex"), 16);
}

TEST(PromTextImport, AcceptsSpacesTrailingCommaAndNoLabels) {
  auto series = Parse("  m { a = \"1\" , b=\"2\", }\t5\t1700000000000  \n");
  ASSERT_EQ(series.size(), 1u);
  EXPECT_EQ(series[0].labels, (Labels{{"__name__", "m"}, {"a", "1"}, {"b", "2"}}));
  EXPECT_EQ(series[0].values, std::vector<double>{5});
}

TEST(PromTextImport, EmptyLabelValueIsAbsent) {
  auto series = Parse("m{a=\"\"} 1 1700000000000\nm 2 1700000000001\n");
  ASSERT_EQ(series.size(), 1u);
  EXPECT_EQ(series[0].labels, (Labels{{"__name__", "m"}}));
  EXPECT_EQ(series[0].values, (std::vector<double>{1, 2}));
}

TEST(PromTextImport, GroupsLinesOfASeriesSortedByTimeAndTheLastDuplicateWins) {
  auto series = Parse(
      "m{a=\"1\"} 30 3000000000000\n"
      "m{a=\"2\"} 99 1000000000000\n"
      "m{a=\"1\"} 10 1000000000000\n"
      "m{a=\"1\"} 20 2000000000000\n"
      "m{a=\"1\"} 11 1000000000000\n");
  ASSERT_EQ(series.size(), 2u);
  const SeriesSamples& one = LabelValue(series[0].labels, "a") == "1" ? series[0] : series[1];
  EXPECT_EQ(one.timestamps_ms,
            (std::vector<int64_t>{1'000'000'000'000, 2'000'000'000'000, 3'000'000'000'000}));
  EXPECT_EQ(one.values, (std::vector<double>{11, 20, 30}));
}

TEST(PromTextImport, NegativeTimestampIsReadAsGiven) {
  // The time rules (sample_time_rules.h) refuse it later, counted.
  auto series = Parse("m 1 -5\n");
  ASSERT_EQ(series.size(), 1u);
  EXPECT_EQ(series[0].timestamps_ms, std::vector<int64_t>{-5});
}

struct MalformedCase {
  const char* line;
  const char* error;  // for the line after a valid one: line 2
};

class PromTextImportMalformed : public ::testing::TestWithParam<MalformedCase> {};

TEST_P(PromTextImportMalformed, FailsNamingLineColumnAndWhatWasExpected) {
  std::string text = "# comment\nok 1\n" + std::string(GetParam().line) + "\nlater 2\n";
  EXPECT_EQ(ErrorOf(text), GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    EveryClass, PromTextImportMalformed,
    ::testing::Values(
        MalformedCase{R"({a="b"} 1)", "line 3, column 1: expected a metric name"},
        MalformedCase{"9m 1", "line 3, column 1: expected a metric name"},
        MalformedCase{"m-x 1", "line 3, column 2: expected '{' or a space after the metric name"},
        MalformedCase{"m", "line 3, column 2: expected a value"},
        MalformedCase{R"(m{a="b"})", "line 3, column 9: expected a value"},
        MalformedCase{R"(m{1a="b"} 1)", "line 3, column 3: expected a label name or '}'"},
        MalformedCase{"m{",
                      "line 3, column 3: expected a label name or '}' before the end of "
                      "the line"},
        MalformedCase{R"(m{a "b"} 1)", "line 3, column 5: expected '=' after the label name"},
        MalformedCase{R"(m{a=b} 1)", "line 3, column 5: expected '\"' to open the label value"},
        MalformedCase{R"(m{a="b} 1)",
                      "line 3, column 10: expected '\"' to close the label value opened at "
                      "column 5"},
        MalformedCase{R"(m{a="b\"} 1)",
                      "line 3, column 12: expected '\"' to close the label value opened at "
                      "column 5"},
        MalformedCase{R"(m{a="b" c="d"} 1)",
                      "line 3, column 9: expected ',' or '}' after the label value"},
        MalformedCase{R"(m{a="b",a="c"} 1)",
                      "line 3, column 9: expected each label name once, \"a\" repeats"},
        MalformedCase{R"(m{__name__="x"} 1)",
                      "line 3, column 3: expected the metric name before '{', not as a label"},
        MalformedCase{"m abc", "line 3, column 3: expected a number as the value, got \"abc\""},
        MalformedCase{"m 1,5", "line 3, column 3: expected a number as the value, got \"1,5\""},
        MalformedCase{"m 1 12.5",
                      "line 3, column 5: expected a timestamp in integer milliseconds, got "
                      "\"12.5\""},
        MalformedCase{"m 1 99999999999999999999",
                      "line 3, column 5: expected a timestamp in integer milliseconds, got "
                      "\"99999999999999999999\""},
        MalformedCase{"m 1 2 3",
                      "line 3, column 7: expected the end of the line after the "
                      "timestamp"}));

// Lines of a series already read take a shorter path (only the value and
// timestamp are parsed); it must read and refuse exactly as the full one.
TEST(PromTextImport, ARepeatedSeriesIsReadAndCheckedLikeTheFirstLine) {
  auto series = Parse("a{x=\"}\"} 1 1000\na{x=\"}\"} 2 2000\na{x=\"}\"}  3\n");
  ASSERT_EQ(series.size(), 1u);
  EXPECT_EQ(series[0].labels, (Labels{{"__name__", "a"}, {"x", "}"}}));
  EXPECT_EQ(series[0].values, (std::vector<double>{1, 2, 3}));
  EXPECT_EQ(series[0].timestamps_ms, (std::vector<int64_t>{1000, 2000, kNowMs}));
  EXPECT_EQ(ErrorOf("a{x=\"1\"} 1 1000\na{x=\"1\"} one 2000\n"),
            "line 2, column 10: expected a number as the value, got \"one\"");
  EXPECT_EQ(ErrorOf("a 1 1000\na 2 20x0\n"),
            "line 2, column 5: expected a timestamp in integer milliseconds, got \"20x0\"");
  EXPECT_EQ(ErrorOf("a{x=\"1\"} 1\na{x=\"1\"}\n"), "line 2, column 9: expected a value");
}

TEST(PromTextImport, QuotesAtMostFortyBytesOfABadToken) {
  std::string error = ErrorOf("m " + std::string(1000, 'x'));
  EXPECT_EQ(error, "line 1, column 3: expected a number as the value, got \"" +
                       std::string(40, 'x') + "...\"");
}

TEST(PromTextImport, ALongInputIsReadWhole) {
  std::string text;
  for (int i = 0; i < 20'000; ++i) {
    text += "m{i=\"" + std::to_string(i % 100) + "\"} " + std::to_string(i) + " " +
            std::to_string(1'700'000'000'000 + i) + "\n";
  }
  auto series = Parse(text);
  ASSERT_EQ(series.size(), 100u);
  size_t samples = 0;
  for (const SeriesSamples& one : series) samples += one.values.size();
  EXPECT_EQ(samples, 20'000u);
}

}  // namespace
}  // namespace wattline::aggregator
