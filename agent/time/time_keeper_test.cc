#include "agent/time/time_keeper.h"

#include <gtest/gtest.h>

#include "common/batch.h"

namespace wattline::agent {
namespace {

constexpr int64_t kTrueNow = 1'764'000'000'000;     // late 2025
constexpr int64_t kStaleSaved = 1'735'689'600'000;  // 2025-01-01, as fake-hwclock left it

struct Fixture {
  FakeClock system{0};  // boots in 1970
  bool kernel_synced = false;
  TimeKeeper Make(ClockSync sync, std::optional<int64_t> saved = std::nullopt) {
    return TimeKeeper(
        &system, sync, [this] { return kernel_synced; }, "boot-a", saved);
  }
};

TEST(TimeKeeper, UnsynchronisedClockGivesProvisionalBootTimeNotTheWallClock) {
  Fixture f;
  f.system.SetUnixMs(kStaleSaved);
  f.system.AdvanceMs(42'000);
  TimeKeeper keeper = f.Make(ClockSync::kKernel);
  EXPECT_EQ(keeper.state(), ClockState::kProvisional);
  EXPECT_FALSE(keeper.time_known());
  EXPECT_EQ(keeper.NowUnixMs(), 42'000);
  EXPECT_LT(keeper.NowUnixMs(), kProvisionalTimeLimitMs);
}

TEST(TimeKeeper, ServerTimeGivesTheOffsetAtTheAnswersArrival) {
  Fixture f;
  f.system.AdvanceMs(10'000);
  TimeKeeper keeper = f.Make(ClockSync::kKernel);
  // Sent at boot 10 s, answered at 10.2 s; the server read its clock at
  // kTrueNow as it answered.
  EXPECT_TRUE(keeper.OnServerTime(kTrueNow, 10'000, 10'200));
  EXPECT_EQ(keeper.state(), ClockState::kBootOffset);
  EXPECT_EQ(*keeper.offset_ms(), kTrueNow - 10'200);
  f.system.AdvanceMs(5'000);
  EXPECT_EQ(keeper.NowUnixMs(), kTrueNow - 10'200 + 15'000);
  // An answer that arrived before it was sent is nonsense, and ignored.
  EXPECT_FALSE(keeper.OnServerTime(kTrueNow + 99'000, 15'000, 14'000));
  // A second answer that agrees within a second is not worth saving.
  EXPECT_FALSE(keeper.OnServerTime(kTrueNow + 5'000, 15'000, 15'200));
}

TEST(TimeKeeper, KernelSyncTrustsTheWallClockAndFollowsItsSteps) {
  Fixture f;
  f.system.AdvanceMs(3'000);
  TimeKeeper keeper = f.Make(ClockSync::kKernel);
  f.kernel_synced = true;
  f.system.SetUnixMs(kTrueNow);  // NTP steps the clock
  EXPECT_TRUE(keeper.Refresh());
  EXPECT_EQ(keeper.state(), ClockState::kSynchronised);
  EXPECT_EQ(keeper.NowUnixMs(), kTrueNow);
  EXPECT_EQ(*keeper.offset_ms(), kTrueNow - 3'000);
  // While synchronised, the aggregator's time is not used.
  EXPECT_FALSE(keeper.OnServerTime(kTrueNow + 60'000, 3'000, 3'000));
  EXPECT_EQ(*keeper.offset_ms(), kTrueNow - 3'000);
}

TEST(TimeKeeper, ClockSteppedByHandAfterSyncKeepsBootTimePlusOffset) {
  Fixture f;
  TimeKeeper keeper = f.Make(ClockSync::kKernel);
  f.kernel_synced = true;
  f.system.SetUnixMs(kTrueNow);
  keeper.Refresh();
  // Someone sets the date back to 1970: the kernel flags the clock unsynchronised.
  f.kernel_synced = false;
  f.system.SetUnixMs(0);
  f.system.AdvanceMs(1'000);
  EXPECT_FALSE(keeper.Refresh());
  EXPECT_EQ(keeper.state(), ClockState::kBootOffset);
  EXPECT_EQ(keeper.NowUnixMs(), kTrueNow + 1'000);
  // And forward by a day: still the true time.
  f.system.SetUnixMs(kTrueNow + 86'400'000);
  EXPECT_EQ(keeper.NowUnixMs(), kTrueNow + 1'000);
}

TEST(TimeKeeper, OffsetSavedEarlierThisBootIsKnownAtStart) {
  Fixture f;
  f.system.AdvanceMs(7'000);
  TimeKeeper keeper = f.Make(ClockSync::kAggregator, kTrueNow);
  EXPECT_EQ(keeper.state(), ClockState::kBootOffset);
  EXPECT_EQ(keeper.NowUnixMs(), kTrueNow + 7'000);
}

TEST(TimeKeeper, SystemModeTrustsTheWallClockEvenWhenItJumps) {
  Fixture f;
  f.system.SetUnixMs(kTrueNow);
  TimeKeeper keeper = f.Make(ClockSync::kSystem);
  EXPECT_EQ(keeper.state(), ClockState::kSynchronised);
  f.system.SetUnixMs(0);
  EXPECT_EQ(keeper.NowUnixMs(), 0);  // the aggregator refuses such samples
}

TEST(TimeKeeper, AggregatorModeIgnoresTheKernel) {
  Fixture f;
  f.kernel_synced = true;
  f.system.SetUnixMs(kTrueNow);
  TimeKeeper keeper = f.Make(ClockSync::kAggregator);
  EXPECT_EQ(keeper.state(), ClockState::kProvisional);
}

TEST(ClockSyncOption, ParsesTheThreeModesAndRefusesOthers) {
  EXPECT_EQ(*ParseClockSync("kernel"), ClockSync::kKernel);
  EXPECT_EQ(*ParseClockSync("system"), ClockSync::kSystem);
  EXPECT_EQ(*ParseClockSync("aggregator"), ClockSync::kAggregator);
  EXPECT_FALSE(ParseClockSync("ntp").ok());
}

}  // namespace
}  // namespace wattline::agent
