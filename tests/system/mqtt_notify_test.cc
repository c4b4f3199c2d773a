// Alerts published to a real mosquitto (notify.mqtt_url) by a running
// aggregator process: an alert that goes pending publishes nothing; once it
// fires the broker holds a retained "firing" message on the alert's topic
// with its labels and annotations (and Home Assistant's discovery config and
// an "online" status); once it resolves the retained message says
// "resolved". Alerts that come due while the broker is down, across a
// SIGKILL and restart of the aggregator, arrive once it is back, and are
// not sent again and again.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/child_process.h"
#include "tests/support/mosquitto_broker.h"
#include "tests/support/mqtt_subscriber.h"
#include "tests/support/system_stack.h"

namespace wattline::testing {
namespace {

using Json = nlohmann::json;

// The one retained alert under wattline/alerts/NoMeter/, parsed; null when
// there is none.
Json RetainedAlert(const MosquittoBroker& broker) {
  auto retained = RetainedMessages(broker, "wattline/alerts/NoMeter/#");
  if (retained.size() != 1) return nullptr;
  return Json::parse(retained.begin()->second, nullptr, false);
}

// The retained alert once its status is `status`, within 30 s; else null.
Json WaitForRetainedAlert(const MosquittoBroker& broker, const std::string& status) {
  Json alert;
  const bool arrived = WaitFor(
      [&] {
        alert = RetainedAlert(broker);
        return !alert.is_null() && alert["status"] == status;
      },
      30000);
  return arrived ? alert : Json();
}

// meter_up is never written, so absent(meter_up) holds until the rule says
// otherwise. The device label is unsafe in a topic on purpose.
std::string RulesFile(const std::string& expr) {
  return R"yaml(groups:
  - name: health
    interval: 1s
    rules:
      - alert: NoMeter
        expr: )yaml" +
         expr + R"yaml(
        for: 3s
        labels: {severity: warning, device: "oven/+#"}
        annotations: {summary: "no meter"}
)yaml";
}

class MqttNotify : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string missing = MosquittoBroker::Missing({});
    if (!missing.empty()) GTEST_SKIP() << "SKIPPED: " << missing;
    Status started = broker_.Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
    std::filesystem::create_directories(stack_.dir().File("rules"));
    WriteRules(RulesFile("absent(meter_up)"));
    stack_.SetAggregatorYaml("rules:\n  files: " + stack_.dir().File("rules") +
                             "/*.yml\n  external_url: http://wattline:9780\n"
                             "notify:\n  mqtt_url: mqtt://" +
                             broker_.host() + ":" + std::to_string(broker_.port()) + "\n");
  }

  void WriteRules(const std::string& text) {
    const std::string path = stack_.dir().File("rules/home.yml");
    WriteFile(path + ".tmp", text);
    std::filesystem::rename(path + ".tmp", path);
  }

  std::string AlertState() {
    Result<std::string> body = stack_.ApiGet("/api/v1/alerts");
    if (!body.ok()) return "none";
    Json data = Json::parse(*body)["data"];
    if (data["alerts"].empty()) return "none";
    return data["alerts"][0]["state"];
  }

  std::string Logs() { return stack_.Logs() + "\nbroker:\n" + broker_.Log(); }

  MosquittoBroker broker_;
  SystemStack stack_;
};

