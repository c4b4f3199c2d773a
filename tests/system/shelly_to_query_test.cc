// One sample's whole path: Shelly Pro 3EM simulator -> agent (HTTP poll,
// open batch, SQLite outbox, mutual-TLS upload) -> aggregator (ingest,
// storage) -> query API. The query must return exactly the values the
// simulator served, each stamped by the agent just before its poll.
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/support/system_stack.h"

namespace wattline::testing {
namespace {

using Json = nlohmann::json;

struct ServedPoll {
  int64_t served_at_ms = 0;  // of the Shelly.GetStatus (or EM.GetStatus) answer
  Json em;
  Json emdata;
};

// The polls the simulator answered. The agent asks Shelly.GetStatus, one
// request per poll holding em:0 and emdata:0; a pair of EM.GetStatus and
// EMData.GetStatus answers (an agent from before that change) counts as one
// poll when both were served (the last one may have been cut off by the
// simulator stopping; the agent keeps none of those).
std::vector<ServedPoll> ReadServedPolls(const std::string& log) {
  std::vector<ServedPoll> polls;
  std::istringstream lines(log);
  std::string line;
  ServedPoll pending;
  bool have_em = false;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    Json entry = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    // Stopping the simulator may cut its last line short; no poll of it was
    // answered in full, so the agent kept none.
    if (entry.is_discarded() && lines.peek() == std::char_traits<char>::eof()) break;
    if (entry.is_discarded()) {
      ADD_FAILURE() << "a served-log line is not JSON: " << line;
      continue;
    }
    if (entry["method"] == "Shelly.GetStatus") {
      polls.push_back(ServedPoll{entry["served_at_ms"].get<int64_t>(), entry["result"]["em:0"],
                                 entry["result"]["emdata:0"]});
    } else if (entry["method"] == "EM.GetStatus") {
      pending = ServedPoll{entry["served_at_ms"].get<int64_t>(), entry["result"], Json()};
      have_em = true;
    } else if (entry["method"] == "EMData.GetStatus" && have_em) {
      pending.emdata = entry["result"];
      polls.push_back(pending);
      have_em = false;
    }
  }
  return polls;
}

struct Expectation {
  const char* metric;
  const char* phase;
  const char* key;
  bool emdata;
};

// DEVICES.md B.2/B.3 fields and the series the agent makes of them.
constexpr Expectation kExpectations[] = {
    {"current_amperes", "a", "a_current", false},
    {"current_amperes", "b", "b_current", false},
    {"current_amperes", "c", "c_current", false},
    {"current_amperes", "n", "n_current", false},
    {"current_amperes", "total", "total_current", false},
    {"voltage_volts", "a", "a_voltage", false},
    {"voltage_volts", "b", "b_voltage", false},
    {"voltage_volts", "c", "c_voltage", false},
    {"power_watts", "a", "a_act_power", false},
    {"power_watts", "b", "b_act_power", false},
    {"power_watts", "c", "c_act_power", false},
    {"power_watts", "total", "total_act_power", false},
    {"apparent_power_volt_amperes", "a", "a_aprt_power", false},
    {"apparent_power_volt_amperes", "total", "total_aprt_power", false},
    {"power_factor", "b", "b_pf", false},
    {"frequency_hertz", "c", "c_freq", false},
    {"energy_imported_watt_hours_total", "a", "a_total_act_energy", true},
    {"energy_imported_watt_hours_total", "total", "total_act", true},
    {"energy_exported_watt_hours_total", "c", "c_total_act_ret_energy", true},
    {"energy_exported_watt_hours_total", "total", "total_act_ret", true},
};

// Runs the whole path with `agent_binary` (under `launcher`, if any) and
// checks every value and timestamp the simulator served. `slack_ms` bounds
// how long a poll may take between the agent's timestamp and the answer.
void RunShellyToQuery(const std::string& agent_binary, const std::vector<std::string>& launcher,
                      int min_polls, int slack_ms, int timeout_ms) {
  SystemStack stack;
  ASSERT_TRUE(stack.StartAggregator().ok()) << stack.Logs();
  ASSERT_TRUE(stack.StartSimulator().ok()) << stack.Logs();
  ASSERT_TRUE(stack.StartAgent(agent_binary, launcher, "test-agent", 200, 500).ok());

  ASSERT_TRUE(WaitFor([&] { return ReadServedPolls(stack.ServedLogText()).size() >=
                                   static_cast<size_t>(min_polls); },
                      timeout_ms))
      << "the simulator was not polled\n" << stack.Logs();
  stack.StopSimulator();  // the served log is final from here on
  std::vector<ServedPoll> polls = ReadServedPolls(stack.ServedLogText());

  // Everything served reaches the aggregator within a few seal intervals.
  const std::string a_power = "power_watts{agent=\"test-agent\",device=\"panel\",phase=\"a\"}";
  bool complete = WaitFor(
      [&] {
        auto samples = stack.RawSamples(a_power);
        return samples.ok() && samples->size() >= polls.size();
      },
      timeout_ms);
  ASSERT_TRUE(complete) << "served " << polls.size() << " polls\n" << stack.Logs();

  for (const Expectation& e : kExpectations) {
    std::string selector = std::string(e.metric) + "{agent=\"test-agent\",device=\"panel\",phase=\"" +
                           e.phase + "\"}";
    auto samples = stack.RawSamples(selector);
    ASSERT_TRUE(samples.ok()) << samples.status().ToString();
    ASSERT_EQ(samples->size(), polls.size()) << selector;
    for (size_t i = 0; i < polls.size(); ++i) {
      const Json& served = e.emdata ? polls[i].emdata : polls[i].em;
      ASSERT_TRUE(served.contains(e.key)) << e.key;
      EXPECT_EQ((*samples)[i].second, served[e.key].get<double>())
          << selector << " poll " << i << ": the value must be exactly what was served";
      int64_t lag = polls[i].served_at_ms - (*samples)[i].first;
      EXPECT_GE(lag, 0) << selector << " poll " << i << ": stamped after the answer was made";
      EXPECT_LE(lag, slack_ms) << selector << " poll " << i;
    }
  }
}

TEST(ShellyToQuery, QueryReturnsExactlyWhatTheSimulatorServed) {
  RunShellyToQuery(Binaries::Agent(), {}, 10, 1000, 30000);
}

// The armel build, as it runs on a Raspberry Pi Zero (ARM1176), against the
// native aggregator.
TEST(ShellyToQuery, ArmelAgentUnderQemuArm1176) {
  std::string armel = Binaries::ArmelAgent();
  if (armel.empty() || access(armel.c_str(), X_OK) != 0) {
    GTEST_SKIP() << "no armel agent built (cross/build-agent.sh armel makes one; "
                    "./wattline test builds it)";
  }
  if (access("/usr/bin/qemu-arm", X_OK) != 0) GTEST_SKIP() << "qemu-arm is not installed";
  RunShellyToQuery(armel, {"/usr/bin/qemu-arm", "-cpu", "arm1176"}, 10, 3000, 90000);
}

}  // namespace
}  // namespace wattline::testing
