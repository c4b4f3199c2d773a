#include "aggregator/notify/mqtt_alert.h"

#include <gtest/gtest.h>
#include <mosquitto.h>

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

#include "common/mqtt/mqtt_options.h"

namespace wattline::aggregator {
namespace {

using Json = nlohmann::json;

Alert FiringAlert() {
  Alert alert;
  alert.state = AlertState::kFiring;
  alert.labels = {{"alertname", "HighPower"}, {"device", "oven"}};
  alert.annotations = {{"summary", "oven draws 3 kW"}};
  alert.value = 3012.5;
  alert.fired_at_ms = 1'767'226'000'000;  // 2026-01-01T00:06:40Z
  alert.valid_until_ms = 1'767'226'240'000;
  return alert;
}

const AlertContext kContext{{{"site", "home"}}, "http://wattline:9780"};

TEST(MqttAlert, PayloadCarriesStateForHomeAssistantAndTheAlertmanagerFields) {
  const Json payload = Json::parse(MqttAlert(FiringAlert(), "power_watts > 1800", kContext));
  EXPECT_EQ(payload["status"], "firing");
  EXPECT_EQ(payload["state"], "ON");
  EXPECT_EQ(payload["labels"],
            Json::parse(R"({"alertname":"HighPower","device":"oven","site":"home"})"));
  EXPECT_EQ(payload["annotations"]["summary"], "oven draws 3 kW");
  EXPECT_EQ(payload["startsAt"], "2026-01-01T00:06:40Z");
  EXPECT_EQ(payload["endsAt"], "2026-01-01T00:10:40Z");
  EXPECT_EQ(payload["value"], 3012.5);
  EXPECT_EQ(payload["generatorURL"],
            "http://wattline:9780/graph?g0.expr=power_watts%20%3E%201800&g0.tab=1");

  Alert resolved = FiringAlert();
  resolved.state = AlertState::kInactive;
  resolved.resolved_at_ms = 1'767'226'060'000;
  resolved.value = std::numeric_limits<double>::quiet_NaN();
  const Json off = Json::parse(MqttAlert(resolved, "x", kContext));
  EXPECT_EQ(off["status"], "resolved");
  EXPECT_EQ(off["state"], "OFF");
  EXPECT_EQ(off["endsAt"], "2026-01-01T00:07:40Z");
  EXPECT_TRUE(off["value"].is_null()) << "NaN is not JSON";
}

TEST(MqttAlert, TopicUnsafeLabelValuesCannotAddLevelsOrWildcards) {
  EXPECT_EQ(MqttTopicLevel("a/b+c#d"), "a_b_c_d");
  EXPECT_EQ(MqttTopicLevel(std::string("x\0y", 3)), "x_y");
  EXPECT_EQ(MqttTopicLevel("Küche"), "K__che") << "each byte of a UTF-8 character";
  EXPECT_EQ(MqttTopicLevel(""), "_");
  MqttPublisherOptions options;
  Alert alert = FiringAlert();
  alert.labels = {
      {"alertname", "High/Power#"}, {"device", "+/#"}, {"room", std::string("a\0b", 3)}};
  auto messages = MqttAlertMessages(options, MqttAlert(alert, "x", AlertContext{}));
  ASSERT_TRUE(messages.ok()) << messages.status().ToString();
  ASSERT_EQ(messages->size(), 2u);
  const std::string& topic = (*messages)[1].topic;
  EXPECT_EQ(topic.rfind("wattline/alerts/High_Power_/____a_b-", 0), 0u) << topic;
  EXPECT_EQ(std::count(topic.begin(), topic.end(), '/'), 3) << topic;
  EXPECT_EQ(topic.find_first_of(std::string("+#\0", 3)), std::string::npos) << topic;
  EXPECT_EQ(mosquitto_pub_topic_check(topic.c_str()), MOSQ_ERR_SUCCESS) << topic;
}

TEST(MqttAlert, FingerprintIsStableAndTellsCollidingReadablePartsApart) {
  const Labels labels = {{"alertname", "HighPower"}, {"device", "oven"}, {"site", "home"}};
  // Fixed for ever: retained topics are named after it.
  EXPECT_EQ(MqttAlertId(labels), MqttAlertId(labels));
  const std::string id = MqttAlertId(labels);
  EXPECT_EQ(id.rfind("oven_home-", 0), 0u) << id;
  EXPECT_EQ(id.size(), std::string("oven_home-").size() + 12) << id;
  EXPECT_EQ(id, "oven_home-b4fcb0afec27") << "a retained topic must not move between versions";
  const Labels slash = {{"alertname", "HighPower"}, {"device", "oven/home"}};
  const Labels underscore = {{"alertname", "HighPower"}, {"device", "oven_home"}};
  EXPECT_NE(MqttAlertId(slash), MqttAlertId(underscore)) << "same readable part, other labels";
  EXPECT_NE(MqttAlertId(labels),
            MqttAlertId({{"alertname", "Other"}, {"device", "oven"}, {"site", "home"}}));
  const Labels only_name = {{"alertname", "NoMeter"}};
  EXPECT_EQ(MqttAlertId(only_name).size(), 12u);
  const Labels long_value = {{"alertname", "A"}, {"device", std::string(100, 'x')}};
  EXPECT_EQ(MqttAlertId(long_value).size(), 32u + 1 + 12);
}

TEST(MqttAlert, MessagesAreTheDiscoveryConfigThenTheStateUnderThePrefixes) {
  MqttPublisherOptions options;
  options.topic_prefix = "home/wattline";
  const std::string payload = MqttAlert(FiringAlert(), "x", kContext);
  auto messages = MqttAlertMessages(options, payload);
  ASSERT_TRUE(messages.ok()) << messages.status().ToString();
  ASSERT_EQ(messages->size(), 2u);
  const Labels labels = {{"alertname", "HighPower"}, {"device", "oven"}, {"site", "home"}};
  const std::string id = MqttAlertId(labels);
  const std::string state_topic = "home/wattline/alerts/HighPower/" + id;
  EXPECT_EQ((*messages)[1].topic, state_topic);
  EXPECT_EQ((*messages)[1].payload, payload);
  EXPECT_EQ((*messages)[0].topic,
            "homeassistant/binary_sensor/wattline_HighPower_" + id + "/config");
  const Json config = Json::parse((*messages)[0].payload);
  EXPECT_EQ(config["state_topic"], state_topic);
  EXPECT_EQ(config["json_attributes_topic"], state_topic);
  EXPECT_EQ(config["value_template"], "{{ value_json.state }}");
  EXPECT_EQ(config["payload_on"], "ON");
  EXPECT_EQ(config["availability_topic"], "home/wattline/status");
  EXPECT_EQ(config["unique_id"], "wattline_HighPower_" + id);
  EXPECT_EQ(config["name"], "HighPower oven home");

  options.discovery_prefix = "";
  messages = MqttAlertMessages(options, payload);
  ASSERT_TRUE(messages.ok());
  ASSERT_EQ(messages->size(), 1u) << "no discovery";
  EXPECT_EQ((*messages)[0].topic, state_topic);
  EXPECT_FALSE(MqttAlertMessages(options, "not json").ok());
}

TEST(MqttPublisherOptions, PrefixesWithWildcardsOrEdgeSlashesAreRefused) {
  MqttPublisherOptions options;
  EXPECT_TRUE(CheckMqttPublisherOptions(options).ok());
  for (const char* bad : {"", "/wattline", "wattline/", "a/+/b", "a#"}) {
    options.topic_prefix = bad;
    EXPECT_FALSE(CheckMqttPublisherOptions(options).ok()) << bad;
  }
  options.topic_prefix = "wattline";
  options.discovery_prefix = "home+";
  EXPECT_FALSE(CheckMqttPublisherOptions(options).ok());
}

TEST(MqttUrl, SchemeSetsTlsAndDefaultPort) {
  MqttOptions options;
  ASSERT_TRUE(ParseMqttUrl("mqtt://broker", &options).ok());
  EXPECT_EQ(options.host, "broker");
  EXPECT_EQ(options.port, 1883);
  EXPECT_FALSE(options.tls);
  ASSERT_TRUE(ParseMqttUrl("mqtts://[::1]:8884/", &options).ok());
  EXPECT_EQ(options.host, "::1");
  EXPECT_EQ(options.port, 8884);
  EXPECT_TRUE(options.tls);
  ASSERT_TRUE(ParseMqttUrl("mqtts://broker.lan", &options).ok());
  EXPECT_EQ(options.port, 8883);
  for (const char* bad : {"http://x", "mqtt://", "mqtt://x:0", "mqtt://x:70000", "mqtt://x/topic",
                          "mqtt://u:p@x", "mqtt://x:"}) {
    EXPECT_FALSE(ParseMqttUrl(bad, &options).ok()) << bad;
  }
}

}  // namespace
}  // namespace wattline::aggregator
