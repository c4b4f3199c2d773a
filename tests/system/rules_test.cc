// Rules in a running aggregator process: an alert goes pending, fires after
// `for` and reaches a real Alertmanager, a webhook receiver and a real
// mosquitto, stays firing across a restart (same activeAt, not sent again),
// follows its rule file through SIGHUP reloads (a bad file leaves the
// running rules alone) and resolves, in all three too; a recording rule's
// series is queryable; /api/v1/rules and /api/v1/alerts show it all as
// Prometheus would.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/alertmanager_process.h"
#include "tests/support/child_process.h"
#include "tests/support/mosquitto_broker.h"
#include "tests/support/mqtt_subscriber.h"
#include "tests/support/system_stack.h"
#include "tests/support/webhook_receiver.h"

namespace wattline::testing {
namespace {

using Json = nlohmann::json;

// meter_up is never written, so absent(meter_up) holds until the file says
// otherwise.
std::string RulesFile(const std::string& alert_expr) {
  return R"yaml(groups:
  - name: health
    interval: 1s
    rules:
      - record: test:one
        expr: vector(1)
      - alert: NoMeter
        expr: )yaml" +
         alert_expr + R"yaml(
        for: 3s
        labels: {severity: warning}
        annotations: {summary: "no meter ({{ $value }})"}
)yaml";
}

class Rules : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(stack_.dir().File("rules"));
    WriteRules(RulesFile("absent(meter_up)"));
    std::string yaml = "rules:\n  files: " + stack_.dir().File("rules") + "/*.yml\n";
    ASSERT_TRUE(webhook_.bound());
    yaml += "notify:\n  webhook_url: " + webhook_.url() + "\n";
    // With Alertmanager and mosquitto where they are installed; without,
    // the rest still runs.
    if (AlertmanagerProcess::Missing().empty()) {
      alertmanager_ = std::make_unique<AlertmanagerProcess>();
      Status started = alertmanager_->Start();
      ASSERT_TRUE(started.ok()) << started.ToString();
      yaml += "  alertmanager_url: " + alertmanager_->url() + "\n";
    }
    if (MosquittoBroker::Missing({}).empty()) {
      broker_ = std::make_unique<MosquittoBroker>();
      Status started = broker_->Start();
      ASSERT_TRUE(started.ok()) << started.ToString();
      yaml += "  mqtt_url: mqtt://" + broker_->host() + ":" + std::to_string(broker_->port()) +
              "\n  mqtt_discovery_prefix: \"\"\n";
    }
    stack_.SetAggregatorYaml(yaml);
    Status started = stack_.StartAggregator();
    ASSERT_TRUE(started.ok()) << started.ToString();
  }

  void WriteRules(const std::string& text) {
    // Written beside and renamed, as an editor or a deploy tool would.
    const std::string path = stack_.dir().File("rules/home.yml");
    WriteFile(path + ".tmp", text);
    std::filesystem::rename(path + ".tmp", path);
  }

  Json Data(const std::string& path,
            const std::vector<std::pair<std::string, std::string>>& p = {}) {
    Result<std::string> body = stack_.ApiGet(path, p);
    if (!body.ok()) return nullptr;
    return Json::parse(*body)["data"];
  }

  // The one NoMeter alert's state, or "none".
  std::string AlertState() {
    Json data = Data("/api/v1/alerts");
    if (data.is_null() || data["alerts"].empty()) return "none";
    return data["alerts"][0]["state"];
  }

  // Alertmanager's NoMeter alerts; an empty array without Alertmanager.
  Json InAlertmanager() {
    return alertmanager_ ? alertmanager_->AlertsNamed("NoMeter") : Json::array();
  }

  // How many NoMeter alerts with `status` the webhook took.
  int AtWebhook(const std::string& status) {
    int count = 0;
    for (const std::string& body : webhook_.taken()) {
      const Json message = Json::parse(body);
      for (const Json& alert : message["alerts"]) {
        count += alert["labels"]["alertname"] == "NoMeter" && alert["status"] == status;
      }
    }
    return count;
  }

  // The status of the NoMeter alert the broker holds retained; "none"
  // without one (or without mosquitto).
  std::string AtBroker() {
    if (!broker_) return "none";
    auto retained = RetainedMessages(*broker_, "wattline/alerts/NoMeter/#");
    if (retained.size() != 1) return "none";
    return Json::parse(retained.begin()->second, nullptr, false).value("status", "none");
  }

  WebhookReceiver webhook_;
  std::unique_ptr<AlertmanagerProcess> alertmanager_;
  std::unique_ptr<MosquittoBroker> broker_;
  SystemStack stack_;
};

