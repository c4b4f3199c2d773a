// An agent that was cut off from the aggregator for days: its outbox holds
// days of batches (written here, in fake time, with the agent's own Outbox),
// and the real agent, started on it against the aggregator, must deliver
// every sample once while it goes on polling. The drain rate is printed as
// a multiple of real time; it is not asserted.
#include <cstdio>
#include <string>

#include "common/private_directory.h"
#include "tests/fault/fault_scenario.h"
#include "tests/fault/synthetic_history.h"

namespace wattline::testing {
namespace {

class MultiDayOutage : public FaultTest {
 protected:
  void Run(const History& history, int64_t tmpfs_bytes, int drain_timeout_ms) {
    // On a tmpfs, the tens of thousands of seals written here do not each
    // wait for a real fsync; on an ordinary disk the test is only slower.
    const Status mounted = MountAgentDataDir(tmpfs_bytes);
    const std::string medium = mounted.ok() ? "tmpfs" : "disk (" + mounted.ToString() + ")";
    ASSERT_TRUE(MakePrivateDirectory(stack_.AgentDataDir()).ok());
    const int64_t write_start_ms = UnixNowMs();
    // Ending a minute ago: the oldest sample is still inside the span when
    // it reaches the aggregator.
    Result<WrittenHistory> written =
        WriteHistory(OutboxPath(), history, write_start_ms - 60'000, kAgent);
    ASSERT_TRUE(written.ok()) << written.status().ToString();
    const double write_seconds = static_cast<double>(UnixNowMs() - write_start_ms) / 1000.0;

    WriteAgentConfig(FaultAgentConfig{});
    const int64_t start_ms = UnixNowMs();
    ASSERT_TRUE(stack_.StartWrittenAgent(Binaries::Agent(), {}).ok());
    // Drained: the history is stored; at most the batches the agent sealed
    // from its polls since its last upload wait.
    const bool drained = WaitFor(
        [&] {
          Result<OutboxCounters> counters = ReadOutboxCounters(OutboxPath());
          return counters.ok() && counters->waiting_batches <= 2;
        },
        drain_timeout_ms);
    const double drain_seconds = static_cast<double>(UnixNowMs() - start_ms) / 1000.0;
    EXPECT_TRUE(drained) << "the history was not drained in " << drain_timeout_ms << " ms";
    DrainAndStop(60'000);

    const double span_seconds = static_cast<double>(history.span_ms) / 1000.0;
    char figures[512];
    std::snprintf(figures, sizeof figures,
                  "medium=%s history_hours=%.0f history_batches=%lld history_samples=%lld "
                  "write_s=%.1f drain_s=%.1f drain_samples_per_s=%.0f "
                  "multiple_of_real_time=%.0f",
                  medium.c_str(), span_seconds / 3600.0, static_cast<long long>(written->batches),
                  static_cast<long long>(written->samples), write_seconds, drain_seconds,
                  static_cast<double>(written->samples) / drain_seconds,
                  span_seconds / drain_seconds);
    ExpectExactlyOnce(figures);
  }
};

TEST_F(MultiDayOutage, TwoDaysOfBacklogArriveOnce) { Run(History{}, 512LL << 20, 150'000); }

TEST_F(MultiDayOutage, SevenDaysAtOneHertzArriveOnce) {
  if (!SoakEnabled()) GTEST_SKIP() << "SKIPPED: a soak test; set WATTLINE_SOAK=1 to run it";
  History week;
  week.sample_every_ms = 1000;
  week.span_ms = 7LL * 24 * 3600 * 1000;
  Run(week, 2LL << 30, 1'800'000);
}

}  // namespace
}  // namespace wattline::testing
