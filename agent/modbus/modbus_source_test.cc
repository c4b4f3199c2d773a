// The Modbus source end to end: the real ModbusSource on a libuv loop, reading
// modbus-meter-sim (tests/sim) over Modbus TCP on loopback and over RTU on a
// pty pair, through every shipped profile. Values are checked against the
// simulator's own table (tests/sim/modbus_register_maps.h), after scaling.
#include "agent/modbus/modbus_source.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <uv.h>

#include <chrono>
#include <cmath>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "agent/modbus/builtin_profiles.h"
#include "common/testing/temp_dir.h"
#include "tests/sim/modbus_register_maps.h"
#include "tests/support/modbus_profile_cases.h"
#include "tests/support/pty_pair.h"
#include "tests/support/simulator_process.h"

namespace wattline::agent::modbus {
namespace {

using wattline::testing::PtyPair;
using wattline::testing::SimulatorListen;
using wattline::testing::SimulatorProcess;
using wattline::testing::TempDir;

// Every shipped profile and the series it must produce (tests/support).
using Expected = wattline::testing::ModbusExpectedSeries;
using ProfileCase = wattline::testing::ModbusProfileCase;
using wattline::testing::ModbusProfileCases;

std::string SeriesKey(const std::string& device, const Expected& expected) {
  Labels labels = {{std::string(kMetricNameLabel), expected.metric}, {"device", device}};
  if (*expected.phase != '\0') labels.push_back({"phase", expected.phase});
  EXPECT_TRUE(Canonicalize(labels).ok());
  return LabelsToString(labels);
}

std::shared_ptr<const ModbusProfile> Builtin(std::string_view name) {
  Result<ModbusProfile> profile = LoadBuiltinProfile(name);
  EXPECT_TRUE(profile.ok()) << profile.status().ToString();
  return std::make_shared<const ModbusProfile>(std::move(*profile));
}

// modbus-meter-sim runs as a SimulatorProcess (tests/support), over TCP or on
// one end of a pty pair.
bool SimulatorBuilt() { return ::access(WATTLINE_MODBUS_SIM_BIN, X_OK) == 0; }

// A loop, a source on it, and what the source delivered.
class SourceHarness {
 public:
  SourceHarness() { uv_loop_init(&loop_); }
  ~SourceHarness() {
    source_.reset();
    uv_run(&loop_, UV_RUN_DEFAULT);  // runs the close callbacks
    EXPECT_EQ(uv_loop_close(&loop_), 0) << "a handle was left open";
  }

  Status Start(ModbusSourceOptions options) {
    Result<std::unique_ptr<ModbusSource>> source =
        ModbusSource::Create(&loop_, std::move(options), &clock_, [this](Samples&& samples) {
          ++batches_;
          for (Sample& sample : samples) {
            EXPECT_TRUE(ValidateCanonical(sample.labels).ok());
            latest_[LabelsToString(sample.labels)] = sample.value;
            timestamps_.insert(sample.timestamp_ms);
          }
        });
    if (!source.ok()) return source.status();
    source_ = std::move(*source);
    return source_->Start();
  }

  // Runs the loop until `done` or `timeout_ms`; true when done.
  template <typename Predicate>
  bool RunUntil(Predicate done, int timeout_ms) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      uv_run(&loop_, UV_RUN_NOWAIT);
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
  }

  DeviceHealth Health(const std::string& device) const {
    std::vector<DeviceHealth> all;
    source_->AppendHealth(&all);
    for (const DeviceHealth& health : all) {
      if (health.device == device) return health;
    }
    ADD_FAILURE() << "no health for " << device;
    return {};
  }

  ModbusSource* source() { return source_.get(); }
  const std::map<std::string, double>& latest() const { return latest_; }
  int batches() const { return batches_; }
  const std::set<int64_t>& timestamps() const { return timestamps_; }

