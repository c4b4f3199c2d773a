#include "agent/upload/bandwidth_cap.h"

#include <gtest/gtest.h>

namespace wattline::agent {
namespace {

TEST(BandwidthCap, NoCapNeverWaits) {
  BandwidthCap cap(0);
  cap.Spent(1 << 30, 0);
  EXPECT_EQ(cap.DelayMs(0), 0);
}

TEST(BandwidthCap, PacesRequestsToTheRate) {
  BandwidthCap cap(10'000);  // 10 kB/s
  EXPECT_EQ(cap.DelayMs(0), 0);
  cap.Spent(5'000, 0);
  EXPECT_EQ(cap.DelayMs(0), 500);
  EXPECT_EQ(cap.DelayMs(300), 200);
  EXPECT_EQ(cap.DelayMs(600), 0);
  // A request that starts early (it should not, but a clock may say so)
  // queues behind the previous one.
  cap.Spent(10'000, 400);
  EXPECT_EQ(cap.DelayMs(500), 1'000);
}

TEST(BandwidthCap, IdleTimeIsNotSavedUpForABurst) {
  BandwidthCap cap(1'000);
  cap.Spent(1'000, 0);
  cap.Spent(2'000, 60'000);  // after a quiet minute
  EXPECT_EQ(cap.DelayMs(60'000), 2'000);
}

}  // namespace
}  // namespace wattline::agent
