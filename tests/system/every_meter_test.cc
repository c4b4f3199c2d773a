// One agent with one device of every kind it reads, each against its real
// counterpart: the Shelly simulators over HTTP (Gen2+ with digest auth, Gen1
// with Basic auth), modbus-meter-sim over Modbus TCP (every shipped profile
// and a profile of the user's own) and over RTU on a pty pair, and a real
// mosquitto broker carrying Shelly Gen1 and Gen2 MQTT, Zigbee2MQTT, Tasmota,
// OpenDTU and AhoyDTU messages. Every expected series must reach the
// aggregator under its unit-bearing name with the value the device gave; the
// same config must pass --check-config, and a profile with a mistake must be
// refused with its file and line.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "agent/zigbee2mqtt/zigbee2mqtt_test_data.h"
#include "tests/support/modbus_profile_cases.h"
#include "tests/support/mosquitto_broker.h"
#include "tests/support/pty_pair.h"
#include "tests/support/simulator_process.h"
#include "tests/support/system_stack.h"

namespace wattline::testing {
namespace {

using Json = nlohmann::json;

constexpr char kAgent[] = "every-meter";

// A series the agent must deliver, by its full label set (agent aside).
std::string Selector(const std::string& metric,
                     const std::vector<std::pair<std::string, std::string>>& labels) {
  std::string selector = metric + "{agent=\"" + kAgent + "\"";
  for (const auto& [name, value] : labels) selector += "," + name + "=\"" + value + "\"";
  return selector + "}";
}

// A series whose value the test knows in advance (Modbus registers, MQTT
// messages the test publishes): its last sample must be that value.
struct KnownValue {
  std::string selector;
  double value;
};

// A series read from a noisy HTTP simulator: every sample must be a value the
// simulator served at `pointer` in one of its status answers.
struct ServedValue {
  std::string selector;
  const SimulatorProcess* simulator;
  std::string pointer;  // a JSON pointer into a served status
};

// The values `simulator` served at `pointer`, from its final served log.
std::set<double> ValuesServed(const std::vector<ServedEntry>& served, const std::string& pointer) {
  std::set<double> values;
  const Json::json_pointer where(pointer);
  for (const ServedEntry& entry : served) {
    if (entry.method != "Shelly.GetStatus" && entry.method != "/status") continue;
    if (entry.result.contains(where) && entry.result[where].is_number()) {
      values.insert(entry.result[where].get<double>());
    }
  }
  return values;
}

// Runs `argv` to its end (at most 30 s); its exit status and output.
std::pair<int, std::string> RunToExit(const std::vector<std::string>& argv,
                                      const std::string& log_path) {
  ChildProcess process(argv, log_path);
  WaitFor([&] { return !process.Running(); }, 30'000);
  const int status = process.Stop(SIGKILL, 1000);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, process.Log()};
}

// The local time as Tasmota writes it in "Time" (no zone).
std::string TasmotaTime() {
  std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &local);
  return text;
}

double NowSeconds() {
  return static_cast<double>(
             std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count()) /
         1000.0;
}

// A profile of the user's own for the `pattern` meter: a float32 with the
// low word first in the input registers, a uint32 little-endian in the
// holding registers, scaled (tests/sim/modbus_register_maps.h, "Pattern
// model": float32_cdab at 100 + 96 + 4 = 200, h.uint32_dcba at 100 + 48 + 12).
constexpr char kOwnProfile[] = R"(description: A meter of the user's own
fields:
  - {name: power_watts, address: 30201, type: float32, order: CDAB}
  - {name: energy_imported_watt_hours_total, address: 40161, type: uint32, order: DCBA, scale: 0.1}
)";

// The same with a mistake on line 4, column 51.
constexpr char kBrokenProfile[] = R"(description: A meter of the user's own
fields:
  - {name: power_watts, address: 30201, type: float32, order: CDAB}
  - {name: energy_imported_watt_hours_total, address: 40161, type: flaot32}
)";

class EveryMeter : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!PtyPair::Available()) GTEST_SKIP() << "socat is not installed (Debian package socat)";
    MosquittoBrokerOptions broker_options{"wattline", "broker-secret", false};
    const std::string missing = MosquittoBroker::Missing(broker_options);
    if (!missing.empty()) GTEST_SKIP() << missing;
    broker_ = std::make_unique<MosquittoBroker>(broker_options);
    ASSERT_TRUE(broker_->Start().ok()) << broker_->Log();
    ASSERT_TRUE(stack_.StartAggregator().ok()) << stack_.Logs();
  }

  SystemStack stack_;
  std::unique_ptr<MosquittoBroker> broker_;
};

