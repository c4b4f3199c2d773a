#include "agent/upload/backoff.h"

#include <gtest/gtest.h>

namespace wattline::agent {
namespace {

TEST(Backoff, DelaysGrowExponentiallyWithinTheirJitterBand) {
  Backoff backoff({1000, 300'000}, 42);
  int64_t ceiling = 1000;
  for (int i = 0; i < 8; ++i) {
    int64_t delay = backoff.NextDelayMs();
    EXPECT_GE(delay, ceiling / 2) << "failure " << i + 1;
    EXPECT_LE(delay, ceiling) << "failure " << i + 1;
    ceiling *= 2;
  }
}

TEST(Backoff, NeverExceedsTheCap) {
  Backoff backoff({1000, 5000}, 7);
  for (int i = 0; i < 100; ++i) EXPECT_LE(backoff.NextDelayMs(), 5000);
}

TEST(Backoff, ResetStartsOver) {
  Backoff backoff({1000, 300'000}, 1);
  for (int i = 0; i < 6; ++i) (void)backoff.NextDelayMs();
  backoff.Reset();
  EXPECT_LE(backoff.NextDelayMs(), 1000);
}

TEST(Backoff, JitterSpreadsAgentsApart) {
  Backoff a({1000, 300'000}, 1), b({1000, 300'000}, 2);
  int differing = 0;
  for (int i = 0; i < 8; ++i) differing += a.NextDelayMs() != b.NextDelayMs();
  EXPECT_GT(differing, 4);
}

}  // namespace
}  // namespace wattline::agent
