#include "tests/fault/fault_scenario.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <thread>

namespace wattline::testing {

bool SoakEnabled() {
  const char* soak = std::getenv("WATTLINE_SOAK");
  return soak != nullptr && std::string(soak) == "1";
}

uint32_t FaultSeed() {
  if (const char* seed = std::getenv("WATTLINE_FAULT_SEED")) {
    return static_cast<uint32_t>(std::strtoul(seed, nullptr, 10));
  }
  return std::random_device{}();
}

int64_t UnixNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void SleepMs(int64_t ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

void FaultTest::SetUp() {
  // A three-phase meter: a few dozen series per poll.
  meter_ = std::make_unique<SimulatorProcess>(Binaries::ModbusSim(),
                                              std::vector<std::string>{"--unit", "1:sdm630"},
                                              SimulatorListen::kModbusTcp);
  ASSERT_TRUE(meter_->WaitReady()) << meter_->Log();
  ASSERT_TRUE(stack_.StartAggregator().ok()) << stack_.Logs();
}

void FaultTest::TearDown() {
  stack_.StopAgent();
  data_mount_.reset();
}

Status FaultTest::MountAgentDataDir(int64_t size_bytes) {
  auto mount = TmpfsMount::Mount(stack_.dir().File("agent-disk"), size_bytes);
  if (!mount.ok()) return mount.status();
  data_mount_ = std::move(*mount);
  stack_.SetAgentDataDir(data_mount_->path() + "/agent-data");
  return Status::Ok();
}

void FaultTest::WriteAgentConfig(const FaultAgentConfig& config) {
  stack_.SetAgentSectionYaml("  health_interval: 1s\n");
  const std::string sources =
      "  - type: modbus_tcp\n    host: 127.0.0.1\n    port: " + std::to_string(meter_->port()) +
      "\n    interval: " + std::to_string(config.poll_ms) +
      "ms\n    devices:\n"
      "      - {device: meter, unit: 1, profile: eastron_sdm630}\n";
  // `system`: these machines' clocks are right; the time keeper's other
  // modes have their own tests.
  ASSERT_TRUE(stack_
                  .WriteAgentConfig(kAgent, config.seal_ms, sources,
                                    config.upload_yaml + "clock:\n  sync: system\n")
                  .ok());
}

OutboxCounters FaultTest::Counters() {
  Result<OutboxCounters> counters = ReadOutboxCounters(OutboxPath());
  EXPECT_TRUE(counters.ok()) << counters.status().ToString();
  return counters.ok() ? *counters : OutboxCounters{};
}

void FaultTest::DrainAndStop(int timeout_ms) {
  const bool drained = WaitFor(
      [&] {
        Result<OutboxCounters> counters = ReadOutboxCounters(OutboxPath());
        return counters.ok() && counters->waiting_batches == 0;
      },
      timeout_ms);
  if (!drained) std::printf("the outbox did not drain within %d ms\n", timeout_ms);
  stack_.StopAgent();
}

void FaultTest::ExpectExactlyOnce(const std::string& figures) {
  stack_.StopAggregator();
  Result<std::string> outbox_check = IntegrityCheck(OutboxPath());
  ASSERT_TRUE(outbox_check.ok()) << outbox_check.status().ToString();
  EXPECT_EQ(*outbox_check, "ok");
  Result<std::string> storage_check = IntegrityCheck(stack_.AggregatorStoragePath());
  ASSERT_TRUE(storage_check.ok()) << storage_check.status().ToString();
  EXPECT_EQ(*storage_check, "ok");

  Result<Delivery> delivery = CheckDelivery(OutboxPath(), stack_.AggregatorStoragePath(), kAgent);
  ASSERT_TRUE(delivery.ok()) << delivery.status().ToString();
  std::printf("%s%s%s\n", figures.c_str(), figures.empty() ? "" : " ", delivery->Line().c_str());
  std::fflush(stdout);
  EXPECT_GT(delivery->expected, 0) << "nothing was sealed: the test proved nothing";
  EXPECT_EQ(delivery->lost, 0) << stack_.Logs();
  EXPECT_EQ(delivery->duplicated, 0);
  // More stored than the agent counted: its counters are wrong.
  EXPECT_EQ(delivery->unexpected, 0);
  EXPECT_EQ(delivery->ledger_outboxes, 1);
}

int64_t AggregatorCounter(SystemStack& stack, const std::string& name) {
  return stack.AggregatorMetric(name);
}

}  // namespace wattline::testing
