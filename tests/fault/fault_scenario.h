// The setting every fault test runs in: an aggregator, a Modbus TCP meter
// simulator the agent polls fast, an agent config built for quick seals and
// uploads, and the end every test shares: drain the agent, stop both daemons,
// and let the delivery oracle count every sample.
#ifndef WATTLINE_TESTS_FAULT_FAULT_SCENARIO_H_
#define WATTLINE_TESTS_FAULT_FAULT_SCENARIO_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>

#include "tests/fault/delivery_oracle.h"
#include "tests/fault/tmpfs_mount.h"
#include "tests/support/simulator_process.h"
#include "tests/support/system_stack.h"

namespace wattline::testing {

// Longer variants run only with WATTLINE_SOAK=1.
bool SoakEnabled();
// WATTLINE_FAULT_SEED when set (to replay a failure), else a fresh one.
uint32_t FaultSeed();
int64_t UnixNowMs();
void SleepMs(int64_t ms);

// A counter of the aggregator's /metrics now; -1 when it cannot be read.
int64_t AggregatorCounter(SystemStack& stack, const std::string& name);
inline constexpr char kDuplicates[] = "wattline_ingest_batches_duplicate_total";
inline constexpr char kUploads[] = "wattline_ingest_uploads_received_total";

// What an agent config of a fault test says beyond SystemStack's defaults.
struct FaultAgentConfig {
  int poll_ms = 100;  // the Modbus source's minimum
  int seal_ms = 200;
  std::string upload_yaml;  // keys of `upload:`, indented two spaces
};

class FaultTest : public ::testing::Test {
 protected:
  static constexpr char kAgent[] = "fault-agent";

  // Starts the Modbus simulator and the aggregator (so that its ports and
  // PKI exist; a test may stop it again at once).
  void SetUp() override;
  // Stops the agent before the tmpfs under it (if any) goes away.
  void TearDown() override;

  // Puts the agent's data dir on a tmpfs of `size_bytes` mounted for this
  // test (call before WriteAgentConfig). An error when mounting is refused;
  // the data dir then stays where it was.
  Status MountAgentDataDir(int64_t size_bytes);

  // Writes the agent's config (not started): polls the simulator, records
  // health every second, trusts the system clock.
  void WriteAgentConfig(const FaultAgentConfig& config);
  std::string OutboxPath() const { return stack_.AgentDataDir() + "/outbox.db"; }
  // The outbox's counters now; a test failure when they cannot be read.
  OutboxCounters Counters();

  // Waits (at most `timeout_ms`) until the running agent's outbox holds no
  // waiting batch, then stops it with SIGTERM (it seals what is open).
  // Whatever it sealed at the end and did not send stays pending, which the
  // oracle tells apart from lost.
  void DrainAndStop(int timeout_ms);
  // Stops the aggregator, checks both files' integrity, runs the oracle,
  // prints its line after `figures` and asserts exactly-once delivery.
  void ExpectExactlyOnce(const std::string& figures);

  SystemStack stack_;
  std::unique_ptr<SimulatorProcess> meter_;
  std::unique_ptr<TmpfsMount> data_mount_;  // MountAgentDataDir's
};

}  // namespace wattline::testing

#endif  // WATTLINE_TESTS_FAULT_FAULT_SCENARIO_H_
