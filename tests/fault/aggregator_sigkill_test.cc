// The aggregator killed with SIGKILL while an agent drains a backlog into it
// in many uploads, and started again on the same port with the same
// storage: what it acknowledged must have survived, and batches it stored
// but could not acknowledge must not be stored twice when they come again
// (docs/durability.md, "Exactly once": ledger, floor and samples in one
// transaction).
#include <algorithm>
#include <cstdio>
#include <limits>
#include <random>
#include <string>

#include "aggregator/storage/sample_store.h"
#include "common/private_directory.h"
#include "tests/fault/fault_scenario.h"
#include "tests/fault/synthetic_history.h"

namespace wattline::testing {
namespace {

class AggregatorSigkill : public FaultTest {
 protected:
  // Kills the aggregator again and again while the agent drains a backlog
  // into it; the aggregator's config gets `storage_yaml`.
  void KillWhileDraining(const std::string& storage_yaml);

  // Every hour rollup of the agent's series equals what its raw samples give.
  void ExpectRollupsMatchRawSamples();
};

TEST_F(AggregatorSigkill, MidIngestLosesAndDuplicatesNothing) { KillWhileDraining(""); }

// The same with windows cut into chunks and rollups all the time (every
// 20 ms, any window, as under memory pressure), so kills land in cutting
// too: a cut is one transaction with the log records it makes redundant.
TEST_F(AggregatorSigkill, MidChunkCuttingLosesAndDuplicatesNothing) {
  KillWhileDraining(
      "storage:\n  flush_interval: 20ms\n  flush_quiet: 0s\n  flush_grace: 0s\n"
      "  head_pressure_samples: 1000\n");
  ExpectRollupsMatchRawSamples();
}

void AggregatorSigkill::KillWhileDraining(const std::string& storage_yaml) {
  const uint32_t seed = FaultSeed();
  std::printf("seed=%u (WATTLINE_FAULT_SEED replays it)\n", seed);
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> uptime_ms(100, 1500);
  const int kills = SoakEnabled() ? 100 : 10;

  // A backlog of half a day, sent in requests of many batches, so that
  // most kills find an upload being stored or acknowledged.
  stack_.StopAggregator();
  stack_.SetAggregatorYaml(storage_yaml);
  const Status mounted = MountAgentDataDir(256 << 20);  // else on disk, slower
  ASSERT_TRUE(MakePrivateDirectory(stack_.AgentDataDir()).ok());
  History history;
  history.span_ms = 12LL * 3600 * 1000;
  Result<WrittenHistory> backlog =
      WriteHistory(OutboxPath(), history, UnixNowMs() - 60'000, kAgent);
  ASSERT_TRUE(backlog.ok()) << backlog.status().ToString();
  FaultAgentConfig config;
  config.upload_yaml = "  max_request_bytes: 32768\n";
  WriteAgentConfig(config);
  ASSERT_TRUE(stack_.StartWrittenAgent(Binaries::Agent(), {}).ok());

  // Seen just before each kill (a lower bound): a duplicate is a batch
  // stored by a life that was killed before its ack got out.
  int64_t duplicates_seen = 0;
  int64_t uploads_seen = 0;
  int64_t cuts_seen = 0;  // chunk-cutting transactions committed
  for (int i = 0; i < kills; ++i) {
    ASSERT_TRUE(stack_.RestartAggregator().ok()) << "restart " << i << "\n" << stack_.Logs();
    SleepMs(uptime_ms(random));
    duplicates_seen += std::max<int64_t>(0, AggregatorCounter(stack_, kDuplicates));
    uploads_seen += std::max<int64_t>(0, AggregatorCounter(stack_, kUploads));
    cuts_seen += std::max<int64_t>(0, AggregatorCounter(stack_, "wattline_storage_flushes_total"));
    stack_.KillAggregator();
    ASSERT_TRUE(stack_.AgentRunning()) << stack_.Logs();
  }
  ASSERT_TRUE(stack_.RestartAggregator().ok()) << stack_.Logs();
  DrainAndStop(60'000);
  duplicates_seen += std::max<int64_t>(0, AggregatorCounter(stack_, kDuplicates));
  ExpectExactlyOnce("kills=" + std::to_string(kills) +
                    " uploads_seen_during_kills=" + std::to_string(uploads_seen) +
                    " chunk_cuts_seen_during_kills=" + std::to_string(cuts_seen) +
                    " duplicate_batches_seen=" + std::to_string(duplicates_seen) +
                    " backlog_batches=" + std::to_string(backlog->batches) +
                    " backlog_samples=" + std::to_string(backlog->samples) +
                    " medium=" + (mounted.ok() ? "tmpfs" : "disk"));
}


void AggregatorSigkill::ExpectRollupsMatchRawSamples() {
  SystemClock clock;
  aggregator::StorageOptions options;
  options.read_only = true;
  auto store = aggregator::SampleStore::Open(stack_.AggregatorStoragePath(), &clock, options);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto series = (*store)->Select({*aggregator::LabelMatcher::Make(
      aggregator::LabelMatcher::Type::kEqual, std::string(aggregator::kAgentLabel), kAgent)});
  ASSERT_TRUE(series.ok());
  ASSERT_FALSE(series->empty());
  const int64_t end = std::numeric_limits<int64_t>::max() / 2;
  for (const aggregator::SeriesRef& ref : *series) {
    auto raw = (*store)->ReadSamples(ref.id, 0, end);
    auto hours = (*store)->ReadRollups(ref.id, aggregator::kHourResolutionMs, 0, end);
    ASSERT_TRUE(raw.ok() && hours.ok());
    EXPECT_EQ(*hours, aggregator::ComputeRollups(*raw, aggregator::kHourResolutionMs))
        << LabelsToString(ref.labels);
  }
}

}  // namespace
}  // namespace wattline::testing
