#include "agent/shelly/shelly_gen2_mqtt_status.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "agent/shelly/shelly_gen2_parser.h"

namespace wattline::agent {
namespace {

constexpr int64_t kArrival = 1'757'059'801'000;

// The real Pro 3EM EMData status (DEVICES.md B.3), verbatim.
constexpr std::string_view kEmDataStatus =
    R"({ "id": 0, "a_total_act_energy": 64735.49, "a_total_act_ret_energy": 0, "b_total_act_energy": 78798.66, "b_total_act_ret_energy": 0, "c_total_act_energy": 104999.43, "c_total_act_ret_energy": 0, "total_act": 248533.57, "total_act_ret": 0 })";

// A complete EM status with a distinct value per field.
constexpr std::string_view kEmStatus = R"({"id":0,
  "a_current":1.234,"a_voltage":229.898,"a_act_power":250.1,"a_aprt_power":283.9,"a_pf":0.88,"a_freq":50.01,
  "b_current":8.765,"b_voltage":231.002,"b_act_power":2010.4,"b_aprt_power":2024.7,"b_pf":0.99,"b_freq":50.02,
  "c_current":4.321,"c_voltage":232.117,"c_act_power":-987.6,"c_aprt_power":1003.0,"c_pf":-0.98,"c_freq":49.98,
  "n_current":0.456,"total_current":14.32,"total_act_power":1272.9,"total_aprt_power":3311.6,
  "user_calibrated_phase":[],"errors":[]})";

// DEVICES.md B.5, verbatim: a per-minute EMData record as NotifyEvent.
constexpr std::string_view kVerbatimNotifyEvent =
    R"({"src":"shellypro3em-1234567890ab","dst":"aiida/12345678-1234-1234-1234-123456789abc/events","method":"NotifyEvent",
 "params":{"ts":1757059800.65,"events":[{"component":"emdata:0","id":0,"event":"data","ts":1757059740,
 "data":{"ts":1757059740,"period":60,"values":[[0,0,0.0001,0,0,0.0001,0,0,0,0,0,0,0,0.029,0.027,0.028,0,0,0,0,0,0,0,0,0,0,0,0,0,0.028,0.026,0.027,0,0,0.3492,0.3444,0,0.9602,-16.3,-26.5,110.5,104.6,229.898,224.681,227.16,0.486,0.458,0.471,0.028,0.026,0.027]]}}]}})";

std::string Frame(std::string_view method, std::string_view params) {
  return R"({"src":"shellypro3em-8813bfe14804","dst":"shellypro3em-8813bfe14804/events","method":")" +
         std::string(method) + R"(","params":)" + std::string(params) + "}";
}

std::map<std::string, double> ByName(const Samples& samples) {
  std::map<std::string, double> out;
  for (const Sample& sample : samples) out[LabelsToString(sample.labels)] = sample.value;
  return out;
}

std::string Series(std::string_view metric, std::string_view phase) {
  return std::string(metric) + R"({device="panel",phase=")" + std::string(phase) + R"("})";
}

TEST(ShellyGen2MqttStatus, PartialNotifyStatusIsOverlaidOnTheKnownStatus) {
  ShellyGen2MqttStatus state("panel");
  Samples full;
  ASSERT_TRUE(state.OnComponentStatus("em:0", kEmStatus, false, kArrival, &full).ok());
  EXPECT_EQ(full.size(), 22u);

  // Only a_act_power and b_voltage changed.
  Samples samples;
  ASSERT_TRUE(state
                  .OnRpcFrame(Frame("NotifyStatus",
                                    R"({"ts":1757059802.25,"em:0":{"id":0,"a_act_power":300.5,"b_voltage":230.0}})"),
                              false, kArrival + 5000, &samples)
                  .ok());
  ASSERT_EQ(samples.size(), 22u);  // every known field, not just the changed ones
  for (const Sample& sample : samples) EXPECT_EQ(sample.timestamp_ms, 1'757'059'802'250);
  const auto values = ByName(samples);
  EXPECT_EQ(values.at(Series("power_watts", "a")), 300.5);
  EXPECT_EQ(values.at(Series("voltage_volts", "b")), 230.0);
  // Unchanged keys keep their known value rather than reading as zero.
  EXPECT_EQ(values.at(Series("voltage_volts", "a")), 229.898);
  EXPECT_EQ(values.at(Series("power_watts", "c")), -987.6);
  EXPECT_EQ(values.at(Series("current_amperes", "n")), 0.456);
}