TEST_F(MqttNotify, FiringAndResolvedAreRetainedOnTheAlertsTopic) {
  Status started = stack_.StartAggregator();
  ASSERT_TRUE(started.ok()) << started.ToString();
  ASSERT_TRUE(WaitFor([&] { return AlertState() == "pending"; }, 10000)) << Logs();
  EXPECT_TRUE(RetainedMessages(broker_, "wattline/alerts/#").empty()) << "nothing while pending";

  Json alert = WaitForRetainedAlert(broker_, "firing");
  ASSERT_FALSE(alert.is_null()) << Logs();
  EXPECT_EQ(AlertState(), "firing");
  EXPECT_EQ(alert["status"], "firing");
  EXPECT_EQ(alert["state"], "ON");
  EXPECT_EQ(alert["labels"],
            Json::parse(R"({"alertname":"NoMeter","device":"oven/+#","severity":"warning"})"));
  EXPECT_EQ(alert["annotations"]["summary"], "no meter");
  EXPECT_EQ(alert["value"], 1);
  EXPECT_EQ(alert["generatorURL"].get<std::string>().rfind("http://wattline:9780/graph?", 0), 0u);
  const auto retained = RetainedMessages(broker_, "#");
  std::string topic;
  for (const auto& [t, payload] : retained) {
    if (t.rfind("wattline/alerts/NoMeter/", 0) == 0) topic = t;
  }
  EXPECT_EQ(topic.rfind("wattline/alerts/NoMeter/oven____warning-", 0), 0u) << topic;
  ASSERT_EQ(retained.count("wattline/status"), 1u);
  EXPECT_EQ(retained.at("wattline/status"), "online");
  const std::string id = topic.substr(topic.rfind('/') + 1);
  const std::string discovery = "homeassistant/binary_sensor/wattline_NoMeter_" + id + "/config";
  ASSERT_EQ(retained.count(discovery), 1u) << discovery;
  EXPECT_EQ(Json::parse(retained.at(discovery))["state_topic"], topic);

  // The rule stops holding: a reload keeps the alert, which resolves.
  WriteRules(RulesFile("absent(vector(1))"));
  stack_.SignalAggregator(SIGHUP);
  alert = WaitForRetainedAlert(broker_, "resolved");
  ASSERT_FALSE(alert.is_null()) << Logs();
  EXPECT_EQ(alert["state"], "OFF");
  EXPECT_EQ(RetainedMessages(broker_, "wattline/alerts/#").begin()->first, topic)
      << "the same topic";

  // A clean stop says so; the will would, later.
  stack_.SignalAggregator(SIGTERM);
  ASSERT_TRUE(WaitFor([&] { return !stack_.AggregatorRunning(); }, 10000));
  EXPECT_EQ(RetainedMessages(broker_, "wattline/status")["wattline/status"], "offline");
}

TEST_F(MqttNotify, AlertsDueWhileTheBrokerIsDownArriveAfterItAndAnAggregatorRestart) {
  Status started = stack_.StartAggregator();
  ASSERT_TRUE(started.ok()) << started.ToString();
  ASSERT_TRUE(
      WaitFor([&] { return RetainedMessages(broker_, "wattline/status").size() == 1; }, 10000))
      << Logs();
  broker_.Stop();
  // It fires while the broker is down: queued, tried, kept.
  ASSERT_TRUE(WaitFor([&] { return AlertState() == "firing"; }, 15000)) << Logs();
  ASSERT_TRUE(WaitFor(
      [&] { return stack_.AggregatorMetric("wattline_notifications_retried_total") > 0; }, 15000))
      << Logs();
  EXPECT_GE(stack_.AggregatorMetric("wattline_notifications_pending"), 1);
  // A power cut of the aggregator, and it comes back before the broker.
  stack_.KillAggregator();
  started = stack_.RestartAggregator();
  ASSERT_TRUE(started.ok()) << started.ToString();
  ASSERT_TRUE(broker_.Restart().ok()) << Logs();

  MqttSubscriber watcher(broker_, "wattline/alerts/#");
  ASSERT_TRUE(watcher.connected());
  ASSERT_TRUE(WaitFor([&] { return !watcher.messages().empty(); }, 60000)) << Logs();
  Json alert = Json::parse(watcher.messages().front().payload);
  EXPECT_EQ(alert["status"], "firing");
  EXPECT_EQ(alert["labels"]["alertname"], "NoMeter");
  ASSERT_TRUE(WaitFor(
      [&] { return stack_.AggregatorMetric("wattline_notifications_pending") == 0; }, 10000))
      << Logs();
  // No storm: the firing alert is sent again only after resend_delay (1m).
  std::this_thread::sleep_for(std::chrono::seconds(5));
  EXPECT_LE(watcher.messages().size(), 2u) << "one delivery, maybe one resent by libmosquitto";
  EXPECT_EQ(watcher.Latest().size(), 1u) << "one alert, one topic";
}

// The broker over TLS with a password, as a Home Assistant add-on runs it:
// the alert arrives; with a CA that did not sign the broker's certificate
// nothing is sent and the notification stays queued, retried.
TEST(MqttNotifyOverTls, AFiringAlertArrivesWithTheRightCaAndStaysQueuedWithTheWrongOne) {
  const MosquittoBrokerOptions options{.username = "wattline", .password = "s3cret", .tls = true};
  const std::string missing = MosquittoBroker::Missing(options);
  if (!missing.empty()) GTEST_SKIP() << "SKIPPED: " << missing;
  MosquittoBroker broker(options);
  Status started = broker.Start();
  ASSERT_TRUE(started.ok()) << started.ToString();
  for (const bool right_ca : {true, false}) {
    SCOPED_TRACE(right_ca ? "the broker's CA" : "another CA");
    SystemStack stack;
    std::filesystem::create_directories(stack.dir().File("rules"));
    WriteFile(stack.dir().File("rules/home.yml"), RulesFile("absent(meter_up)"));
    WriteFile(stack.dir().File("mqtt-password"), options.password + "\n");
    ASSERT_EQ(chmod(stack.dir().File("mqtt-password").c_str(), 0600), 0);
    stack.SetAggregatorYaml(
        "rules:\n  files: " + stack.dir().File("rules") + "/*.yml\nnotify:\n  mqtt_url: mqtts://" +
        broker.host() + ":" + std::to_string(broker.tls_port()) + "\n  mqtt_username: " +
        options.username + "\n  mqtt_password_file: " + stack.dir().File("mqtt-password") +
        "\n  mqtt_ca_file: " + (right_ca ? broker.ca_file() : broker.other_ca_file()) + "\n");
    ASSERT_TRUE(stack.StartAggregator().ok()) << stack.Logs();
    if (right_ca) {
      const Json alert = WaitForRetainedAlert(broker, "firing");
      ASSERT_FALSE(alert.is_null()) << stack.Logs() << broker.Log();
      EXPECT_EQ(alert["status"], "firing");
    } else {
      ASSERT_TRUE(WaitFor(
          [&] { return stack.AggregatorMetric("wattline_notifications_retried_total") > 0; },
          30000))
          << stack.Logs();
      EXPECT_GE(stack.AggregatorMetric("wattline_notifications_pending"), 1);
      // The log says why, in OpenSSL's words.
      EXPECT_NE(stack.Logs().find("certificate verify failed"), std::string::npos) << stack.Logs();
    }
  }
}

}  // namespace
}  // namespace wattline::testing
