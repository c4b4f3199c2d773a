// Time without a real-time clock (docs/durability.md): the agent runs in this
// process on a wall clock the test moves (1970, a stale saved time, a day
// ahead), against a real aggregator and a Modbus simulator. Stored samples
// must carry true time, never the wall clock's wrong one; what a trusted but
// wrong clock stamps is refused by the aggregator and counted.
#include <gtest/gtest.h>
#include <uv.h>

#include <atomic>
#include <thread>

#include "agent/agent.h"
#include "agent/config/agent_config.h"
#include "tests/fault/delivery_oracle.h"
#include "tests/support/system_stack.h"

namespace wattline::testing {
namespace {

// The machine's clocks, with the wall clock moved by `shift`.
class ShiftedClock final : public Clock {
 public:
  int64_t NowUnixMs() const override { return real_.NowUnixMs() + shift_ms_.load(); }
  int64_t NowMonotonicMs() const override { return real_.NowMonotonicMs(); }
  // Sets the wall clock to `unix_ms` now.
  void SetWallMs(int64_t unix_ms) { shift_ms_ = unix_ms - real_.NowUnixMs(); }
  void Reset() { shift_ms_ = 0; }

 private:
  SystemClock real_;
  std::atomic<int64_t> shift_ms_{0};
};

// An agent on its own loop thread in this process.
class InProcessAgent {
 public:
  Status Start(const agent::AgentConfig& config, const Clock* clock) {
    uv_loop_init(&loop_);
    auto agent = agent::Agent::Create(&loop_, config, clock);
    if (!agent.ok()) return agent.status();
    agent_ = std::move(*agent);
    WATTLINE_RETURN_IF_ERROR(agent_->Start());
    uv_async_init(&loop_, &stop_, [](uv_async_t* handle) {
      static_cast<agent::Agent*>(handle->data)->Shutdown();
      uv_close(reinterpret_cast<uv_handle_t*>(handle), nullptr);
    });
    stop_.data = agent_.get();
    thread_ = std::thread([this] { uv_run(&loop_, UV_RUN_DEFAULT); });
    return Status::Ok();
  }
  // Seals what is open and stops, as on SIGTERM.
  void Stop() {
    if (!thread_.joinable()) return;
    uv_async_send(&stop_);
    thread_.join();
    agent_.reset();
    uv_run(&loop_, UV_RUN_DEFAULT);
    uv_loop_close(&loop_);
  }
  ~InProcessAgent() { Stop(); }

 private:
  uv_loop_t loop_{};
  uv_async_t stop_{};
  std::unique_ptr<agent::Agent> agent_;
  std::thread thread_;
};

constexpr int64_t kStaleSavedMs = 1'735'689'600'000;  // 2025-01-01, as fake-hwclock left it
constexpr int64_t kDayMs = 86'400'000;

class ClockJumpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(stack_.StartAggregator().ok()) << stack_.Logs();
    modbus_ = std::make_unique<SimulatorProcess>(Binaries::ModbusSim(),
                                                 std::vector<std::string>{"--unit", "1:sdm120"},
                                                 SimulatorListen::kModbusTcp);
    ASSERT_TRUE(modbus_->WaitReady()) << modbus_->Log();
  }

  // Writes the config of agent `name` (poll every 100 ms, seal every 300 ms)
  // with clock.sync `sync` and loads it.
  agent::AgentConfig Config(const std::string& name, const std::string& sync) {
    const std::string sources =
        "  - type: modbus_tcp\n    host: 127.0.0.1\n    port: " + std::to_string(modbus_->port()) +
        "\n    interval: 100ms\n    devices:\n"
        "      - {device: meter, unit: 1, profile: eastron_sdm120}\n";
    stack_.SetAgentDataDir(stack_.dir().File(name + "-data"));
    EXPECT_TRUE(stack_.WriteAgentConfig(name, 300, sources, "clock:\n  sync: " + sync + "\n").ok());
    auto config = agent::LoadAgentConfig(stack_.AgentConfigPath());
    EXPECT_TRUE(config.ok()) << config.status().ToString();
    return *config;
  }

