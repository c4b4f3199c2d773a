// Acknowledgements lost between the aggregator's commit and the agent: the
// proxy (tests/support/tcp_proxy.h) lets a request through on the agent's
// keep-alive connection and discards the answer, so the agent times out and
// sends the same batches again on a new connection. The aggregator must
// recognise them as stored (docs/durability.md, "Exactly once": the ledger)
// and every sample must be stored once. The test fails if no duplicate ever
// reached the aggregator, since then it did not provoke what it is about.
#include <cstdio>
#include <string>

#include "tests/fault/fault_scenario.h"
#include "tests/support/tcp_proxy.h"

namespace wattline::testing {
namespace {

class LostAck : public FaultTest {};

TEST_F(LostAck, RetriedBatchesAreAcknowledgedAsDuplicatesAndStoredOnce) {
  const int rounds = SoakEnabled() ? 200 : 10;
  auto proxy = TcpProxy::Start(stack_.ingest_port());
  ASSERT_TRUE(proxy.ok()) << proxy.status().ToString();
  stack_.SetAgentUploadPort((*proxy)->port());
  // A lost answer costs the agent its upload timeout, then a short back-off.
  FaultAgentConfig config;
  config.upload_yaml = "  timeout: 1s\n  backoff_initial: 100ms\n  backoff_max: 200ms\n";
  WriteAgentConfig(config);
  ASSERT_TRUE(stack_.StartWrittenAgent(Binaries::Agent(), {}).ok());
  // An acknowledged upload: the agent's keep-alive connection exists.
  ASSERT_TRUE(WaitFor([&] { return AggregatorCounter(stack_, kUploads) > 0; }, 30'000))
      << stack_.Logs();

  // A round loses one answer (unless the connection happened to be replaced
  // just then). It ends once the agent's retry has come as a duplicate and
  // its answer is back, which the next upload shows (one request is in
  // flight at a time): else the next round would lose that answer too.
  int answers_lost = 0;
  int duplicates_after_loss = 0;
  for (int i = 0; i < rounds; ++i) {
    const int64_t lost_before = (*proxy)->bytes_lost();
    const int64_t duplicates_before = AggregatorCounter(stack_, kDuplicates);
    (*proxy)->SetMode(TcpProxy::Mode::kLoseResponses);
    const bool lost = WaitFor([&] { return (*proxy)->bytes_lost() > lost_before; }, 3000);
    (*proxy)->SetMode(TcpProxy::Mode::kForward);
    if (!lost) continue;
    ++answers_lost;
    if (WaitFor([&] { return AggregatorCounter(stack_, kDuplicates) > duplicates_before; }, 5000)) {
      ++duplicates_after_loss;
    }
    const int64_t uploads = AggregatorCounter(stack_, kUploads);
    WaitFor([&] { return AggregatorCounter(stack_, kUploads) > uploads; }, 5000);
    ASSERT_TRUE(stack_.AgentRunning()) << stack_.Logs();
  }
  DrainAndStop(30'000);
  const int64_t duplicate_batches = AggregatorCounter(stack_, kDuplicates);
  ASSERT_GT(duplicate_batches, 0) << "no acknowledgement was lost: the test proved nothing\n"
                                  << stack_.Logs();
  ExpectExactlyOnce("rounds=" + std::to_string(rounds) +
                    " answers_lost=" + std::to_string(answers_lost) +
                    " rounds_with_duplicates=" + std::to_string(duplicates_after_loss) +
                    " duplicate_batches_seen=" + std::to_string(duplicate_batches) +
                    " proxy_connections=" + std::to_string((*proxy)->accepted()));
}

}  // namespace
}  // namespace wattline::testing
