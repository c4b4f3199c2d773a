// The agent's disk fills up while the aggregator is away: seals fail, the
// agent must go on running with the samples in memory and the outbox file
// sound, and once there is room again and the aggregator is back, every
// sample it sealed must arrive once (docs/durability.md, "Bounded buffer").
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <string>

#include "tests/fault/fault_scenario.h"
#include "tests/fault/tmpfs_mount.h"

namespace wattline::testing {
namespace {

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// The agent's log line saying that a seal failed for want of space and the
// samples were kept in memory; "" when there is none.
std::string FailedSealLine(const std::string& log) {
  size_t start = 0;
  while (start < log.size()) {
    size_t end = log.find('\n', start);
    if (end == std::string::npos) end = log.size();
    const std::string line = log.substr(start, end - start);
    const std::string lower = Lower(line);
    if (lower.find("kept in memory") != std::string::npos &&
        (lower.find("full") != std::string::npos || lower.find("space") != std::string::npos)) {
      return line;
    }
    start = end + 1;
  }
  return "";
}

class FullDisk : public FaultTest {};

TEST_F(FullDisk, SealsFailTheAgentKeepsRunningAndNothingIsLost) {
  const Status mounted = MountAgentDataDir(2 << 20);
  if (!mounted.ok()) GTEST_SKIP() << "SKIPPED: " << mounted.ToString();
  WriteAgentConfig(FaultAgentConfig{});
  stack_.StopAggregator();
  ASSERT_TRUE(stack_.StartWrittenAgent(Binaries::Agent(), {}).ok());
  ASSERT_TRUE(WaitFor(
      [&] {
        Result<OutboxCounters> counters = ReadOutboxCounters(OutboxPath());
        return counters.ok() && counters->sealed_batches >= 5;
      },
      30'000))
      << stack_.Logs();

  const std::string filler = data_mount_->path() + "/filler";
  const int64_t filled = FillFilesystem(filler);
  ASSERT_GT(filled, 0);
  const OutboxCounters at_full = Counters();
  // The outbox may still fit a few seals in pages SQLite already has; it
  // runs out soon.
  const std::string agent_log = stack_.dir().File("agent.log");
  WaitFor([&] { return !FailedSealLine(ReadFileOrEmpty(agent_log)).empty(); }, 30'000);
  const std::string failed_seal = FailedSealLine(ReadFileOrEmpty(agent_log));
  EXPECT_FALSE(failed_seal.empty()) << "the agent never said a seal failed\n" << stack_.Logs();
  std::printf("%s\n", failed_seal.c_str());
  SleepMs(2000);  // polling and failing seals go on
  ASSERT_TRUE(stack_.AgentRunning()) << stack_.Logs();
  Result<std::string> check = IntegrityCheck(OutboxPath());
  ASSERT_TRUE(check.ok()) << check.status().ToString();
  EXPECT_EQ(*check, "ok");
  const OutboxCounters while_full = Counters();

  ASSERT_EQ(std::remove(filler.c_str()), 0);
  ASSERT_TRUE(stack_.RestartAggregator().ok()) << stack_.Logs();
  SleepMs(2000);
  DrainAndStop(60'000);
  ExpectExactlyOnce("filler_bytes=" + std::to_string(filled) +
                    " sealed_batches_at_full=" + std::to_string(at_full.sealed_batches) +
                    " sealed_batches_while_full=" + std::to_string(while_full.sealed_batches));
}

}  // namespace
}  // namespace wattline::testing
