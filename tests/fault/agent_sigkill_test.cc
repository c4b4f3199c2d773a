// The agent killed with SIGKILL again and again, at random moments while it
// polls, seals, uploads and deletes acknowledged batches: its outbox must
// stay sound, its counters must never go back, and in the end every sample
// it sealed must be stored exactly once (docs/durability.md, "Exactly once").
#include <cstdio>
#include <filesystem>
#include <random>

#include "tests/fault/fault_scenario.h"

namespace wattline::testing {
namespace {

class AgentSigkill : public FaultTest {};

TEST_F(AgentSigkill, EveryKillLeavesASoundOutboxAndEverySampleArrivesOnce) {
  const uint32_t seed = FaultSeed();
  std::printf("seed=%u (WATTLINE_FAULT_SEED replays it)\n", seed);
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> lifetime_ms(50, 700);
  const int kills = SoakEnabled() ? 500 : 50;

  WriteAgentConfig(FaultAgentConfig{});
  OutboxCounters last;
  int sound_after_kill = 0;
  int lives_that_sealed = 0;  // so that kills landed while it worked
  for (int i = 0; i < kills; ++i) {
    ASSERT_TRUE(stack_.StartWrittenAgent(Binaries::Agent(), {}).ok());
    SleepMs(lifetime_ms(random));
    stack_.KillAgent();
    // Killed before it created the outbox: nothing to check yet.
    if (!std::filesystem::exists(OutboxPath())) continue;
    Result<std::string> check = IntegrityCheck(OutboxPath());
    ASSERT_TRUE(check.ok()) << "kill " << i << ": " << check.status().ToString();
    ASSERT_EQ(*check, "ok") << "kill " << i;
    const OutboxCounters now = Counters();
    ASSERT_GE(now.sealed_batches, last.sealed_batches) << "kill " << i;
    ASSERT_GE(now.sealed_samples, last.sealed_samples) << "kill " << i;
    ASSERT_GE(now.dropped_samples, last.dropped_samples) << "kill " << i;
    // A batch in the file was counted in the same transaction that wrote it.
    ASSERT_GE(now.sealed_samples - now.dropped_samples - now.parked_samples, now.waiting_samples)
        << "kill " << i;
    if (now.sealed_batches > last.sealed_batches) ++lives_that_sealed;
    last = now;
    ++sound_after_kill;
  }
  // The kills must have landed while the agent worked, not only at start.
  EXPECT_GT(lives_that_sealed, 0) << stack_.Logs();

  ASSERT_TRUE(stack_.StartWrittenAgent(Binaries::Agent(), {}).ok());
  SleepMs(2000);  // a clean run after the kills: sends what they left
  DrainAndStop(60'000);
  ExpectExactlyOnce("kills=" + std::to_string(kills) +
                    " sound_after_kill=" + std::to_string(sound_after_kill) +
                    " lives_that_sealed=" + std::to_string(lives_that_sealed) +
                    " sealed_batches_during_kills=" + std::to_string(last.sealed_batches));
}

}  // namespace
}  // namespace wattline::testing
