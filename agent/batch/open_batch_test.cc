#include "agent/batch/open_batch.h"

#include <gtest/gtest.h>

namespace wattline::agent {
namespace {

Sample PowerSample(std::string phase, int64_t ts, double value) {
  return Sample{{{"__name__", "power_watts"}, {"device", "d"}, {"phase", std::move(phase)}}, ts,
                value};
}

TEST(OpenBatch, GroupsSamplesIntoOneColumnPerSeries) {
  OpenBatch open;
  open.Add(PowerSample("b", 1000, 1));
  open.Add(PowerSample("a", 1000, 2));
  open.Add(PowerSample("b", 2000, 3));
  EXPECT_EQ(open.sample_count(), 3u);
  Batch batch = open.Take(5000);
  ASSERT_EQ(batch.series.size(), 2u);
  EXPECT_EQ(LabelValue(batch.series[0].labels, "phase"), "a");
  EXPECT_EQ(batch.series[1].timestamps_ms, (std::vector<int64_t>{1000, 2000}));
  EXPECT_EQ(batch.series[1].values, (std::vector<double>{1, 3}));
  EXPECT_EQ(batch.sealed_at_ms, 5000);
  EXPECT_EQ(batch.SampleCount(), 3u);
}

TEST(OpenBatch, TakeLeavesItEmpty) {
  OpenBatch open;
  open.Add(PowerSample("a", 1000, 1));
  (void)open.Take(0);
  EXPECT_TRUE(open.empty());
  EXPECT_TRUE(open.Take(0).series.empty());
}

}  // namespace
}  // namespace wattline::agent

namespace wattline::agent {
namespace {

TEST(OpenBatch, RestorePutsAFailedSealBackInFrontOfNewerSamples) {
  OpenBatch open;
  open.Add(PowerSample("a", 1000, 1));
  Batch taken = open.Take(1500);
  open.Restore(taken);
  open.Add(PowerSample("a", 2000, 2));
  Batch batch = open.Take(2500);
  ASSERT_EQ(batch.series.size(), 1u);
  EXPECT_EQ(batch.series[0].timestamps_ms, (std::vector<int64_t>{1000, 2000}));
  EXPECT_EQ(batch.series[0].values, (std::vector<double>{1, 2}));
}

}  // namespace
}  // namespace wattline::agent