 private:
  uv_loop_t loop_;
  SystemClock clock_;
  std::unique_ptr<ModbusSource> source_;
  std::map<std::string, double> latest_;
  std::set<int64_t> timestamps_;
  int batches_ = 0;
};

// Checks that `latest` holds exactly the series `profile_case` names for
// `device`, with the simulator's values after scaling.
void ExpectSeries(const std::map<std::string, double>& latest, const std::string& device,
                  const ProfileCase& profile_case, const sim::MeterSpec& spec) {
  const std::vector<sim::RegisterPoint> points = sim::MeterPoints(spec);
  std::set<std::string> expected_keys;
  for (const Expected& expected : profile_case.series) {
    const std::string key = SeriesKey(device, expected);
    expected_keys.insert(key);
    const sim::RegisterPoint* point = sim::FindPoint(points, expected.point);
    ASSERT_NE(point, nullptr) << expected.point;
    auto it = latest.find(key);
    ASSERT_NE(it, latest.end()) << "missing " << key;
    EXPECT_DOUBLE_EQ(it->second, point->value() * expected.scale) << key;
  }
  const std::string device_label = "device=\"" + device + "\"";
  for (const auto& [key, value] : latest) {
    if (key.find(device_label) == std::string::npos) continue;
    EXPECT_TRUE(expected_keys.count(key)) << "unexpected series " << key << " = " << value;
  }
}

TEST(ModbusSource, EveryShippedProfileOverTcp) {
  if (!SimulatorBuilt()) GTEST_SKIP() << "modbus-meter-sim not built";
  for (const ProfileCase& profile_case : ModbusProfileCases()) {
    for (uint16_t base : {40000, 50000, 0}) {
      // Only SunSpec has a base to vary.
      if (profile_case.model != sim::MeterModel::kSunSpec203 && base != 40000) continue;
      SCOPED_TRACE(std::string(profile_case.profile) + " base " + std::to_string(base));
      const std::string model(sim::MeterModelName(profile_case.model));
      std::string unit = "7:" + model;
      if (profile_case.model == sim::MeterModel::kSunSpec203) {
        unit += ":base=" + std::to_string(base);
      }
      SimulatorProcess sim(WATTLINE_MODBUS_SIM_BIN, {"--unit", unit}, SimulatorListen::kModbusTcp);
      ASSERT_TRUE(sim.WaitReady()) << sim.Log();

      SourceHarness harness;
      ModbusSourceOptions options;
      options.tcp = TcpEndpoint{"127.0.0.1", sim.port()};
      ModbusDeviceOptions device;
      device.device = "meter";
      device.unit = 7;
      device.profile = Builtin(profile_case.profile);
      device.interval_ms = 200;
      device.timeout_ms = 1000;
      options.devices.push_back(device);
      ASSERT_TRUE(harness.Start(options).ok());
      ASSERT_TRUE(harness.RunUntil([&] { return harness.Health("meter").samples > 0; }, 10'000))
          << sim.Log();

      sim::MeterSpec spec;
      spec.model = profile_case.model;
      spec.unit_id = 7;
      spec.sunspec_base = base;
      ExpectSeries(harness.latest(), "meter", profile_case, spec);
      const DeviceHealth health = harness.Health("meter");
      EXPECT_EQ(health.errors, 0u) << sim.ServedLogText();
      EXPECT_EQ(health.samples, profile_case.series.size());
      EXPECT_GT(health.last_success_unix_ms, 0);
      EXPECT_GE(health.last_latency_ms, 0);
      EXPECT_EQ(harness.timestamps().size(), 1u);  // one stamp per poll
      // No request was refused, except SunSpec discovery looking for "SunS"
      // at the bases before the one the meter uses.
      const std::string served = sim.ServedLogText();
      std::istringstream lines(served);
      for (std::string line; std::getline(lines, line);) {
        if (line.find("exception") == std::string::npos) continue;
        const bool probe = profile_case.model == sim::MeterModel::kSunSpec203 &&
                           (line == "unit=7 fc=3 addr=40000 count=2 result=exception:2" ||
                            line == "unit=7 fc=3 addr=50000 count=2 result=exception:2");
        EXPECT_TRUE(probe) << line;
      }
      if (profile_case.model == sim::MeterModel::kSunSpec203) {
        // Found at its base, then one read of the model's points.
        const std::string model_id = std::to_string(base + 2 + 68);
        EXPECT_NE(served.find("addr=" + model_id + " count=2 result=ok"), std::string::npos)
            << served;
        EXPECT_NE(served.find("addr=" + std::to_string(base + 2 + 68 + 2) + " count=53 result=ok"),
                  std::string::npos)
            << served;
      }
      if (profile_case.model == sim::MeterModel::kSdm630) {
        // DEVICES.md D.2: the whole map in one FC04 read of 76 registers.
        EXPECT_EQ(served.find("unit=7 fc=4 addr=0 count=76 result=ok"), 0u) << served;
      }
    }
  }
}

TEST(ModbusSource, KeepsPollingAtItsInterval) {
  if (!SimulatorBuilt()) GTEST_SKIP() << "modbus-meter-sim not built";
  SimulatorProcess sim(WATTLINE_MODBUS_SIM_BIN, {"--unit", "1:sdm630"},
                       SimulatorListen::kModbusTcp);
  ASSERT_TRUE(sim.WaitReady()) << sim.Log();
  SourceHarness harness;
  ModbusSourceOptions options;
  options.tcp = TcpEndpoint{"127.0.0.1", sim.port()};
  ModbusDeviceOptions device;
  device.device = "panel";
  device.profile = Builtin("eastron_sdm630");
  device.interval_ms = 100;
  options.devices.push_back(device);
  ASSERT_TRUE(harness.Start(options).ok());
  ASSERT_TRUE(harness.RunUntil([&] { return harness.Health("panel").polls >= 5; }, 10'000));
  EXPECT_GE(harness.batches(), 4);
  EXPECT_GE(harness.timestamps().size(), 4u);
  // Stopped, it polls no more.
  harness.source()->Stop();
  const uint64_t polls = harness.Health("panel").polls;
  harness.RunUntil([] { return false; }, 400);
  EXPECT_LE(harness.Health("panel").polls, polls);
}

// Two meters, a dead one and one answering only exceptions, on one RS485 line.
TEST(ModbusSource, RtuBusSurvivesDeadAndFaultyUnits) {
  if (!SimulatorBuilt()) GTEST_SKIP() << "modbus-meter-sim not built";
  if (!PtyPair::Available()) GTEST_SKIP() << "socat not installed";
  TempDir dir;
  Result<std::unique_ptr<PtyPair>> pty = PtyPair::Start(dir.path(), "rs485");
  ASSERT_TRUE(pty.ok()) << pty.status().ToString();
  SimulatorProcess sim(WATTLINE_MODBUS_SIM_BIN,
                       {"--rtu", (*pty)->end_a(), "--baud", "9600", "--unit", "1:sdm630", "--unit",
                        "2:sdm120", "--unit", "3:sdm120", "--unit", "4:sdm72", "--fault",
                        "3:silent", "--fault", "4:exception:4"},
                       SimulatorListen::kModbusRtu);
  ASSERT_TRUE(sim.WaitReady()) << sim.Log();

  SourceHarness harness;
  ModbusSourceOptions options;
  options.serial = SerialLine{(*pty)->end_b(), 9600, 'N', 8, 1};
  const auto add = [&](const char* name, int unit, const char* profile) {
    ModbusDeviceOptions device;
    device.device = name;
    device.unit = unit;
    device.profile = Builtin(profile);
    device.interval_ms = 300;
    device.timeout_ms = 250;
    device.retries = unit == 3 ? 0 : 1;
    options.devices.push_back(device);
  };
  add("mains", 1, "eastron_sdm630");
  add("boiler", 2, "eastron_sdm120");
  add("dead", 3, "eastron_sdm120");
  add("faulty", 4, "eastron_sdm72");
  ASSERT_TRUE(harness.Start(options).ok());
  EXPECT_EQ(harness.source()->name(), "modbus " + (*pty)->end_b());

  const auto healthy_polls = [&](const char* device) {
    const DeviceHealth health = harness.Health(device);
    return health.polls - health.errors;
  };
  ASSERT_TRUE(harness.RunUntil(
      [&] {
        return healthy_polls("mains") >= 3 && healthy_polls("boiler") >= 3 &&
               harness.Health("dead").errors >= 2 && harness.Health("faulty").errors >= 2;
      },
      20'000))
      << sim.Log() << sim.ServedLogText();

  sim::MeterSpec sdm630{sim::MeterModel::kSdm630, 1, 40000};
  sim::MeterSpec sdm120{sim::MeterModel::kSdm120, 2, 40000};
  ExpectSeries(harness.latest(), "mains", ModbusProfileCases()[0], sdm630);
  ExpectSeries(harness.latest(), "boiler", ModbusProfileCases()[1], sdm120);

  const DeviceHealth mains = harness.Health("mains");
  EXPECT_EQ(mains.errors, 0u);
  EXPECT_GT(mains.last_success_unix_ms, 0);
  const DeviceHealth dead = harness.Health("dead");
  EXPECT_EQ(dead.samples, 0u);
  EXPECT_EQ(dead.last_success_unix_ms, 0);
  EXPECT_EQ(dead.errors, dead.errors_by_reason.at(std::string(kErrorTimeout)));
  const DeviceHealth faulty = harness.Health("faulty");
  EXPECT_EQ(faulty.samples, 0u);
  EXPECT_EQ(faulty.errors, faulty.errors_by_reason.at(std::string(kErrorProtocol)));
  // An exception is the device's final answer: never retried, so the faulty
  // unit saw exactly one request per read per poll (two reads for the SDM72).
  const std::string served = sim.ServedLogText();
  size_t faulty_requests = 0;
  for (size_t at = served.find("unit=4 "); at != std::string::npos;
       at = served.find("unit=4 ", at + 1)) {
    ++faulty_requests;
  }
  EXPECT_LE(faulty_requests, 2 * harness.Health("faulty").polls);
  for (const auto& [key, value] : harness.latest()) {
    EXPECT_EQ(key.find("device=\"dead\""), std::string::npos) << key;
    EXPECT_EQ(key.find("device=\"faulty\""), std::string::npos) << key;
  }
}

TEST(ModbusSource, UnreachableEndpointIsCountedNotFatal) {
  SourceHarness harness;
  ModbusSourceOptions options;
  // Port 1 on loopback: nothing listens there, the connect is refused.
  options.tcp = TcpEndpoint{"127.0.0.1", 1};
  ModbusDeviceOptions device;
  device.device = "away";
  device.profile = Builtin("eastron_sdm630");
  device.interval_ms = 100;
  device.timeout_ms = 200;
  device.retries = 0;
  options.devices.push_back(device);
  ASSERT_TRUE(harness.Start(options).ok());
  ASSERT_TRUE(harness.RunUntil([&] { return harness.Health("away").errors >= 3; }, 10'000));
  const DeviceHealth health = harness.Health("away");
  EXPECT_EQ(health.errors_by_reason.at(std::string(kErrorConnect)), health.errors);
  EXPECT_EQ(health.samples, 0u);
  EXPECT_TRUE(harness.latest().empty());
}

TEST(ModbusSource, DestroyedWhilePollingADeadUnit) {
  // The worker is inside a 2 s timeout when the source goes: destruction waits
  // for that request at most, and no callback runs afterwards.
  if (!SimulatorBuilt()) GTEST_SKIP() << "modbus-meter-sim not built";
  SimulatorProcess sim(WATTLINE_MODBUS_SIM_BIN, {"--unit", "1:sdm630", "--fault", "1:silent"},
                       SimulatorListen::kModbusTcp);
  ASSERT_TRUE(sim.WaitReady()) << sim.Log();
  auto harness = std::make_unique<SourceHarness>();
  ModbusSourceOptions options;
  options.tcp = TcpEndpoint{"127.0.0.1", sim.port()};
  ModbusDeviceOptions device;
  device.device = "dead";
  device.profile = Builtin("eastron_sdm630");
  device.timeout_ms = 2000;
  options.devices.push_back(device);
  ASSERT_TRUE(harness->Start(options).ok());
  ASSERT_TRUE(
      harness->RunUntil([&] { return sim.ServedLogText().find("silent") != std::string::npos; }, 5000));
  const auto started = std::chrono::steady_clock::now();
  harness.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(4500));
}

}  // namespace
}  // namespace wattline::agent::modbus