  // Stops the aggregator and counts what agent `name` delivered; every
  // stored sample must lie between `from_ms` and `to_ms` (true time).
  Delivery Check(const agent::AgentConfig& config, int64_t from_ms, int64_t to_ms,
                 StoredNow* span) {
    stack_.StopAggregator();
    Result<Delivery> delivery =
        CheckDelivery(config.data_dir + "/outbox.db", stack_.AggregatorStoragePath(), config.name);
    EXPECT_TRUE(delivery.ok()) << delivery.status().ToString();
    Result<StoredNow> stored = ReadStoredNow(stack_.AggregatorStoragePath(), config.name);
    EXPECT_TRUE(stored.ok()) << stored.status().ToString();
    if (!delivery.ok() || !stored.ok()) return Delivery{};
    *span = *stored;
    std::printf("%s: %s first_stored_ms=%lld (from %lld) last_stored_ms=%lld (to %lld)\n",
                config.name.c_str(), delivery->Line().c_str(),
                static_cast<long long>(span->oldest_ms), static_cast<long long>(from_ms),
                static_cast<long long>(span->newest_ms), static_cast<long long>(to_ms));
    EXPECT_GT(delivery->expected, 0);
    EXPECT_GE(span->oldest_ms, from_ms) << "a sample stored before the agent started";
    EXPECT_LE(span->newest_ms, to_ms) << "a sample stored after the agent stopped";
    EXPECT_TRUE(stack_.RestartAggregator().ok()) << stack_.Logs();
    return *delivery;
  }

  SystemStack stack_;
  std::unique_ptr<SimulatorProcess> modbus_;
};

// A Pi boots in 1970 with the aggregator out of reach: every sample is
// stamped provisionally. When the aggregator answers, its time places them.
TEST_F(ClockJumpTest, SamplesBeforeTheFirstAnswerAreStoredAtTrueTime) {
  for (int64_t wall_ms : {int64_t{0}, kStaleSavedMs}) {
    SCOPED_TRACE(wall_ms == 0 ? "booted in 1970" : "booted at a stale saved time");
    const std::string name = wall_ms == 0 ? "pi-1970" : "pi-stale";
    agent::AgentConfig config = Config(name, "aggregator");
    stack_.StopAggregator();
    ShiftedClock clock;
    clock.SetWallMs(wall_ms);
    const int64_t start_ms = SystemClock().NowUnixMs();
    InProcessAgent agent;
    ASSERT_TRUE(agent.Start(config, &clock).ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(2000));  // polls with nobody to ask
    const int64_t answered_from_ms = SystemClock().NowUnixMs();
    ASSERT_TRUE(stack_.RestartAggregator().ok()) << stack_.Logs();
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    agent.Stop();
    const int64_t end_ms = SystemClock().NowUnixMs();
    StoredNow span;
    const Delivery delivery = Check(config, start_ms - 1000, end_ms + 1000, &span);
    EXPECT_EQ(delivery.lost, 0);
    EXPECT_EQ(delivery.duplicated, 0);
    EXPECT_EQ(delivery.refused, 0);
    // The first samples were taken while nobody knew the time, yet they are
    // stored at the moment they were taken, not in 1970 or at the stale time.
    EXPECT_LT(span.oldest_ms, answered_from_ms) << "the samples before the first answer are missing";
  }
}

// The wall clock jumps a day ahead, then back to 1970, while the agent runs.
// With clock.sync: aggregator the jumps change nothing. With clock.sync:
// system (told to trust it) the agent stamps the wrong times, and the
// aggregator refuses those samples and counts them by reason.
TEST_F(ClockJumpTest, WallClockJumpsBothWays) {
  for (const std::string sync : {"aggregator", "system"}) {
    SCOPED_TRACE("clock.sync: " + sync);
    const std::string name = "jumpy-" + sync;
    agent::AgentConfig config = Config(name, sync);
    ShiftedClock clock;
    const int64_t start_ms = SystemClock().NowUnixMs();
    InProcessAgent agent;
    ASSERT_TRUE(agent.Start(config, &clock).ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(800));
    clock.SetWallMs(SystemClock().NowUnixMs() + kDayMs);
    std::this_thread::sleep_for(std::chrono::milliseconds(800));
    clock.SetWallMs(0);
    std::this_thread::sleep_for(std::chrono::milliseconds(800));
    clock.Reset();
    std::this_thread::sleep_for(std::chrono::milliseconds(800));
    agent.Stop();
    const int64_t end_ms = SystemClock().NowUnixMs();
    StoredNow span;
    const Delivery delivery = Check(config, start_ms - 1000, end_ms + 1000, &span);
    EXPECT_EQ(delivery.duplicated, 0);
    if (sync == "aggregator") {
      EXPECT_EQ(delivery.lost, 0);
      EXPECT_EQ(delivery.refused, 0);
    } else {
      // A trusted wrong clock: what the aggregator did not store, it refused
      // and counted (lost counts what vanished without a reason).
      EXPECT_GT(delivery.refused, 0);
      EXPECT_EQ(delivery.lost, 0);
    }
  }
}

}  // namespace
}  // namespace wattline::testing
