// The shelly_gen2_http source, run on a libuv loop against shelly-pro3em-sim
// (both profiles) and shelly-switch-sim, with and without digest
// authentication: every value shipped must be exactly what was served. And a
// scripted server for the answers no simulator gives.
#include "agent/shelly/shelly_gen2_http_source.h"

#include <gtest/gtest.h>

#include "agent/shelly/shelly_source_testing.h"

namespace wattline::agent {
namespace {

using testing::ByName;
using testing::ScriptedHttpServer;
using testing::ServedEntry;
using testing::SimulatorProcess;
using testing::SourceLoop;
using Json = nlohmann::json;

constexpr char kPro3emSimulator[] = WATTLINE_SHELLY_PRO3EM_SIM_BIN;
constexpr char kSwitchSimulator[] = WATTLINE_SHELLY_SWITCH_SIM_BIN;

std::string Entry(const std::string& url, const std::string& extra) {
  return "type: shelly_gen2_http\ndevice: dev\nurl: " + url + "\ninterval: 200ms\n" + extra;
}

using FieldTable = std::vector<std::pair<std::string, std::string>>;  // field -> metric

// DEVICES.md B.2/B.3/B.6 fields and the series the design names for them,
// written out here independently of the parser's tables.
const FieldTable kEm = {
    {"a_current", "current_amperes{device=\"dev\",phase=\"a\"}"},
    {"b_current", "current_amperes{device=\"dev\",phase=\"b\"}"},
    {"c_current", "current_amperes{device=\"dev\",phase=\"c\"}"},
    {"n_current", "current_amperes{device=\"dev\",phase=\"n\"}"},
    {"total_current", "current_amperes{device=\"dev\",phase=\"total\"}"},
    {"a_voltage", "voltage_volts{device=\"dev\",phase=\"a\"}"},
    {"b_voltage", "voltage_volts{device=\"dev\",phase=\"b\"}"},
    {"c_voltage", "voltage_volts{device=\"dev\",phase=\"c\"}"},
    {"a_act_power", "power_watts{device=\"dev\",phase=\"a\"}"},
    {"b_act_power", "power_watts{device=\"dev\",phase=\"b\"}"},
    {"c_act_power", "power_watts{device=\"dev\",phase=\"c\"}"},
    {"total_act_power", "power_watts{device=\"dev\",phase=\"total\"}"},
    {"a_aprt_power", "apparent_power_volt_amperes{device=\"dev\",phase=\"a\"}"},
    {"b_aprt_power", "apparent_power_volt_amperes{device=\"dev\",phase=\"b\"}"},
    {"c_aprt_power", "apparent_power_volt_amperes{device=\"dev\",phase=\"c\"}"},
    {"total_aprt_power", "apparent_power_volt_amperes{device=\"dev\",phase=\"total\"}"},
    {"a_pf", "power_factor{device=\"dev\",phase=\"a\"}"},
    {"b_pf", "power_factor{device=\"dev\",phase=\"b\"}"},
    {"c_pf", "power_factor{device=\"dev\",phase=\"c\"}"},
    {"a_freq", "frequency_hertz{device=\"dev\",phase=\"a\"}"},
    {"b_freq", "frequency_hertz{device=\"dev\",phase=\"b\"}"},
    {"c_freq", "frequency_hertz{device=\"dev\",phase=\"c\"}"},
};
const FieldTable kEmData = {
    {"a_total_act_energy", "energy_imported_watt_hours_total{device=\"dev\",phase=\"a\"}"},
    {"b_total_act_energy", "energy_imported_watt_hours_total{device=\"dev\",phase=\"b\"}"},
    {"c_total_act_energy", "energy_imported_watt_hours_total{device=\"dev\",phase=\"c\"}"},
    {"total_act", "energy_imported_watt_hours_total{device=\"dev\",phase=\"total\"}"},
    {"a_total_act_ret_energy", "energy_exported_watt_hours_total{device=\"dev\",phase=\"a\"}"},
    {"b_total_act_ret_energy", "energy_exported_watt_hours_total{device=\"dev\",phase=\"b\"}"},
    {"c_total_act_ret_energy", "energy_exported_watt_hours_total{device=\"dev\",phase=\"c\"}"},
    {"total_act_ret", "energy_exported_watt_hours_total{device=\"dev\",phase=\"total\"}"},
};
// Per channel; CHANNEL is replaced with the component id.
const FieldTable kEm1 = {
    {"current", "current_amperes{channel=\"CHANNEL\",device=\"dev\"}"},
    {"voltage", "voltage_volts{channel=\"CHANNEL\",device=\"dev\"}"},
    {"act_power", "power_watts{channel=\"CHANNEL\",device=\"dev\"}"},
    {"aprt_power", "apparent_power_volt_amperes{channel=\"CHANNEL\",device=\"dev\"}"},
    {"pf", "power_factor{channel=\"CHANNEL\",device=\"dev\"}"},
    {"freq", "frequency_hertz{channel=\"CHANNEL\",device=\"dev\"}"},
};
const FieldTable kEm1Data = {
    {"total_act_energy", "energy_imported_watt_hours_total{channel=\"CHANNEL\",device=\"dev\"}"},
    {"total_act_ret_energy",
     "energy_exported_watt_hours_total{channel=\"CHANNEL\",device=\"dev\"}"},
};
const FieldTable kSwitch = {
    {"/apower", "power_watts{channel=\"CHANNEL\",device=\"dev\"}"},
    {"/voltage", "voltage_volts{channel=\"CHANNEL\",device=\"dev\"}"},
    {"/current", "current_amperes{channel=\"CHANNEL\",device=\"dev\"}"},
    {"/pf", "power_factor{channel=\"CHANNEL\",device=\"dev\"}"},
    {"/freq", "frequency_hertz{channel=\"CHANNEL\",device=\"dev\"}"},
    {"/aenergy/total", "energy_imported_watt_hours_total{channel=\"CHANNEL\",device=\"dev\"}"},
    {"/ret_aenergy/total", "energy_exported_watt_hours_total{channel=\"CHANNEL\",device=\"dev\"}"},
    {"/temperature/tC", "temperature_celsius{channel=\"CHANNEL\",device=\"dev\"}"},
};

// Adds the expected series of `component` (a served object) to `*out`.
// Fields that are absent or null produce none.
void AddExpected(const Json& component, const FieldTable& table, const std::string& channel,
                 std::map<std::string, double>* out) {
  for (const auto& [field, series] : table) {
    const Json::json_pointer pointer(field.front() == '/' ? field : "/" + field);
    if (!component.contains(pointer) || component.at(pointer).is_null()) continue;
    std::string name = series;
    const size_t at = name.find("CHANNEL");
    if (at != std::string::npos) name.replace(at, 7, channel);
    (*out)[name] = component.at(pointer).get<double>();
  }
}

std::map<std::string, double> Expected(const Json& status) {
  std::map<std::string, double> out;
  for (const auto& [key, component] : status.items()) {
    const std::string type = key.substr(0, key.find(':'));
    const std::string id = key.find(':') == std::string::npos ? "" : key.substr(key.find(':') + 1);
    if (type == "em") AddExpected(component, kEm, id, &out);
    if (type == "emdata") AddExpected(component, kEmData, id, &out);
    if (type == "em1") AddExpected(component, kEm1, id, &out);
    if (type == "em1data") AddExpected(component, kEm1Data, id, &out);
    if (type == "switch") AddExpected(component, kSwitch, id, &out);
  }
  return out;
}

void ExpectBatchesAreWhatWasServed(const std::vector<Samples>& batches,
                                   const std::vector<ServedEntry>& served, size_t series) {
  ASSERT_GE(served.size(), batches.size());
  ASSERT_LE(served.size(), batches.size() + 1);
  for (size_t i = 0; i < batches.size(); ++i) {
    EXPECT_EQ(served[i].method, "Shelly.GetStatus") << "one request per poll";
    const std::map<std::string, double> expected = Expected(served[i].result);
    EXPECT_EQ(expected.size(), series) << served[i].result.dump();
    EXPECT_EQ(ByName(batches[i]), expected) << "poll " << i;
    EXPECT_EQ(batches[i].size(), series);
    for (const Sample& sample : batches[i]) {
      EXPECT_LE(sample.timestamp_ms, served[i].served_at_ms);
      EXPECT_GE(sample.timestamp_ms, served[i].served_at_ms - 2000);
    }
  }
}

// Runs a source against `sim` until it has shipped `polls` batches, then
// compares them with what was served.
void RunAndCompare(SimulatorProcess& sim, const std::string& extra, size_t series,
                   size_t polls = 4) {
  ASSERT_TRUE(sim.WaitReady()) << sim.Log();
  SourceLoop loop;
  ASSERT_TRUE(loop.Start(ShellyGen2HttpSourceType(), Entry(sim.url(), extra)).ok());
  ASSERT_TRUE(loop.RunUntil([&] { return loop.batches().size() >= polls; }, 15'000))
      << sim.Log() << "errors: " << loop.Health().errors;
  loop.StopSource();
  ExpectBatchesAreWhatWasServed(loop.batches(), sim.StopAndReadServed(), series);
  const DeviceHealth health = loop.Health();
  EXPECT_EQ(health.errors, 0u);
  EXPECT_EQ(health.samples, series * loop.batches().size());
}

TEST(ShellyGen2HttpSource, Pro3emTriphaseWithDigestAuthShipsExactlyWhatWasServed) {
  SimulatorProcess sim(kPro3emSimulator, {"--password", "s3cret:pw", "--seed", "5"});
  RunAndCompare(sim, "password: \"s3cret:pw\"\n", 22 + 8);
}

TEST(ShellyGen2HttpSource, Pro3emWithoutNeutralCtShipsNoNeutralCurrent) {
  SimulatorProcess sim(kPro3emSimulator, {"--no-neutral-ct"});
  RunAndCompare(sim, "", 21 + 8, 2);
}

TEST(ShellyGen2HttpSource, Pro3emMonophaseShipsThreeChannels) {
  SimulatorProcess sim(kPro3emSimulator, {"--profile", "monophase", "--seed", "2"});
  RunAndCompare(sim, "", 3 * (6 + 2));
}

TEST(ShellyGen2HttpSource, BidirectionalTwoChannelSwitchWithDigestAuth) {
  SimulatorProcess sim(kSwitchSimulator,
                       {"--channels", "2", "--returned-energy", "--password", "plug-pw"});
  RunAndCompare(sim, "password: plug-pw\n", 2 * 8);
}

TEST(ShellyGen2HttpSource, PlugWithoutReturnedEnergy) {
  SimulatorProcess sim(kSwitchSimulator, {"--seed", "8"});
  RunAndCompare(sim, "", 7, 2);
}

TEST(ShellyGen2HttpSource, WrongOrMissingPasswordCountsAuthErrors) {
  SimulatorProcess sim(kPro3emSimulator, {"--password", "right"});
  ASSERT_TRUE(sim.WaitReady()) << sim.Log();
  for (const char* credentials : {"password: wrong\n", ""}) {
    SourceLoop loop;
    ASSERT_TRUE(loop.Start(ShellyGen2HttpSourceType(), Entry(sim.url(), credentials)).ok());
    ASSERT_TRUE(loop.RunUntil([&] { return loop.Health().errors >= 3; }, 15'000)) << credentials;
    loop.StopSource();
    const DeviceHealth health = loop.Health();
    EXPECT_EQ(health.errors_by_reason.at("auth"), health.errors) << credentials;
    EXPECT_EQ(health.samples, 0u);
    EXPECT_TRUE(loop.batches().empty());
  }
  EXPECT_TRUE(sim.StopAndReadServed().empty());
  // The refused digest answers reached the simulator and were checked there.
  EXPECT_NE(sim.Log().find("wrong response (password)"), std::string::npos) << sim.Log();
}

std::string HttpResponse(const std::string& status_line, const std::string& headers,
                         const std::string& body) {
  return "HTTP/1.1 " + status_line + "\r\n" + headers +
         "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

TEST(ShellyGen2HttpSource, GarbageIsCountedByReasonAndNeverFatal) {
  const std::string good = R"({"switch:0":{"id":0,"apower":5.5}})";
  ScriptedHttpServer server({
      HttpResponse("200 OK", "", "not json at all"),
      HttpResponse("200 OK", "", R"({"code":-105,"message":"not found"})"),
      HttpResponse("200 OK", "", R"({"switch:0":{"apower":"5.5"}})"),
      HttpResponse("200 OK", "", std::string(70 * 1024, ' ') + good),
      HttpResponse("500 Internal Server Error", "", "oops"),
      HttpResponse("404 Not Found", "", R"({"code":404,"message":"No handler"})"),
      // A digest challenge without a nonce makes the HTTP library throw.
      HttpResponse("401 Unauthorized", "WWW-Authenticate: Digest realm=\"x\", qop=\"auth\"\r\n",
                   ""),
      HttpResponse("200 OK", "", good),
  });
  SourceLoop loop;
  ASSERT_TRUE(
      loop.Start(ShellyGen2HttpSourceType(), Entry(server.url(), "interval: 50ms\npassword: pw\n"))
          .ok());
  ASSERT_TRUE(loop.RunUntil([&] { return loop.batches().size() >= 2; }, 20'000))
      << "requests: " << server.requests() << ", errors: " << loop.Health().errors;
  loop.StopSource();
  const DeviceHealth health = loop.Health();
  // Per cycle of eight answers: four malformed, three protocol, one good.
  const uint64_t cycles = loop.batches().size();
  EXPECT_GE(health.errors_by_reason.at("malformed"), 4 * (cycles - 1) + 4) << cycles;
  EXPECT_GE(health.errors_by_reason.at("protocol"), 3 * (cycles - 1) + 3) << cycles;
  EXPECT_EQ(health.errors_by_reason.count("connect"), 0u);
  EXPECT_EQ(health.errors_by_reason.count("auth"), 0u);
  for (const Samples& batch : loop.batches()) {
    EXPECT_EQ(ByName(batch),
              (std::map<std::string, double>{{R"(power_watts{channel="0",device="dev"})", 5.5}}));
  }
}

TEST(ShellyGen2HttpSource, FaultyMeterIsADeviceErrorAndTheRestShips) {
  ScriptedHttpServer server({HttpResponse(
      "200 OK", "",
      R"({"em1:0":{"act_power":-12.5},"em1:1":{"act_power":3.0,"errors":["power_meter_failure"]},)"
      R"("em1data:1":{"total_act_energy":77.25}})")});
  SourceLoop loop;
  ASSERT_TRUE(loop.Start(ShellyGen2HttpSourceType(), Entry(server.url(), "")).ok());
  ASSERT_TRUE(loop.RunUntil([&] { return loop.batches().size() >= 2; }, 15'000));
  loop.StopSource();
  EXPECT_EQ(ByName(loop.batches()[0]),
            (std::map<std::string, double>{
                {R"(power_watts{channel="0",device="dev"})", -12.5},
                {R"(energy_imported_watt_hours_total{channel="1",device="dev"})", 77.25}}));
  const DeviceHealth health = loop.Health();
  EXPECT_EQ(health.errors_by_reason.at("device"), health.errors);
  EXPECT_GE(health.errors, loop.batches().size());
  EXPECT_GT(health.last_success_unix_ms, 0);
}

}  // namespace
}  // namespace wattline::agent
