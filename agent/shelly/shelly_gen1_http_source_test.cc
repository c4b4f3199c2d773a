// The shelly_gen1_http source, run on a libuv loop against shelly-gen1-sim:
// every value shipped must be exactly what the simulator served.
#include "agent/shelly/shelly_gen1_http_source.h"

#include <gtest/gtest.h>

#include "agent/shelly/shelly_source_testing.h"

namespace wattline::agent {
namespace {

using testing::ByName;
using testing::ServedEntry;
using testing::SimulatorProcess;
using testing::SourceLoop;

constexpr char kSimulator[] = WATTLINE_SHELLY_GEN1_SIM_BIN;

std::string Entry(const std::string& url, const std::string& extra) {
  return "type: shelly_gen1_http\ndevice: meter\nurl: " + url + "\ninterval: 200ms\n" + extra;
}

// What the source must make of one served /status, independently of the
// parser: DEVICES.md A.1's fields under the series names of the design.
std::map<std::string, double> Expected(const nlohmann::json& status, bool three_phase,
                                       int invalid_emeter) {
  const char* const kFields[][2] = {
      {"power", "power_watts"},
      {"reactive", "reactive_power_volt_amperes_reactive"},
      {"pf", "power_factor"},
      {"current", "current_amperes"},
      {"voltage", "voltage_volts"},
      {"total", "energy_imported_watt_hours_total"},
      {"total_returned", "energy_exported_watt_hours_total"},
  };
  const char* const kPhases[] = {"a", "b", "c"};
  std::map<std::string, double> out;
  const nlohmann::json& emeters = status["emeters"];
  for (size_t i = 0; i < emeters.size(); ++i) {
    if (static_cast<int>(i) == invalid_emeter) continue;
    const std::string position = three_phase ? std::string("phase=\"") + kPhases[i] + "\""
                                             : "channel=\"" + std::to_string(i) + "\"";
    for (const auto& field : kFields) {
      if (!emeters[i].contains(field[0])) continue;
      const std::string labels = three_phase ? "{device=\"meter\"," + position + "}"
                                             : "{" + position + ",device=\"meter\"}";
      out[std::string(field[1]) + labels] = emeters[i][field[0]].get<double>();
    }
  }
  if (three_phase && invalid_emeter < 0) {
    out["power_watts{device=\"meter\",phase=\"total\"}"] = status["total_power"].get<double>();
  }
  return out;
}

// Compares each batch with the served answer of the same poll.
void ExpectBatchesAreWhatWasServed(const std::vector<Samples>& batches,
                                   const std::vector<ServedEntry>& served, bool three_phase,
                                   int invalid_emeter) {
  // A poll served while the source was stopping is not shipped.
  ASSERT_GE(served.size(), batches.size());
  ASSERT_LE(served.size(), batches.size() + 1);
  for (size_t i = 0; i < batches.size(); ++i) {
    EXPECT_EQ(served[i].method, "/status");
    EXPECT_EQ(ByName(batches[i]), Expected(served[i].result, three_phase, invalid_emeter))
        << "poll " << i;
    for (const Sample& sample : batches[i]) {
      // Stamped just before the request, on the same clock as the simulator.
      EXPECT_LE(sample.timestamp_ms, served[i].served_at_ms);
      EXPECT_GE(sample.timestamp_ms, served[i].served_at_ms - 2000);
    }
  }
}

TEST(ShellyGen1HttpSource, Ships3emValuesExactlyAsServedWithBasicAuth) {
  SimulatorProcess sim(kSimulator, {"--model", "3em", "--user", "owner", "--password", "pw1"});
  ASSERT_TRUE(sim.WaitReady()) << sim.Log();
  SourceLoop loop;
  ASSERT_TRUE(
      loop.Start(ShellyGen1HttpSourceType(), Entry(sim.url(), "user: owner\npassword: pw1\n"))
          .ok());
  ASSERT_TRUE(loop.RunUntil([&] { return loop.batches().size() >= 4; }, 15'000)) << sim.Log();
  loop.StopSource();
  const std::vector<ServedEntry> served = sim.StopAndReadServed();
  ExpectBatchesAreWhatWasServed(loop.batches(), served, /*three_phase=*/true, -1);
  EXPECT_EQ(loop.batches()[0].size(), 19u);  // 3 x 6 fields + total_power

  const DeviceHealth health = loop.Health();
  EXPECT_EQ(health.device, "meter");
  EXPECT_EQ(health.errors, 0u);
  // A poll still in flight at the stop is counted but not shipped.
  EXPECT_GE(health.polls, loop.batches().size());
  EXPECT_LE(health.polls, loop.batches().size() + 1);
  EXPECT_EQ(health.samples, 19u * loop.batches().size());
  EXPECT_GE(health.last_latency_ms, 0);
}

TEST(ShellyGen1HttpSource, WrongOrMissingPasswordCountsAuthErrors) {
  SimulatorProcess sim(kSimulator, {"--model", "3em", "--password", "right"});
  ASSERT_TRUE(sim.WaitReady()) << sim.Log();
  for (const char* credentials : {"password: wrong\n", ""}) {
    SourceLoop loop;
    ASSERT_TRUE(loop.Start(ShellyGen1HttpSourceType(), Entry(sim.url(), credentials)).ok());
    ASSERT_TRUE(loop.RunUntil([&] { return loop.Health().errors >= 3; }, 15'000)) << credentials;
    loop.StopSource();
    const DeviceHealth health = loop.Health();
    EXPECT_EQ(health.errors_by_reason.at("auth"), health.errors) << credentials;
    EXPECT_EQ(health.samples, 0u);
    EXPECT_EQ(health.last_success_unix_ms, 0);
    EXPECT_TRUE(loop.batches().empty());
  }
  EXPECT_TRUE(sim.StopAndReadServed().empty()) << "nothing may be served without the password";
}

TEST(ShellyGen1HttpSource, ShellyEmChannelsAndAnInvalidEmeter) {
  SimulatorProcess sim(kSimulator, {"--model", "em", "--invalid-emeter", "1", "--seed", "4"});
  ASSERT_TRUE(sim.WaitReady()) << sim.Log();
  SourceLoop loop;
  ASSERT_TRUE(loop.Start(ShellyGen1HttpSourceType(), Entry(sim.url(), "")).ok());
  ASSERT_TRUE(loop.RunUntil([&] { return loop.batches().size() >= 3; }, 15'000)) << sim.Log();
  loop.StopSource();
  const std::vector<ServedEntry> served = sim.StopAndReadServed();
  ExpectBatchesAreWhatWasServed(loop.batches(), served, /*three_phase=*/false, 1);
  // Channel 0 only: power, reactive, pf, voltage, total, total_returned.
  EXPECT_EQ(loop.batches()[0].size(), 6u);
  ASSERT_FALSE(served.empty());
  EXPECT_FALSE(served[0].result["emeters"][1]["is_valid"].get<bool>());

  // One device error per poll, however many emeters were invalid.
  const DeviceHealth health = loop.Health();
  EXPECT_EQ(health.errors, loop.batches().size());
  EXPECT_EQ(health.errors_by_reason.at("device"), health.errors);
  EXPECT_GT(health.last_success_unix_ms, 0);
}

TEST(ShellyGen1HttpSource, UnreachableMeterCountsConnectErrors) {
  // A port nobody listens on: a simulator that has stopped.
  SimulatorProcess sim(kSimulator, {});
  ASSERT_TRUE(sim.WaitReady()) << sim.Log();
  const std::string url = sim.url();
  sim.StopAndReadServed();
  SourceLoop loop;
  ASSERT_TRUE(loop.Start(ShellyGen1HttpSourceType(), Entry(url, "timeout: 500ms\n")).ok());
  ASSERT_TRUE(loop.RunUntil([&] { return loop.Health().errors >= 2; }, 15'000));
  loop.StopSource();
  EXPECT_EQ(loop.Health().errors_by_reason.at("connect"), loop.Health().errors);
  EXPECT_TRUE(loop.batches().empty());
}

TEST(ShellyGen1HttpSource, ConfigRefusesAPasswordWithoutUserAndBadIntervals) {
  SourceLoop loop;
  EXPECT_FALSE(loop.Start(ShellyGen1HttpSourceType(),
                          Entry("http://127.0.0.1:9", "user: \"\"\npassword: x\n"))
                   .ok());
  const std::string zero =
      "type: shelly_gen1_http\ndevice: m\nurl: http://127.0.0.1:9\ninterval: 0s\n";
  Status status = loop.Start(ShellyGen1HttpSourceType(), zero);
  EXPECT_NE(status.message().find("test.yaml:1:1: interval must be > 0"), std::string::npos)
      << status.ToString();
  EXPECT_FALSE(loop.Start(ShellyGen1HttpSourceType(), Entry("ftp://x", "")).ok());
}

}  // namespace
}  // namespace wattline::agent