TEST_F(EveryMeter, EverySeriesOfEveryKindReachesTheAggregator) {
  // HTTP devices.
  SimulatorProcess pro3em(Binaries::ShellySim(), {"--password", "gen2-secret", "--seed", "3"});
  SimulatorProcess plug(Binaries::ShellySwitchSim(), {"--seed", "5"});
  SimulatorProcess gen1_3em(Binaries::ShellyGen1Sim(),
                            {"--model", "3em", "--user", "admin", "--password", "gen1-secret"});
  SimulatorProcess gen1_em(Binaries::ShellyGen1Sim(), {"--model", "em", "--seed", "9"});
  // Modbus TCP: every shipped profile on its own unit id, and the pattern
  // meter read through the user's profile.
  const std::vector<ModbusProfileCase>& cases = ModbusProfileCases();
  std::vector<std::string> modbus_args;
  for (size_t i = 0; i < cases.size(); ++i) {
    modbus_args.push_back("--unit");
    modbus_args.push_back(std::to_string(i + 1) + ":" +
                          std::string(sim::MeterModelName(cases[i].model)));
  }
  const int pattern_unit = static_cast<int>(cases.size()) + 1;
  modbus_args.insert(modbus_args.end(), {"--unit", std::to_string(pattern_unit) + ":pattern"});
  SimulatorProcess modbus_tcp(Binaries::ModbusSim(), modbus_args, SimulatorListen::kModbusTcp);
  for (SimulatorProcess* sim : {&pro3em, &plug, &gen1_3em, &gen1_em, &modbus_tcp}) {
    ASSERT_TRUE(sim->WaitReady()) << sim->Log();
  }
  // Modbus RTU: two meters on one line.
  Result<std::unique_ptr<PtyPair>> line = PtyPair::Start(stack_.dir().path(), "rs485");
  ASSERT_TRUE(line.ok()) << line.status().ToString();
  SimulatorProcess modbus_rtu(Binaries::ModbusSim(),
                              {"--rtu", (*line)->end_a(), "--baud", "9600", "--unit", "1:sdm120",
                               "--unit", "2:sdm72"},
                              SimulatorListen::kModbusRtu);
  ASSERT_TRUE(modbus_rtu.WaitReady()) << modbus_rtu.Log();
  const std::string own_profile = stack_.dir().File("own_meter.yaml");
  WriteFile(own_profile, kOwnProfile);

  // Retained MQTT state, as the devices leave it on the broker.
  const std::string gen2_prefix = "shellypro3em-c8f09e8a1b2c";
  const Json gen2_em = {{"id", 0},
                        {"a_act_power", 100.5},
                        {"b_act_power", 200.25},
                        {"c_act_power", -50.0},
                        {"total_act_power", 250.75},
                        {"a_voltage", 229.1},
                        {"b_voltage", 230.2},
                        {"c_voltage", 231.3},
                        {"a_current", 0.61},
                        {"n_current", 0.05},
                        {"a_pf", 0.97},
                        {"b_freq", 50.01}};
  ASSERT_TRUE(broker_->Publish(gen2_prefix + "/status/em:0", gen2_em.dump(), true).ok());
  ASSERT_TRUE(broker_->Publish(gen2_prefix + "/online", "true", true).ok());
  ASSERT_TRUE(broker_->Publish("shellies/shellyem3-485519A1B2C3/online", "true", true).ok());
  ASSERT_TRUE(broker_->Publish("zigbee2mqtt/bridge/devices",
                               std::string(agent::testing::kBridgeDevices), true)
                  .ok());
  ASSERT_TRUE(broker_->Publish("zigbee2mqtt/z1/availability", R"({"state":"online"})", true).ok());
  ASSERT_TRUE(broker_->Publish("tele/kitchen_pow/LWT", "Online", true).ok());
  ASSERT_TRUE(broker_->Publish("solar/114182912345/status/reachable", "1", true).ok());
  ASSERT_TRUE(broker_->Publish("inverter/roof/available", "2", true).ok());

  std::string sources =
      "  - {type: shelly_gen2_http, device: pro3em, url: " + pro3em.url() +
      ", password: gen2-secret, interval: 500ms}\n"
      "  - {type: shelly_gen2_http, device: plug, url: " + plug.url() + ", interval: 500ms}\n"
      "  - {type: shelly_gen1_http, device: gen1_3em, url: " + gen1_3em.url() +
      ", user: admin, password: gen1-secret, interval: 500ms}\n"
      "  - {type: shelly_gen1_http, device: gen1_em, url: " + gen1_em.url() +
      ", interval: 500ms}\n"
      "  - type: modbus_tcp\n"
      "    host: 127.0.0.1\n"
      "    port: " + std::to_string(modbus_tcp.port()) + "\n"
      "    interval: 500ms\n"
      "    devices:\n";
  for (size_t i = 0; i < cases.size(); ++i) {
    sources += "      - {device: tcp_" + std::string(cases[i].profile) +
               ", unit: " + std::to_string(i + 1) + ", profile: " + cases[i].profile + "}\n";
  }
  sources += "      - {device: own_meter, unit: " + std::to_string(pattern_unit) +
             ", profile: " + own_profile + "}\n" +
             "  - type: modbus_rtu\n"
             "    serial_port: " + (*line)->end_b() + "\n"
             "    baud: 9600\n"
             "    interval: 500ms\n"
             "    devices:\n"
             "      - {device: rtu_sdm120, unit: 1, profile: eastron_sdm120}\n"
             "      - {device: rtu_sdm72, unit: 2, profile: eastron_sdm72}\n"
             "  - {type: shelly_gen1_mqtt, device: gen1_mqtt, id: shellyem3-485519A1B2C3}\n"
             "  - {type: shelly_gen2_mqtt, device: gen2_mqtt, topic_prefix: " + gen2_prefix +
             "}\n"
             "  - {type: zigbee2mqtt, base_topic: zigbee2mqtt}\n"
             "  - {type: mqtt_json, profile: tasmota_energy}\n"
             "  - {type: mqtt_json, profile: opendtu}\n"
             "  - {type: mqtt_json, profile: ahoy}\n";
  const std::string mqtt = "mqtt:\n  host: 127.0.0.1\n  port: " +
                           std::to_string(broker_->port()) +
                           "\n  username: wattline\n  password: broker-secret\n"
                           "  reconnect_initial: 100ms\n";
  ASSERT_TRUE(stack_.StartAgentWithSources(Binaries::Agent(), {}, kAgent, 500, sources, mqtt).ok())
      << stack_.Logs();

  // What the test knows in advance.
  std::vector<KnownValue> known;
  for (size_t i = 0; i < cases.size(); ++i) {
    sim::MeterSpec spec{cases[i].model, static_cast<int>(i + 1)};
    for (const ModbusExpectedSeries& series : cases[i].series) {
      std::vector<std::pair<std::string, std::string>> labels = {
          {"device", "tcp_" + std::string(cases[i].profile)}};
      if (*series.phase != '\0') labels.emplace_back("phase", series.phase);
      known.push_back({Selector(series.metric, labels), ExpectedModbusValue(spec, series)});
    }
  }
  const sim::MeterSpec pattern{sim::MeterModel::kPattern, pattern_unit};
  known.push_back({Selector("power_watts", {{"device", "own_meter"}}),
                   sim::ServedValue(pattern, "float32_cdab")});
  known.push_back({Selector("energy_imported_watt_hours_total", {{"device", "own_meter"}}),
                   sim::ServedValue(pattern, "h.uint32_dcba") * 0.1});
  struct RtuMeter {
    const char* device;
    const char* profile;
    int unit;
  };
  for (const RtuMeter& meter :
       {RtuMeter{"rtu_sdm120", "eastron_sdm120", 1}, RtuMeter{"rtu_sdm72", "eastron_sdm72", 2}}) {
    const ModbusProfileCase& profile_case = ModbusProfileCaseFor(meter.profile);
    const std::string device = meter.device;
    sim::MeterSpec spec{profile_case.model, meter.unit};
    for (const ModbusExpectedSeries& series : profile_case.series) {
      std::vector<std::pair<std::string, std::string>> labels = {{"device", device}};
      if (*series.phase != '\0') labels.emplace_back("phase", series.phase);
      known.push_back({Selector(series.metric, labels), ExpectedModbusValue(spec, series)});
    }
  }
  // Shelly Gen1 over MQTT: Wh counters, not the Watt-minute ones.
  const std::vector<std::pair<std::string, std::string>> gen1_mqtt_messages = {
      {"emeter/0/power", "123.45"},       {"emeter/1/voltage", "231.2"},
      {"emeter/2/current", "1.25"},       {"emeter/2/pf", "-0.93"},
      {"emeter/0/total", "45678.9"},      {"emeter/1/total_returned", "12.5"},
      {"emeter/0/energy", "99999"},       {"emeter/1/returned_energy", "88888"}};
  known.push_back({Selector("power_watts", {{"device", "gen1_mqtt"}, {"phase", "a"}}), 123.45});
  known.push_back({Selector("voltage_volts", {{"device", "gen1_mqtt"}, {"phase", "b"}}), 231.2});
  known.push_back({Selector("current_amperes", {{"device", "gen1_mqtt"}, {"phase", "c"}}), 1.25});
  known.push_back({Selector("power_factor", {{"device", "gen1_mqtt"}, {"phase", "c"}}), -0.93});
  known.push_back({Selector("energy_imported_watt_hours_total",
                            {{"device", "gen1_mqtt"}, {"phase", "a"}}),
                   45678.9});
  known.push_back({Selector("energy_exported_watt_hours_total",
                            {{"device", "gen1_mqtt"}, {"phase", "b"}}),
                   12.5});
  known.push_back({Selector("device_online", {{"device", "gen1_mqtt"}}), 1});
  // Shelly Gen2 over MQTT: a partial NotifyStatus merged onto the retained
  // full status.
  known.push_back({Selector("power_watts", {{"device", "gen2_mqtt"}, {"phase", "a"}}), 150.5});
  known.push_back({Selector("power_watts", {{"device", "gen2_mqtt"}, {"phase", "b"}}), 200.25});
  known.push_back({Selector("power_watts", {{"device", "gen2_mqtt"}, {"phase", "total"}}), 250.75});
  known.push_back({Selector("voltage_volts", {{"device", "gen2_mqtt"}, {"phase", "c"}}), 231.3});
  known.push_back({Selector("current_amperes", {{"device", "gen2_mqtt"}, {"phase", "n"}}), 0.05});
  known.push_back({Selector("power_factor", {{"device", "gen2_mqtt"}, {"phase", "a"}}), 0.97});
  known.push_back({Selector("frequency_hertz", {{"device", "gen2_mqtt"}, {"phase", "b"}}), 50.01});
  known.push_back({Selector("device_online", {{"device", "gen2_mqtt"}}), 1});
  // Zigbee2MQTT: units from the device's exposes (energy in kWh).
  const std::string z1_state =
      R"({"current":0.41,"energy":12.05,"linkquality":43,"power":87.5,"state":"ON","voltage":231})";
  known.push_back({Selector("power_watts", {{"device", "z1"}}), 87.5});
  known.push_back({Selector("energy_imported_watt_hours_total", {{"device", "z1"}}), 12050});
  known.push_back({Selector("voltage_volts", {{"device", "z1"}}), 231});
  known.push_back({Selector("current_amperes", {{"device", "z1"}}), 0.41});
  known.push_back({Selector("link_quality", {{"device", "z1"}}), 43});
  known.push_back({Selector("device_online", {{"device", "z1"}}), 1});
  // Tasmota.
  known.push_back({Selector("power_watts", {{"device", "kitchen_pow"}}), 61});
  known.push_back({Selector("voltage_volts", {{"device", "kitchen_pow"}}), 229});
  known.push_back({Selector("current_amperes", {{"device", "kitchen_pow"}}), 0.31});
  known.push_back({Selector("power_factor", {{"device", "kitchen_pow"}}), 0.87});
  known.push_back({Selector("energy_imported_watt_hours_total", {{"device", "kitchen_pow"}}), 3456});
  known.push_back({Selector("device_online", {{"device", "kitchen_pow"}}), 1});
  // OpenDTU and AhoyDTU: an inverter's yield is exported energy, in Wh.
  const std::vector<std::pair<std::string, std::string>> inverter_messages = {
      {"solar/114182912345/0/power", "250.3"},     {"solar/114182912345/0/yieldtotal", "1234.5"},
      {"solar/114182912345/1/power", "130.1"},     {"inverter/roof/ch0/P_AC", "310.2"},
      {"inverter/roof/ch0/YieldTotal", "2345.25"}, {"inverter/roof/ch1/P_DC", "160.4"}};
  known.push_back({Selector("power_watts", {{"device", "114182912345"}}), 250.3});
  known.push_back({Selector("energy_exported_watt_hours_total", {{"device", "114182912345"}}),
                   1234500});
  known.push_back({Selector("dc_power_watts", {{"device", "114182912345"}, {"input", "1"}}), 130.1});
  known.push_back({Selector("device_online", {{"device", "114182912345"}}), 1});
  known.push_back({Selector("power_watts", {{"device", "roof"}}), 310.2});
  known.push_back({Selector("energy_exported_watt_hours_total", {{"device", "roof"}}), 2345250});
  known.push_back({Selector("dc_power_watts", {{"device", "roof"}, {"input", "1"}}), 160.4});
  known.push_back({Selector("device_online", {{"device", "roof"}}), 1});

  // What the HTTP simulators serve, noisy: checked against their served logs.
  std::vector<ServedValue> served = {
      {Selector("power_watts", {{"device", "pro3em"}, {"phase", "a"}}), &pro3em,
       "/em:0/a_act_power"},
      {Selector("power_watts", {{"device", "pro3em"}, {"phase", "total"}}), &pro3em,
       "/em:0/total_act_power"},
      {Selector("voltage_volts", {{"device", "pro3em"}, {"phase", "b"}}), &pro3em,
       "/em:0/b_voltage"},
      {Selector("current_amperes", {{"device", "pro3em"}, {"phase", "n"}}), &pro3em,
       "/em:0/n_current"},
      {Selector("frequency_hertz", {{"device", "pro3em"}, {"phase", "c"}}), &pro3em,
       "/em:0/c_freq"},
      {Selector("energy_imported_watt_hours_total", {{"device", "pro3em"}, {"phase", "total"}}),
       &pro3em, "/emdata:0/total_act"},
      {Selector("energy_exported_watt_hours_total", {{"device", "pro3em"}, {"phase", "c"}}),
       &pro3em, "/emdata:0/c_total_act_ret_energy"},
      {Selector("power_watts", {{"device", "plug"}, {"channel", "0"}}), &plug, "/switch:0/apower"},
      {Selector("voltage_volts", {{"device", "plug"}, {"channel", "0"}}), &plug,
       "/switch:0/voltage"},
      {Selector("energy_imported_watt_hours_total", {{"device", "plug"}, {"channel", "0"}}), &plug,
       "/switch:0/aenergy/total"},
      {Selector("temperature_celsius", {{"device", "plug"}, {"channel", "0"}}), &plug,
       "/switch:0/temperature/tC"},
      {Selector("power_watts", {{"device", "gen1_3em"}, {"phase", "b"}}), &gen1_3em,
       "/emeters/1/power"},
      {Selector("current_amperes", {{"device", "gen1_3em"}, {"phase", "c"}}), &gen1_3em,
       "/emeters/2/current"},
      {Selector("energy_imported_watt_hours_total", {{"device", "gen1_3em"}, {"phase", "a"}}),
       &gen1_3em, "/emeters/0/total"},
      {Selector("energy_exported_watt_hours_total", {{"device", "gen1_3em"}, {"phase", "a"}}),
       &gen1_3em, "/emeters/0/total_returned"},
      {Selector("power_watts", {{"device", "gen1_em"}, {"channel", "1"}}), &gen1_em,
       "/emeters/1/power"},
      {Selector("reactive_power_volt_amperes_reactive", {{"device", "gen1_em"}, {"channel", "0"}}),
       &gen1_em, "/emeters/0/reactive"},
      {Selector("voltage_volts", {{"device", "gen1_em"}, {"channel", "0"}}), &gen1_em,
       "/emeters/0/voltage"},
  };

  // Publishes the readings again and again (the agent subscribes at some
  // point after it starts; readings it misses are simply lost, as on a real
  // broker) until every series has arrived.
  auto publish = [&](const std::string& topic, std::string_view payload) {
    const Status published = broker_->Publish(topic, payload);
    EXPECT_TRUE(published.ok()) << topic << ": " << published.ToString();
  };
  auto publish_readings = [&] {
    for (const auto& [field, payload] : gen1_mqtt_messages) {
      publish("shellies/shellyem3-485519A1B2C3/" + field, payload);
    }
    const Json notify = {{"src", gen2_prefix},
                         {"dst", gen2_prefix + "/events"},
                         {"method", "NotifyStatus"},
                         {"params", {{"ts", NowSeconds()}, {"em:0", {{"id", 0}, {"a_act_power", 150.5}}}}}};
    publish(gen2_prefix + "/events/rpc", notify.dump());
    publish("zigbee2mqtt/z1", z1_state);
    const Json tasmota = {{"Time", TasmotaTime()},
                          {"ENERGY",
                           {{"Total", 3.456},
                            {"Today", 0.5},
                            {"Yesterday", 0.7},
                            {"Power", 61},
                            {"ApparentPower", 70},
                            {"ReactivePower", 34},
                            {"Factor", 0.87},
                            {"Voltage", 229},
                            {"Current", 0.31}}}};
    publish("tele/kitchen_pow/SENSOR", tasmota.dump());
    for (const auto& [topic, payload] : inverter_messages) publish(topic, payload);
  };
  auto has_samples = [&](const std::string& selector) {
    auto samples = stack_.RawSamples(selector);
    return samples.ok() && !samples->empty();
  };
  auto last_published = std::chrono::steady_clock::time_point();
  const bool arrived = WaitFor(
      [&] {
        if (std::chrono::steady_clock::now() - last_published > std::chrono::milliseconds(500)) {
          publish_readings();
          last_published = std::chrono::steady_clock::now();
        }
        for (const KnownValue& want : known) {
          if (!has_samples(want.selector)) return false;
        }
        for (const ServedValue& want : served) {
          if (!has_samples(want.selector)) return false;
        }
        return true;
      },
      90'000);
  if (!arrived) {
    for (const KnownValue& want : known) {
      EXPECT_TRUE(has_samples(want.selector)) << "missing " << want.selector;
    }
    for (const ServedValue& want : served) {
      EXPECT_TRUE(has_samples(want.selector)) << "missing " << want.selector;
    }
    FAIL() << "not every series arrived\n" << stack_.Logs();
  }

  for (const KnownValue& want : known) {
    auto samples = stack_.RawSamples(want.selector);
    ASSERT_TRUE(samples.ok()) << samples.status().ToString();
    ASSERT_FALSE(samples->empty()) << want.selector;
    EXPECT_NEAR(samples->back().second, want.value, std::abs(want.value) * 1e-12)
        << want.selector;
  }
  // Stopped, the simulators' served logs are final: nothing the agent ships
  // can come from an answer not in them.
  std::map<const SimulatorProcess*, std::vector<ServedEntry>> logs;
  for (SimulatorProcess* sim : {&pro3em, &plug, &gen1_3em, &gen1_em}) {
    logs[sim] = sim->StopAndReadServed();
  }
  for (const ServedValue& want : served) {
    const std::set<double> values = ValuesServed(logs[want.simulator], want.pointer);
    auto samples = stack_.RawSamples(want.selector);
    ASSERT_TRUE(samples.ok()) << samples.status().ToString();
    ASSERT_FALSE(samples->empty()) << want.selector;
    for (const auto& [ms, value] : *samples) {
      EXPECT_TRUE(values.count(value)) << want.selector << " = " << value << " at " << ms
                                       << " was never served at " << want.pointer;
    }
  }
  // Watt-minute counters of the Gen1 MQTT topics are never shipped as energy.
  auto gen1_energy = stack_.RawSamples(
      Selector("energy_imported_watt_hours_total", {{"device", "gen1_mqtt"}, {"phase", "a"}}));
  ASSERT_TRUE(gen1_energy.ok()) << gen1_energy.status().ToString();
  for (const auto& [ms, value] : *gen1_energy) EXPECT_NE(value, 99999) << "at " << ms;

  std::printf("checked %zu series against known values and %zu against served logs\n",
              known.size(), served.size());

  // The same config passes --check-config.
  auto [status, output] = RunToExit(
      {Binaries::Agent(), "--check-config", stack_.AgentConfigPath()}, stack_.dir().File("check.log"));
  EXPECT_EQ(status, 0) << output;
}

TEST_F(EveryMeter, ProfileWithAMistakeIsRefusedWithItsFileAndLine) {
  const std::string broken = stack_.dir().File("broken_meter.yaml");
  WriteFile(broken, kBrokenProfile);
  ASSERT_TRUE(stack_
                  .WriteAgentConfig("broken", 500,
                                    "  - type: modbus_tcp\n    host: 127.0.0.1\n    devices:\n"
                                    "      - {device: own_meter, profile: " + broken + "}\n",
                                    "")
                  .ok());
  auto [status, output] =
      RunToExit({Binaries::Agent(), "--check-config", stack_.AgentConfigPath()}, stack_.dir().File("broken.log"));
  EXPECT_NE(status, 0) << output;
  EXPECT_NE(output.find(broken + ":4:"), std::string::npos)
      << "the message must name the profile's file and line:\n" << output;
  EXPECT_NE(output.find("flaot32"), std::string::npos) << output;
}

}  // namespace
}  // namespace wattline::testing