TEST(ShellyGen2MqttStatus, NullRemovesTheKey) {
  ShellyGen2MqttStatus state("panel");
  Samples samples;
  ASSERT_TRUE(state.OnComponentStatus("em:0", kEmStatus, false, kArrival, &samples).ok());
  samples.clear();
  ASSERT_TRUE(state
                  .OnRpcFrame(Frame("NotifyStatus", R"({"ts":1757059900,"em:0":{"n_current":null}})"),
                              false, kArrival, &samples)
                  .ok());
  const auto values = ByName(samples);
  EXPECT_EQ(values.count(Series("current_amperes", "n")), 0u);
  EXPECT_EQ(values.size(), 21u);
  // And it stays gone in the next update.
  samples.clear();
  ASSERT_TRUE(state
                  .OnRpcFrame(Frame("NotifyStatus", R"({"ts":1757059901,"em:0":{"a_pf":0.5}})"),
                              false, kArrival, &samples)
                  .ok());
  EXPECT_EQ(ByName(samples).count(Series("current_amperes", "n")), 0u);
  EXPECT_EQ(ByName(samples).at(Series("power_factor", "a")), 0.5);
}

TEST(ShellyGen2MqttStatus, PartialWithoutKnownStatusEmitsOnlyWhatItCarries) {
  ShellyGen2MqttStatus state("panel");
  Samples samples;
  ASSERT_TRUE(state
                  .OnRpcFrame(Frame("NotifyStatus",
                                    R"({"ts":1757059860.01,"emdata:0":{"id":0,"a_total_act_energy":64735.52,"total_act":248533.60}})"),
                              false, kArrival, &samples)
                  .ok());
  const std::map<std::string, double> expected = {
      {Series("energy_imported_watt_hours_total", "a"), 64735.52},
      {Series("energy_imported_watt_hours_total", "total"), 248533.60},
  };
  EXPECT_EQ(ByName(samples), expected);
}

TEST(ShellyGen2MqttStatus, PartialCarryingOnlyTheIdEmitsNothingAndIsNoError) {
  ShellyGen2MqttStatus state("panel");
  Samples samples;
  EXPECT_TRUE(state
                  .OnRpcFrame(Frame("NotifyStatus", R"({"ts":1757059860,"em:0":{"id":0,"errors":["phase_sequence"]}})"),
                              false, kArrival, &samples)
                  .ok());
  EXPECT_TRUE(samples.empty());
}

TEST(ShellyGen2MqttStatus, FullStatusReplacesAndEmitsEveryKnownComponent) {
  ShellyGen2MqttStatus state("panel");
  Samples samples;
  ASSERT_TRUE(state.OnComponentStatus("em:0", kEmStatus, false, kArrival, &samples).ok());
  samples.clear();
  const std::string params = R"({"ts":1757059900.5,"sys":{"uptime":5},"wifi":{"rssi":-60},"em:0":{"id":0,"a_act_power":10.0},"emdata:0":)" +
                             std::string(kEmDataStatus) + "}";
  ASSERT_TRUE(state.OnRpcFrame(Frame("NotifyFullStatus", params), false, kArrival, &samples).ok());
  const auto values = ByName(samples);
  // em:0 was replaced: only a_act_power is left of it.
  EXPECT_EQ(values.at(Series("power_watts", "a")), 10.0);
  EXPECT_EQ(values.count(Series("voltage_volts", "a")), 0u);
  EXPECT_EQ(values.at(Series("energy_imported_watt_hours_total", "total")), 248533.57);
  EXPECT_EQ(values.size(), 1u + 8u);
  EXPECT_EQ(state.known_components(), 2u);
}

