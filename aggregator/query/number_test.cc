#include "aggregator/query/number.h"

#include <gtest/gtest.h>

#include <cmath>

namespace wattline::aggregator {
namespace {

TEST(Number, ParsesGoFloatSyntax) {
  EXPECT_EQ(ParseGoFloat("1700000000"), 1700000000.0);
  EXPECT_EQ(ParseGoFloat("1700000000.123"), 1700000000.123);
  EXPECT_EQ(ParseGoFloat("-1.5"), -1.5);
  EXPECT_EQ(ParseGoFloat("+2"), 2.0);
  EXPECT_EQ(ParseGoFloat(".5"), 0.5);
  EXPECT_EQ(ParseGoFloat("5."), 5.0);
  EXPECT_EQ(ParseGoFloat("1.7e9"), 1.7e9);
  EXPECT_EQ(ParseGoFloat("1E-3"), 1e-3);
  EXPECT_EQ(ParseGoFloat("0x1p4"), 16.0);
  EXPECT_EQ(ParseGoFloat("-0X1.8P1"), -3.0);
  EXPECT_EQ(ParseGoFloat("Inf"), INFINITY);
  EXPECT_EQ(ParseGoFloat("-infinity"), -INFINITY);
  ASSERT_TRUE(ParseGoFloat("NaN").has_value());
  EXPECT_TRUE(std::isnan(*ParseGoFloat("nan")));
}

TEST(Number, RefusesWhatGoRefuses) {
  for (std::string_view bad : {"", "+", "-", "abc", "1a", "1e", "1 ", " 1", "--1", "+-1", "1e5.5",
                               "0x1", "0x", "nan(1)", "1_000", "1e400", "1,5", "."}) {
    EXPECT_FALSE(ParseGoFloat(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace wattline::aggregator
