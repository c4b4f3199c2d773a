#include "tests/promql/query_corpus.h"

#include <gtest/gtest.h>

namespace wattline::testing {
namespace {

TEST(ParseOffsetMs, PrometheusStyleDurationsAndBareSeconds) {
  EXPECT_EQ(*ParseOffsetMs("90"), 90'000);
  EXPECT_EQ(*ParseOffsetMs("1h30m"), 5'400'000);
  EXPECT_EQ(*ParseOffsetMs("2h4m50s"), 7'490'000);
  EXPECT_EQ(*ParseOffsetMs("0.5s"), 500);
  EXPECT_FALSE(ParseOffsetMs("").ok());
  EXPECT_FALSE(ParseOffsetMs("5d").ok());
  EXPECT_FALSE(ParseOffsetMs("-5").ok());
}

TEST(ParseCorpus, InstantAndRangeLinesSkippingComments) {
  auto corpus = ParseCorpus(
      "# selectors\n\ninstant 1h power_watts{device=\"panel\"}\n"
      "range 0 6h 60 sum by (device) (power_watts)  \n");
  ASSERT_TRUE(corpus.ok()) << corpus.status().ToString();
  ASSERT_EQ(corpus->size(), 2u);
  EXPECT_FALSE((*corpus)[0].range);
  EXPECT_EQ((*corpus)[0].time_ms, 3'600'000);
  EXPECT_EQ((*corpus)[0].query, "power_watts{device=\"panel\"}");
  EXPECT_TRUE((*corpus)[1].range);
  EXPECT_EQ((*corpus)[1].start_ms, 0);
  EXPECT_EQ((*corpus)[1].end_ms, 21'600'000);
  EXPECT_EQ((*corpus)[1].step_ms, 60'000);
  EXPECT_EQ((*corpus)[1].query, "sum by (device) (power_watts)");
  EXPECT_EQ((*corpus)[1].line, "range 0 6h 60 sum by (device) (power_watts)");
}

TEST(ParseCorpus, MalformedLinesNameTheirNumber) {
  auto kind = ParseCorpus("instant 0 up\nrage 0 1h 1m up\n");
  ASSERT_FALSE(kind.ok());
  EXPECT_EQ(kind.status().message(), "line 2: expected \"instant\" or \"range\"");
  EXPECT_FALSE(ParseCorpus("instant 1h\n").ok());
  EXPECT_FALSE(ParseCorpus("range 0 1h up\n").ok());
}

TEST(ParseKnownDifferences, LinesWithoutCommentsOrTrailingSpace) {
  auto known = ParseKnownDifferences("# why\ninstant 0 up  \n\nrange 0 1h 1m up\n");
  EXPECT_EQ(known, (std::set<std::string>{"instant 0 up", "range 0 1h 1m up"}));
}

}  // namespace
}  // namespace wattline::testing
