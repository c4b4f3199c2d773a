#include "common/doubling_delay.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace wattline {
namespace {

TEST(DoublingDelay, StartsAtTheInitialDelayAndDoublesUpToTheCap) {
  EXPECT_EQ(DoublingDelayMs(1000, 300'000, 1), 1000);
  EXPECT_EQ(DoublingDelayMs(1000, 300'000, 2), 2000);
  EXPECT_EQ(DoublingDelayMs(1000, 300'000, 9), 256'000);
  EXPECT_EQ(DoublingDelayMs(1000, 300'000, 10), 300'000);
  EXPECT_EQ(DoublingDelayMs(1000, 300'000, 1'000'000), 300'000);
}

TEST(DoublingDelay, ACapBelowTheInitialDelayWins) {
  EXPECT_EQ(DoublingDelayMs(5000, 2000, 1), 2000);
}

TEST(DoublingDelay, NoOverflowWithTheLargestCap) {
  EXPECT_EQ(DoublingDelayMs(1000, INT64_MAX, 200), INT64_MAX);
  EXPECT_EQ(DoublingDelayMs(1000, INT64_MAX, 54), 1000LL << 53);
}

}  // namespace
}  // namespace wattline
