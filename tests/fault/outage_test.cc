// A network outage in its two forms, between the agent and the aggregator
// (tests/support/tcp_proxy.h): first the aggregator is gone (connections are
// refused at once), then the path is a black hole (TCP connects, TLS never
// answers, each attempt costs the agent its upload timeout). When the link
// is back, the live view must be current again before the backlog is
// drained (the newest batch goes first, docs/durability.md), and every
// sample must arrive once. The times are printed, not asserted.
#include <algorithm>
#include <cstdio>

#include "tests/fault/fault_scenario.h"
#include "tests/support/tcp_proxy.h"

namespace wattline::testing {
namespace {

// The live view is current when the newest stored sample is this recent.
constexpr int64_t kCurrentMs = 3000;
constexpr int kMaxRequestBytes = 2048;

class Outage : public FaultTest {};

TEST_F(Outage, RefusedThenBlackholedThenLiveFirstAndNothingLost) {
  const int64_t phase_ms = SoakEnabled() ? 120'000 : 5000;
  auto proxy = TcpProxy::Start(stack_.ingest_port());
  ASSERT_TRUE(proxy.ok()) << proxy.status().ToString();
  stack_.SetAgentUploadPort((*proxy)->port());
  FaultAgentConfig config;
  config.upload_yaml =
      "  timeout: 1s\n  max_request_bytes: " + std::to_string(kMaxRequestBytes) + "\n";
  WriteAgentConfig(config);
  ASSERT_TRUE(stack_.StartWrittenAgent(Binaries::Agent(), {}).ok());
  const std::string storage = stack_.AggregatorStoragePath();
  auto current = [&] {
    Result<StoredNow> now = ReadStoredNow(storage, kAgent);
    return now.ok() && now->newest_ms >= UnixNowMs() - kCurrentMs;
  };
  ASSERT_TRUE(WaitFor(current, 30'000)) << "never current before the outage\n" << stack_.Logs();

  // Phase A: refused. Phase B: black hole, with the aggregator back behind it.
  const OutboxCounters before = Counters();
  const int64_t outage_start_ms = UnixNowMs();
  stack_.StopAggregator();
  SleepMs(phase_ms);
  ASSERT_TRUE(stack_.RestartAggregator().ok()) << stack_.Logs();
  (*proxy)->SetMode(TcpProxy::Mode::kBlackhole);
  SleepMs(phase_ms);
  const int64_t proxy_connections = (*proxy)->accepted();

  // The link is back.
  const OutboxCounters backlog = Counters();
  const Result<StoredNow> stored_before = ReadStoredNow(storage, kAgent);
  ASSERT_TRUE(stored_before.ok()) << stored_before.status().ToString();
  const int64_t restored_ms = UnixNowMs();
  const double record_rate = static_cast<double>(backlog.sealed_samples - before.sealed_samples) /
                             (static_cast<double>(restored_ms - outage_start_ms) / 1000.0);
  const int64_t backlog_samples = backlog.waiting_samples;
  (*proxy)->SetMode(TcpProxy::Mode::kForward);

  int64_t live_ms = -1;
  int64_t drained_ms = -1;
  int64_t stored_at_live = 0;
  WaitFor(
      [&] {
        Result<StoredNow> now = ReadStoredNow(storage, kAgent);
        if (live_ms < 0 && now.ok() && now->newest_ms >= UnixNowMs() - kCurrentMs) {
          live_ms = UnixNowMs() - restored_ms;
          stored_at_live = now->samples;
        }
        Result<OutboxCounters> counters = ReadOutboxCounters(OutboxPath());
        if (drained_ms < 0 && counters.ok() && counters->waiting_batches == 0) {
          drained_ms = UnixNowMs() - restored_ms;
        }
        return live_ms >= 0 && drained_ms >= 0;
      },
      120'000);
  EXPECT_GE(live_ms, 0) << "the live view never became current\n" << stack_.Logs();
  EXPECT_GE(drained_ms, 0) << "the backlog never drained";
  const OutboxCounters after = Counters();
  const double drain_seconds = static_cast<double>(drained_ms) / 1000.0;
  const double drain_rate =
      static_cast<double>(backlog_samples + after.sealed_samples - backlog.sealed_samples) /
      drain_seconds;

  // Newest first: when the live view was current again, the backlog had not
  // all been stored yet. Meaningful only when the backlog needs several
  // requests.
  const bool several_requests = backlog.waiting_bytes > 3 * kMaxRequestBytes;
  if (several_requests && live_ms >= 0) {
    EXPECT_LT(stored_at_live, stored_before->samples + backlog_samples)
        << "the live view became current only once the whole backlog was stored";
  }

  // Visible health: the agent's own series, recorded during the outage and
  // delivered with the backlog, show the buffer filling and the failures.
  const std::string agent_label = std::string("{agent=\"") + kAgent + "\"}";
  Result<std::vector<std::pair<int64_t, double>>> outbox_batches =
      stack_.RawSamples("wattline_agent_outbox_batches" + agent_label);
  ASSERT_TRUE(outbox_batches.ok()) << outbox_batches.status().ToString();
  double most_waiting = 0;
  for (const auto& [ts, value] : *outbox_batches) most_waiting = std::max(most_waiting, value);
  EXPECT_GE(most_waiting, 5) << "wattline_agent_outbox_batches never showed the backlog";
  Result<std::vector<std::pair<int64_t, double>>> transport_errors =
      stack_.RawSamples(std::string("wattline_agent_upload_errors_total{agent=\"") + kAgent +
                        "\",reason=\"transport\"}");
  ASSERT_TRUE(transport_errors.ok()) << transport_errors.status().ToString();
  ASSERT_FALSE(transport_errors->empty());
  EXPECT_GT(transport_errors->back().second, 0) << "the failed uploads were not counted";

  char figures[512];
  std::snprintf(figures, sizeof figures,
                "outage_s=%.1f backlog_batches=%lld backlog_bytes=%lld backlog_samples=%lld "
                "proxy_connections=%lld live_after_s=%.2f drained_after_s=%.2f "
                "stored_at_live=%lld of %lld drain_samples_per_s=%.0f record_samples_per_s=%.1f "
                "multiple_of_real_time=%.1f",
                static_cast<double>(restored_ms - outage_start_ms) / 1000.0,
                static_cast<long long>(backlog.waiting_batches),
                static_cast<long long>(backlog.waiting_bytes),
                static_cast<long long>(backlog_samples), static_cast<long long>(proxy_connections),
                static_cast<double>(live_ms) / 1000.0, drain_seconds,
                static_cast<long long>(stored_at_live - stored_before->samples),
                static_cast<long long>(backlog_samples), drain_rate, record_rate,
                record_rate > 0 ? drain_rate / record_rate : 0.0);
  DrainAndStop(60'000);
  ExpectExactlyOnce(figures);
}

}  // namespace
}  // namespace wattline::testing