TEST_F(Rules, AnAlertFiresSurvivesARestartFollowsReloadsAndResolves) {
  ASSERT_TRUE(WaitFor([&] { return AlertState() == "pending"; }, 10000)) << stack_.Logs();
  ASSERT_TRUE(WaitFor([&] { return AlertState() == "firing"; }, 10000)) << stack_.Logs();
  const Json firing = Data("/api/v1/alerts")["alerts"][0];
  EXPECT_EQ(firing["labels"], Json::parse(R"({"alertname":"NoMeter","severity":"warning"})"));
  EXPECT_EQ(firing["annotations"]["summary"], "no meter (1)");
  EXPECT_EQ(firing["value"], "1e+00");
  Json alerts_series = Data("/api/v1/query", {{"query", "ALERTS{alertstate=\"firing\"}"}});
  ASSERT_EQ(alerts_series["result"].size(), 1u) << alerts_series.dump();
  EXPECT_EQ(alerts_series["result"][0]["metric"]["alertname"], "NoMeter");
  Json recorded = Data("/api/v1/query", {{"query", "test:one"}});
  ASSERT_EQ(recorded["result"].size(), 1u) << recorded.dump();
  if (alertmanager_) {
    ASSERT_TRUE(WaitFor([&] { return InAlertmanager().size() == 1; }, 10000))
        << stack_.Logs() << alertmanager_->Log();
    EXPECT_EQ(InAlertmanager()[0]["labels"]["severity"], "warning");
    EXPECT_EQ(InAlertmanager()[0]["status"]["state"], "active");
  }
  // The webhook and the MQTT broker have it too.
  ASSERT_TRUE(WaitFor([&] { return AtWebhook("firing") >= 1; }, 10000)) << stack_.Logs();
  if (broker_) {
    ASSERT_TRUE(WaitFor([&] { return AtBroker() == "firing"; }, 10000))
        << stack_.Logs() << broker_->Log();
  }
  ASSERT_TRUE(WaitFor(
      [&] { return stack_.AggregatorMetric("wattline_notifications_pending") == 0; }, 10000));
  EXPECT_GE(stack_.AggregatorMetric("wattline_notifications_delivered_total"), 1);
  const int firing_sent = AtWebhook("firing");

  // A restart: the alert comes back firing, active since the same time.
  stack_.StopAggregator();
  Status restarted = stack_.RestartAggregator();
  ASSERT_TRUE(restarted.ok()) << restarted.ToString();
  const Json after = Data("/api/v1/alerts")["alerts"];
  ASSERT_EQ(after.size(), 1u) << stack_.Logs();
  EXPECT_EQ(after[0]["state"], "firing");
  EXPECT_EQ(after[0]["activeAt"], firing["activeAt"]);

  // A broken file on SIGHUP: logged, and the running rules stay.
  WriteRules("groups: [");
  stack_.SignalAggregator(SIGHUP);
  ASSERT_TRUE(WaitFor(
      [&] {
        return ReadFileOrEmpty(stack_.dir().File("aggregator.log")).find("not reloaded") !=
               std::string::npos;
      },
      10000))
      << stack_.Logs();
  EXPECT_EQ(AlertState(), "firing");

  // The condition goes away in a reload of the same rule: it resolves.
  WriteRules(RulesFile("absent(vector(1))"));
  stack_.SignalAggregator(SIGHUP);
  ASSERT_TRUE(WaitFor([&] { return AlertState() == "none"; }, 10000)) << stack_.Logs();
  if (alertmanager_) {
    // The resolution reached Alertmanager, which ends the alert.
    EXPECT_TRUE(WaitFor([&] { return InAlertmanager().empty(); }, 10000))
        << InAlertmanager().dump() << stack_.Logs();
  }
  // And the webhook and the broker, with no firing sent again since the
  // restart (the resend delay, a minute, has not passed).
  EXPECT_TRUE(WaitFor([&] { return AtWebhook("resolved") == 1; }, 10000)) << stack_.Logs();
  EXPECT_EQ(AtWebhook("firing"), firing_sent);
  if (broker_) {
    EXPECT_TRUE(WaitFor([&] { return AtBroker() == "resolved"; }, 10000));
  }
  const Json rules = Data("/api/v1/rules", {{"type", "alert"}})["groups"][0]["rules"];
  ASSERT_EQ(rules.size(), 1u) << rules.dump();
  EXPECT_EQ(rules[0]["query"], "absent(vector(1))");
  EXPECT_EQ(rules[0]["state"], "inactive");
  EXPECT_EQ(rules[0]["health"], "ok");
}

}  // namespace
}  // namespace wattline::testing