TEST(ShellyGen2MqttStatus, UnknownComponentsAreIgnoredAndNotStored) {
  ShellyGen2MqttStatus state("panel");
  Samples samples;
  EXPECT_TRUE(state
                  .OnRpcFrame(Frame("NotifyStatus",
                                    R"({"ts":1757059900,"temperature:0":{"tC":20.1},"input:0":{"state":true},"em":{"a_act_power":1.0},"em:x":{"a_act_power":1.0},"sys":"odd"})"),
                              false, kArrival, &samples)
                  .ok());
  EXPECT_TRUE(state.OnComponentStatus("mqtt", R"({"connected":true})", false, kArrival, &samples).ok());
  EXPECT_TRUE(state.OnComponentStatus("temperature:0", "not json at all", false, kArrival, &samples).ok());
  EXPECT_TRUE(samples.empty());
  EXPECT_EQ(state.known_components(), 0u);
}

TEST(ShellyGen2MqttStatus, SwitchAndSingleChannelMetersAreMergedToo) {
  ShellyGen2MqttStatus state("plug");
  Samples samples;
  ASSERT_TRUE(state
                  .OnComponentStatus("switch:0",
                                     R"({"id":0,"source":"init","output":true,"apower":12.5,"voltage":231.2,"aenergy":{"total":20393.619,"by_minute":[0,0,0],"minute_ts":1709223441}})",
                                     false, kArrival, &samples)
                  .ok());
  samples.clear();
  // The nested aenergy object merges key by key.
  ASSERT_TRUE(state
                  .OnRpcFrame(Frame("NotifyStatus",
                                    R"({"ts":1757059900,"switch:0":{"id":0,"apower":40.0,"aenergy":{"total":20394.0}}})"),
                              false, kArrival, &samples)
                  .ok());
  const auto values = ByName(samples);
  EXPECT_EQ(values.at(R"(power_watts{channel="0",device="plug"})"), 40.0);
  EXPECT_EQ(values.at(R"(voltage_volts{channel="0",device="plug"})"), 231.2);
  EXPECT_EQ(values.at(R"(energy_imported_watt_hours_total{channel="0",device="plug"})"), 20394.0);
}

TEST(ShellyGen2MqttStatus, NotifyEventIsIgnored) {
  ShellyGen2MqttStatus state("panel");
  Samples samples;
  EXPECT_TRUE(state.OnRpcFrame(kVerbatimNotifyEvent, false, kArrival, &samples).ok());
  EXPECT_TRUE(samples.empty());
}

