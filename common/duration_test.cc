#include "common/duration.h"

#include <gtest/gtest.h>

namespace wattline {
namespace {

TEST(Duration, ParsesPrometheusUnits) {
  EXPECT_EQ(*ParseDurationMs("500ms"), 500);
  EXPECT_EQ(*ParseDurationMs("5s"), 5000);
  EXPECT_EQ(*ParseDurationMs("1m30s"), 90'000);
  EXPECT_EQ(*ParseDurationMs("2h"), 7'200'000);
  EXPECT_EQ(*ParseDurationMs("1d"), 86'400'000);
  EXPECT_EQ(*ParseDurationMs("1w"), 604'800'000);
  EXPECT_EQ(*ParseDurationMs("1y"), 31'536'000'000);
  EXPECT_EQ(*ParseDurationMs("1h1m1s1ms"), 3'661'001);
  EXPECT_EQ(*ParseDurationMs("0"), 0);
}

TEST(Duration, RefusesMalformedText) {
  for (const char* bad : {"", "5", "s", "1x", "1s1m", "1s1s", "-1s", "1.5s", " 1s", "99999999999999999999y"}) {
    EXPECT_FALSE(ParseDurationMs(bad).ok()) << bad;
  }
}

TEST(Duration, FormatReadsBack) {
  for (int64_t ms : {0LL, 1LL, 999LL, 1000LL, 90'000LL, 3'661'001LL, 86'400'000LL}) {
    EXPECT_EQ(*ParseDurationMs(FormatDurationMs(ms) == "0s" ? "0" : FormatDurationMs(ms)), ms);
  }
  EXPECT_EQ(FormatDurationMs(90'000), "1m30s");
}

}  // namespace
}  // namespace wattline
