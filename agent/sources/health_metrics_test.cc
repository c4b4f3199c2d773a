#include "agent/sources/health_metrics.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace wattline::agent {
namespace {

std::map<std::string, double> ByName(const Samples& samples) {
  std::map<std::string, double> out;
  for (const Sample& sample : samples) {
    EXPECT_TRUE(ValidateCanonical(sample.labels).ok()) << LabelsToString(sample.labels);
    out[LabelsToString(sample.labels)] = sample.value;
  }
  return out;
}

TEST(HealthMetrics, ReportsPollsErrorsByReasonAndLastSuccess) {
  DeviceHealth meter;
  meter.device = "panel";
  meter.polls = 10;
  meter.RecordError(kErrorTimeout);
  meter.RecordError(kErrorTimeout);
  meter.RecordError(kErrorProtocol);
  meter.RecordSuccess(1'700'000'000'500, 42, 18);
  Samples out;
  AppendHealthSamples({meter}, 1'700'000'001'000, &out);
  auto series = ByName(out);
  EXPECT_EQ(series.size(), 6u);
  EXPECT_EQ(series.at("wattline_agent_device_polls_total{device=\"panel\"}"), 10);
  EXPECT_EQ(series.at("wattline_agent_device_errors_total{device=\"panel\",reason=\"timeout\"}"), 2);
  EXPECT_EQ(series.at("wattline_agent_device_errors_total{device=\"panel\",reason=\"protocol\"}"), 1);
  EXPECT_EQ(series.at("wattline_agent_device_samples_total{device=\"panel\"}"), 18);
  EXPECT_DOUBLE_EQ(
      series.at("wattline_agent_device_last_success_timestamp_seconds{device=\"panel\"}"),
      1'700'000'000.5);
  EXPECT_DOUBLE_EQ(series.at("wattline_agent_device_poll_duration_seconds{device=\"panel\"}"),
                   0.042);
  for (const Sample& sample : out) EXPECT_EQ(sample.timestamp_ms, 1'700'000'001'000);
}

TEST(HealthMetrics, DeviceThatNeverAnsweredHasNoLastSuccess) {
  DeviceHealth dead;
  dead.device = "garage";
  dead.polls = 3;
  dead.RecordError(kErrorConnect);
  Samples out;
  AppendHealthSamples({dead}, 1000, &out);
  auto series = ByName(out);
  EXPECT_EQ(series.count("wattline_agent_device_last_success_timestamp_seconds{device=\"garage\"}"),
            0u);
  EXPECT_EQ(series.count("wattline_agent_device_poll_duration_seconds{device=\"garage\"}"), 0u);
  EXPECT_EQ(series.at("wattline_agent_device_errors_total{device=\"garage\",reason=\"connect\"}"), 1);
}

TEST(HealthMetrics, MqttConnectionCountersAndConnectedGaugeCarryTheBroker) {
  MqttClient::Counters counters;
  counters.connects = 3;
  counters.disconnects = 2;
  counters.messages = 1234;
  counters.connect_errors = 7;
  counters.oversized = 1;
  Samples out;
  AppendMqttHealthSamples("broker.lan:1883", true, counters, 1'700'000'001'000, &out);
  auto series = ByName(out);
  EXPECT_EQ(series.size(), 6u);
  EXPECT_EQ(series.at("wattline_agent_mqtt_connected{broker=\"broker.lan:1883\"}"), 1);
  EXPECT_EQ(series.at("wattline_agent_mqtt_connects_total{broker=\"broker.lan:1883\"}"), 3);
  EXPECT_EQ(series.at("wattline_agent_mqtt_disconnects_total{broker=\"broker.lan:1883\"}"), 2);
  EXPECT_EQ(series.at("wattline_agent_mqtt_connect_errors_total{broker=\"broker.lan:1883\"}"), 7);
  EXPECT_EQ(series.at("wattline_agent_mqtt_messages_total{broker=\"broker.lan:1883\"}"), 1234);
  EXPECT_EQ(series.at("wattline_agent_mqtt_oversized_messages_total{broker=\"broker.lan:1883\"}"),
            1);
  for (const Sample& sample : out) EXPECT_EQ(sample.timestamp_ms, 1'700'000'001'000);
}

TEST(HealthMetrics, MqttDisconnectedBeforeAnyConnectionReadsZero) {
  MqttClient::Counters counters;
  counters.connect_errors = 4;
  Samples out;
  AppendMqttHealthSamples("[::1]:1883", false, counters, 1000, &out);
  auto series = ByName(out);
  EXPECT_EQ(series.at("wattline_agent_mqtt_connected{broker=\"[::1]:1883\"}"), 0);
  EXPECT_EQ(series.at("wattline_agent_mqtt_connects_total{broker=\"[::1]:1883\"}"), 0);
  EXPECT_EQ(series.at("wattline_agent_mqtt_connect_errors_total{broker=\"[::1]:1883\"}"), 4);
}

}  // namespace
}  // namespace wattline::agent