TEST(ShellyGen2MqttStatus, GarbagePayloadsAreErrorsAndAppendNothing) {
  ShellyGen2MqttStatus state("panel");
  Samples samples;
  for (std::string_view payload :
       {"", "not json", "[1,2]", "42", R"({"params":{}})", R"({"method":5})",
        R"({"method":"NotifyStatus"})", R"({"method":"NotifyStatus","params":[1]})",
        R"({"method":"NotifyStatus","params":{"em:0":[1,2]}})",
        R"({"method":"NotifyStatus","params":{"em:0":{"a_act_power":"high"}}})",
        R"({"method":"NotifyStatus","params":{"em:0":{"a_act_power":1e999}}})"}) {
    Status status = state.OnRpcFrame(payload, false, kArrival, &samples);
    EXPECT_EQ(status.code(), Status::Code::kInvalidArgument) << payload;
  }
  EXPECT_EQ(state.OnComponentStatus("em:0", "{", false, kArrival, &samples).code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(state.OnComponentStatus("em:0", "[]", false, kArrival, &samples).code(),
            Status::Code::kInvalidArgument);
  std::string deep = R"({"method":"NotifyStatus","params":{"em:0":)";
  for (int i = 0; i < 5000; ++i) deep += R"({"x":)";
  deep += "1";
  for (int i = 0; i < 5000; ++i) deep += "}";
  deep += "}}";
  EXPECT_EQ(state.OnRpcFrame(deep, false, kArrival, &samples).code(),
            Status::Code::kInvalidArgument);
  EXPECT_TRUE(samples.empty());
}

TEST(ShellyGen2MqttStatus, ABadUpdateLeavesTheKnownStatusAsItWas) {
  ShellyGen2MqttStatus state("panel");
  Samples samples;
  ASSERT_TRUE(state.OnComponentStatus("em:0", kEmStatus, false, kArrival, &samples).ok());
  EXPECT_FALSE(state
                   .OnRpcFrame(Frame("NotifyStatus", R"({"ts":1757059900,"em:0":{"a_pf":"x"}})"),
                               false, kArrival, &samples)
                   .ok());
  samples.clear();
  ASSERT_TRUE(state
                  .OnRpcFrame(Frame("NotifyStatus", R"({"ts":1757059901,"em:0":{"b_pf":0.5}})"),
                              false, kArrival, &samples)
                  .ok());
  EXPECT_EQ(ByName(samples).at(Series("power_factor", "a")), 0.88);
}

// Every NotifyStatus may add keys; the known status does not grow past the
// size of document the HTTP parser takes.
TEST(ShellyGen2MqttStatus, KnownStatusDoesNotGrowPastTheDocumentLimit) {
  ShellyGen2MqttStatus state("panel");
  Samples samples;
  ASSERT_TRUE(state.OnComponentStatus("em:0", kEmStatus, false, kArrival, &samples).ok());
  const std::string padding(kMaxShellyDocumentBytes / 2, 'x');
  ASSERT_TRUE(state
                  .OnRpcFrame(Frame("NotifyStatus",
                                    R"({"ts":1757059900,"em:0":{"pad1":")" + padding + R"("}})"),
                              false, kArrival, &samples)
                  .ok());
  samples.clear();
  Status status = state.OnRpcFrame(
      Frame("NotifyStatus", R"({"ts":1757059901,"em:0":{"pad2":")" + padding + R"(","a_pf":0.1}})"),
      false, kArrival, &samples);
  EXPECT_EQ(status.code(), Status::Code::kInvalidArgument) << status.ToString();
  EXPECT_TRUE(samples.empty());
  // Refused whole: neither its padding nor its reading was kept.
  ASSERT_TRUE(state
                  .OnRpcFrame(Frame("NotifyStatus", R"({"ts":1757059902,"em:0":{"b_pf":0.5}})"),
                              false, kArrival, &samples)
                  .ok());
  EXPECT_EQ(ByName(samples).at(Series("power_factor", "a")), 0.88);
}

TEST(ShellyGen2MqttStatus, OneBadComponentDoesNotStopTheOthers) {
  ShellyGen2MqttStatus state("panel");
  Samples samples;
  Status status = state.OnRpcFrame(
      Frame("NotifyStatus", R"({"ts":1757059900,"em:0":{"a_pf":"x"},"emdata:0":{"total_act":5.5}})"),
      false, kArrival, &samples);
  EXPECT_EQ(status.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(status.message().find("em:0"), std::string::npos) << status.ToString();
  EXPECT_EQ(ByName(samples).at(Series("energy_imported_watt_hours_total", "total")), 5.5);
}

TEST(ShellyGen2MqttStatus, PowerMeterFailureIsUnavailable) {
  ShellyGen2MqttStatus state("panel");
  Samples samples;
  ASSERT_TRUE(state.OnComponentStatus("em:0", kEmStatus, false, kArrival, &samples).ok());
  samples.clear();
  Status status = state.OnRpcFrame(
      Frame("NotifyStatus", R"({"ts":1757059900,"em:0":{"errors":["power_meter_failure"]}})"), false,
      kArrival, &samples);
  EXPECT_EQ(status.code(), Status::Code::kUnavailable) << status.ToString();
  EXPECT_TRUE(samples.empty());
  // The error clears like any other key.
  ASSERT_TRUE(state
                  .OnRpcFrame(Frame("NotifyStatus", R"({"ts":1757059901,"em:0":{"errors":[]}})"),
                              false, kArrival, &samples)
                  .ok());
  EXPECT_EQ(samples.size(), 22u);
}

TEST(ShellyGen2MqttStatus, TimestampsComeFromParamsTsOrArrival) {
  ShellyGen2MqttStatus state("panel");
  Samples samples;
  // A device without NTP time counts from boot: arrival time instead.
  ASSERT_TRUE(state
                  .OnRpcFrame(Frame("NotifyStatus", R"({"ts":523.5,"emdata:0":{"total_act":1.0}})"),
                              false, kArrival, &samples)
                  .ok());
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_EQ(samples[0].timestamp_ms, kArrival);
  // No ts at all: arrival.
  samples.clear();
  ASSERT_TRUE(state
                  .OnRpcFrame(Frame("NotifyStatus", R"({"emdata:0":{"total_act":2.0}})"), false,
                              kArrival + 1000, &samples)
                  .ok());
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_EQ(samples[0].timestamp_ms, kArrival + 1000);
  // Fractional seconds become milliseconds.
  samples.clear();
  ASSERT_TRUE(state
                  .OnRpcFrame(Frame("NotifyStatus", R"({"ts":1757059803.65,"emdata:0":{"total_act":3.0}})"),
                              false, kArrival, &samples)
                  .ok());
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_EQ(samples[0].timestamp_ms, 1'757'059'803'650);
}

TEST(ShellyGen2MqttStatus, AChangeReportedTwiceIsShippedOnce) {
  ShellyGen2MqttStatus state("panel");
  Samples samples;
  ASSERT_TRUE(state
                  .OnRpcFrame(Frame("NotifyStatus", R"({"ts":1757059860.0,"emdata:0":{"total_act":7.0}})"),
                              false, kArrival, &samples)
                  .ok());
  EXPECT_EQ(samples.size(), 1u);
  // The same change on status/emdata:0, arriving earlier than the device's
  // own time stamp: not newer, so not shipped again; but it is known.
  ASSERT_TRUE(state
                  .OnComponentStatus("emdata:0", R"({"id":0,"total_act":7.0,"total_act_ret":1.0})",
                                     false, 1'757'059'859'000, &samples)
                  .ok());
  EXPECT_EQ(samples.size(), 1u);
  ASSERT_TRUE(state
                  .OnRpcFrame(Frame("NotifyStatus", R"({"ts":1757059920.0,"emdata:0":{"total_act":8.0}})"),
                              false, kArrival, &samples)
                  .ok());
  ASSERT_EQ(samples.size(), 3u);
  EXPECT_EQ(ByName(Samples(samples.begin() + 1, samples.end()))
                .at(Series("energy_exported_watt_hours_total", "total")),
            1.0);
}

TEST(ShellyGen2MqttStatus, RetainedStatusIsKnownButNotShipped) {
  ShellyGen2MqttStatus state("panel");
  Samples samples;
  ASSERT_TRUE(state.OnComponentStatus("emdata:0", kEmDataStatus, /*retained=*/true, kArrival, &samples).ok());
  EXPECT_TRUE(samples.empty());
  EXPECT_EQ(state.known_components(), 1u);
  ASSERT_TRUE(state
                  .OnRpcFrame(Frame("NotifyStatus", R"({"ts":1757059920.0,"emdata:0":{"total_act":248533.60}})"),
                              false, kArrival, &samples)
                  .ok());
  EXPECT_EQ(samples.size(), 8u);
}

TEST(ShellyGen2MqttStatus, ClearForgetsTheKnownStatus) {
  ShellyGen2MqttStatus state("panel");
  Samples samples;
  ASSERT_TRUE(state.OnComponentStatus("em:0", kEmStatus, false, kArrival, &samples).ok());
  state.Clear();
  EXPECT_EQ(state.known_components(), 0u);
  samples.clear();
  ASSERT_TRUE(state
                  .OnRpcFrame(Frame("NotifyStatus", R"({"ts":1757059999,"em:0":{"a_pf":0.7}})"),
                              false, kArrival, &samples)
                  .ok());
  EXPECT_EQ(ByName(samples), (std::map<std::string, double>{{Series("power_factor", "a"), 0.7}}));
}

}  // namespace
}  // namespace wattline::agent
