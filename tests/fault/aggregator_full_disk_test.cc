// The aggregator's disk fills up while an agent uploads: storage must refuse
// (503, and wattline_storage_writable 0 on /metrics) rather than corrupt
// anything, the agent must keep buffering, and once there is room again
// every sample must arrive once (docs/storage.md, "Faults").
#include <cstdio>
#include <string>

#include "tests/fault/fault_scenario.h"
#include "tests/fault/tmpfs_mount.h"

namespace wattline::testing {
namespace {

constexpr char kStorageErrors[] = "wattline_ingest_storage_errors_total";
constexpr char kWritable[] = "wattline_storage_writable";
constexpr char kBatchesStored[] = "wattline_ingest_batches_stored_total";

class AggregatorFullDisk : public FaultTest {};

TEST_F(AggregatorFullDisk, IngestStopsWithAClearStatusAndNothingIsLost) {
  auto disk = TmpfsMount::Mount(stack_.dir().File("aggregator-disk"), 8 << 20);
  if (!disk.ok()) GTEST_SKIP() << "SKIPPED: " << disk.status().ToString();
  stack_.StopAggregator();
  stack_.SetAggregatorDataDir((*disk)->path() + "/aggregator-data");
  ASSERT_TRUE(stack_.RestartAggregator().ok()) << stack_.Logs();
  WriteAgentConfig(FaultAgentConfig{});
  ASSERT_TRUE(stack_.StartWrittenAgent(Binaries::Agent(), {}).ok());
  ASSERT_TRUE(WaitFor([&] { return AggregatorCounter(stack_, kBatchesStored) >= 5; }, 30'000))
      << stack_.Logs();

  const std::string filler = (*disk)->path() + "/filler";
  const int64_t filled = FillFilesystem(filler);
  ASSERT_GT(filled, 0);
  ASSERT_TRUE(WaitFor(
      [&] {
        return AggregatorCounter(stack_, kStorageErrors) > 0 &&
               AggregatorCounter(stack_, kWritable) == 0;
      },
      30'000))
      << "storage never said it was full\n"
      << stack_.Logs();
  const int64_t waiting_at_full = Counters().waiting_batches;
  SleepMs(2000);  // uploads go on failing; the agent keeps what it seals
  EXPECT_GT(Counters().waiting_batches, waiting_at_full) << "the agent should be buffering";
  ASSERT_TRUE(stack_.AggregatorRunning()) << stack_.Logs();
  ASSERT_TRUE(stack_.AgentRunning()) << stack_.Logs();
  Result<std::string> check = IntegrityCheck(stack_.AggregatorStoragePath());
  ASSERT_TRUE(check.ok()) << check.status().ToString();
  EXPECT_EQ(*check, "ok");
  const int64_t storage_errors = AggregatorCounter(stack_, kStorageErrors);

  ASSERT_EQ(std::remove(filler.c_str()), 0);
  ASSERT_TRUE(WaitFor([&] { return AggregatorCounter(stack_, kWritable) == 1; }, 30'000))
      << "storage never recovered\n"
      << stack_.Logs();
  DrainAndStop(60'000);
  ExpectExactlyOnce("filler_bytes=" + std::to_string(filled) +
                    " storage_errors_while_full=" + std::to_string(storage_errors) +
                    " agent_batches_waiting_at_full=" + std::to_string(waiting_at_full));
}

}  // namespace
}  // namespace wattline::testing
