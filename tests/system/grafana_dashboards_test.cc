// The Grafana provisioning shipped in docs/grafana/: the files parse, every
// dashboard names the provisioned data source, and every panel query and
// template variable query, as Grafana sends it, answers with data from an
// aggregator fed by the demo's setup (a simulated Shelly Pro 3EM read every
// second by one agent, and a tariff).
#include <gtest/gtest.h>
#include <httplib.h>
#include <re2/re2.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "aggregator/config/aggregator_config.h"
#include "tests/support/system_stack.h"
#include "tests/system/grafana_queries.h"

namespace wattline::testing {
namespace {

using Json = nlohmann::json;

const std::string kGrafanaDir = WATTLINE_GRAFANA_DIR;

std::vector<std::string> DashboardPaths() {
  std::vector<std::string> paths;
  for (const auto& entry : std::filesystem::directory_iterator(kGrafanaDir + "/dashboards")) {
    if (entry.path().extension() == ".json") paths.push_back(entry.path().string());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

Json LoadDashboard(const std::string& path) {
  return Json::parse(ReadFileOrEmpty(path), nullptr, /*allow_exceptions=*/false);
}

// The one data source of provisioning/datasources/wattline.yaml; a null
// node (and a test failure) when the file does not hold one.
YAML::Node ProvisionedDataSource() {
  const std::string path = kGrafanaDir + "/provisioning/datasources/wattline.yaml";
  try {
    YAML::Node sources = YAML::LoadFile(path)["datasources"];
    if (sources.IsSequence() && sources.size() == 1) return sources[0];
    ADD_FAILURE() << path << ": expected one entry under datasources";
  } catch (const YAML::Exception& error) {
    ADD_FAILURE() << path << ": " << error.what();
  }
  return YAML::Node();
}

std::string ProvisionedUid() {
  YAML::Node source = ProvisionedDataSource();
  return source ? source["uid"].as<std::string>("") : "";
}

TEST(GrafanaProvisioning, DataSourceIsPrometheusAtTheAggregatorsDefaultApiListener) {
  YAML::Node source = ProvisionedDataSource();
  ASSERT_TRUE(source);
  EXPECT_EQ(source["type"].as<std::string>(""), "prometheus");
  EXPECT_FALSE(source["uid"].as<std::string>("").empty());
  EXPECT_EQ(source["access"].as<std::string>(""), "proxy");
  EXPECT_EQ(source["jsonData"]["httpMethod"].as<std::string>(""), "POST");
  EXPECT_GT(GrafanaDurationSeconds(source["jsonData"]["timeInterval"].as<std::string>("")), 0);

  auto defaults = aggregator::ParseAggregatorConfig("{}\n", "defaults");
  ASSERT_TRUE(defaults.ok()) << defaults.status().ToString();
  EXPECT_EQ(source["url"].as<std::string>(""), "http://" + defaults->api_listen.host + ":" +
                                                   std::to_string(defaults->api_listen.port));
}

TEST(GrafanaProvisioning, DashboardProviderReadsFiles) {
  const std::string path = kGrafanaDir + "/provisioning/dashboards/wattline.yaml";
  try {
    YAML::Node providers = YAML::LoadFile(path)["providers"];
    ASSERT_TRUE(providers.IsSequence() && providers.size() == 1) << path;
    EXPECT_EQ(providers[0]["type"].as<std::string>(""), "file");
    EXPECT_FALSE(providers[0]["options"]["path"].as<std::string>("").empty());
  } catch (const YAML::Exception& error) {
    FAIL() << path << ": " << error.what();
  }
}

TEST(GrafanaDashboards, EveryDashboardParsesAndUsesTheProvisionedDataSource) {
  const std::string uid = ProvisionedUid();
  ASSERT_FALSE(uid.empty());
  const std::vector<std::string> paths = DashboardPaths();
  ASSERT_GE(paths.size(), 2u) << "the home overview and the agent health dashboards";
  std::set<std::string> dashboard_uids;
  for (const std::string& path : paths) {
    SCOPED_TRACE(path);
    Json dashboard = LoadDashboard(path);
    ASSERT_FALSE(dashboard.is_discarded()) << "not JSON";
    ASSERT_TRUE(dashboard.is_object());
    EXPECT_TRUE(dashboard_uids.insert(dashboard.value("uid", "")).second)
        << "dashboard uid missing or used twice";
    const std::vector<std::string> uids = DataSourceUids(dashboard);
    EXPECT_FALSE(uids.empty());
    for (const std::string& used : uids) EXPECT_EQ(used, uid);
    const std::vector<PanelQuery> queries = PanelQueries(dashboard);
    EXPECT_FALSE(queries.empty());
    for (const PanelQuery& query : queries) {
      EXPECT_FALSE(query.expr.empty()) << query.where;
      // Durations Grafana (and BuiltInVariables) can read.
      for (const std::string* duration :
           {&query.panel_interval, &query.target_interval, &query.panel_time_from}) {
        if (!duration->empty()) {
          EXPECT_GT(GrafanaDurationSeconds(*duration), 0) << query.where;
        }
      }
    }
    for (const VariableQuery& variable : VariableQueries(dashboard)) {
      EXPECT_FALSE(variable.query.empty()) << variable.where;
    }
  }
}

// Values derived from Grafana's documented rule, $__rate_interval =
// max($__interval + scrape interval, 4 * scrape interval), where a query's
// Min step, if set, is the scrape interval.
TEST(GrafanaQueries, BuiltInVariablesFollowGrafana) {
  GrafanaRequest request{
      .range_seconds = 3 * 3600, .max_data_points = 1000, .scrape_interval = "15s"};
  PanelQuery one_minute;
  one_minute.panel_interval = "1m";
  auto built_ins = BuiltInVariables(one_minute, request);
  std::vector<std::string> used;
  EXPECT_EQ(Interpolate("rate(x[$__rate_interval]) $__interval $__interval_ms $__range_s $__range",
                        built_ins, {}, &used),
            "rate(x[1m15s]) 1m 60000 10800 10800s");
  EXPECT_EQ(used.size(), 5u);

  // 3 h / 1000 points = 10.8 s, under the 15 s scrape interval; the rate
  // window is then max(15 s + 15 s, 4 * 15 s).
  auto plain = BuiltInVariables(PanelQuery{}, request);
  EXPECT_EQ(Interpolate("$__interval ${__rate_interval}", plain, {}, nullptr), "15s 1m0s");

  // Min step 1h: the step and the rate's scrape interval.
  PanelQuery hourly_query;
  hourly_query.target_interval = "1h";
  auto hourly = BuiltInVariables(hourly_query, request);
  EXPECT_EQ(Interpolate("$__interval $__rate_interval", hourly, {}, nullptr), "1h 4h0m0s");

  // 30 days / 1000 points = 2592 s, above the 15 s minimum.
  request.range_seconds = 30 * 86400;
  EXPECT_EQ(Interpolate("$__interval_ms", BuiltInVariables(PanelQuery{}, request), {}, nullptr),
            "2592000");

  EXPECT_EQ(Interpolate("{d=~\"$device\",e=\"${device}\",f=\"$devices\"}", {}, {{"device", ".*"}},
                        nullptr),
            "{d=~\".*\",e=\".*\",f=\"$devices\"}");
}

// ---------------------------------------------------------------------------
// Against the real daemons.

constexpr int64_t kRangeSeconds = 120;  // the test's dashboard range: the last 2 minutes
constexpr int64_t kStepSeconds = 5;

struct Answer {
  bool has_data = false;
  std::string detail;  // the body, or the transport error
};

// POST /api/v1/query_range (or, `instant`, /api/v1/query at `now`),
// form-encoded, as the provisioned data source sends it. Steps finer than
// Grafana's (which would be $__interval, up to a day here) so that minutes
// of data hold several steps.
Answer Query(int port, const std::string& expr, int64_t now, bool instant) {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(std::chrono::seconds(10));
  httplib::Params form{{"query", expr}};
  if (instant) {
    form.emplace("time", std::to_string(now));
  } else {
    form.emplace("start", std::to_string(now - kRangeSeconds));
    form.emplace("end", std::to_string(now));
    form.emplace("step", std::to_string(kStepSeconds));
  }
  auto result = client.Post(instant ? "/api/v1/query" : "/api/v1/query_range", form);
  if (!result) return {false, httplib::to_string(result.error())};
  Json body = Json::parse(result->body, nullptr, false);
  bool has_data = false;
  if (result->status == 200 && !body.is_discarded() && body["status"] == "success") {
    const Json& data = body["data"];
    if (data["resultType"] == "matrix") {
      for (const Json& series : data["result"]) {
        if (!series["values"].empty()) has_data = true;
      }
    } else if (data["resultType"] == "vector") {
      has_data = !data["result"].empty();
    }
  }
  return {has_data, "HTTP " + std::to_string(result->status) + ": " + result->body};
}

// What Grafana asks for label_values(selector, label) or label_values(label):
// GET /api/v1/label/<label>/values with match[]=selector over the range.
Result<std::vector<std::string>> LabelValues(SystemStack* stack, const std::string& query,
                                             int64_t now) {
  static const RE2 kWithSelector(R"(\s*label_values\(\s*(.+?)\s*,\s*([a-zA-Z_]\w*)\s*\)\s*)");
  static const RE2 kLabelOnly(R"(\s*label_values\(\s*([a-zA-Z_]\w*)\s*\)\s*)");
  std::string selector, label;
  std::vector<std::pair<std::string, std::string>> params{
      {"start", std::to_string(now - kRangeSeconds)}, {"end", std::to_string(now)}};
  if (RE2::FullMatch(query, kWithSelector, &selector, &label)) {
    params.emplace_back("match[]", selector);
  } else if (!RE2::FullMatch(query, kLabelOnly, &label)) {
    return Status::InvalidArgument("not a label_values() query this test knows: " + query);
  }
  Result<std::string> body = stack->ApiGet("/api/v1/label/" + label + "/values", params);
  if (!body.ok()) return body.status();
  Json json = Json::parse(*body, nullptr, false);
  if (json.is_discarded() || json["status"] != "success" || !json["data"].is_array()) {
    return Status::Internal("unexpected answer: " + *body);
  }
  return json["data"].get<std::vector<std::string>>();
}

std::string Joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : ", ") + name;
  return out.empty() ? "nothing" : out;
}

struct DashboardUnderTest {
  std::string path;
  Json json;
  std::map<std::string, std::string> all_values;  // variable -> what "All" sends
};

TEST(GrafanaDashboards, EveryQueryReturnsDataOnTheDemo) {
  YAML::Node source = ProvisionedDataSource();
  ASSERT_TRUE(source);
  const std::string scrape_interval = source["jsonData"]["timeInterval"].as<std::string>("");
  std::vector<DashboardUnderTest> dashboards;
  for (const std::string& path : DashboardPaths()) {
    DashboardUnderTest dashboard{path, LoadDashboard(path), {}};
    ASSERT_FALSE(dashboard.json.is_discarded()) << path;
    for (const Json& variable : dashboard.json["templating"].value("list", Json::array())) {
      // Every variable offers All; with its allValue set, that is what
      // Grafana puts in the query (without one, the regex of every value).
      ASSERT_TRUE(variable.value("includeAll", false)) << path;
      dashboard.all_values[variable["name"]] = variable.value("allValue", "");
      ASSERT_FALSE(dashboard.all_values[variable["name"]].empty()) << path;
    }
    dashboards.push_back(std::move(dashboard));
  }
  ASSERT_FALSE(dashboards.empty());

  // The demo (the `wattline` script): one Pro 3EM named "panel" read every
  // second, sealed every 5 s, by agent "demo-agent". Two differences: the
  // health series every 2 s instead of 30 s, so that rates over them have
  // two samples within seconds rather than a minute, and the stack's
  // `clock: sync: system`.
  SystemStack stack;
  // The cost dashboard's tariff and carbon series (the demo has its own).
  stack.SetAggregatorYaml(
      "energy:\n  tariffs:\n    home: {import_per_kwh: 0.3, export_per_kwh: 0.1, "
      "standing_charge_per_day: 0.5}\n  carbon:\n    grid: {grams_per_kwh: 200}\n");
  ASSERT_TRUE(stack.StartAggregator().ok()) << stack.Logs();
  ASSERT_TRUE(stack.StartSimulator().ok()) << stack.Logs();
  stack.SetAgentSectionYaml("  health_interval: 2s\n");
  ASSERT_TRUE(stack.StartAgent(Binaries::Agent(), {}, "demo-agent", 1000, 5000).ok())
      << stack.Logs();
  ASSERT_TRUE(WaitFor(
      [&] {
        auto samples = stack.RawSamples("power_watts{device=\"panel\",phase=\"a\"}");
        return samples.ok() && samples->size() >= 2;
      },
      30000))
      << "no samples arrived\n"
      << stack.Logs();

  // Rates and health series need a few more seconds, and the cost panels a
  // whole minute of readings (they price whole minutes, on the minute: the
  // first comes up to 60 s after the first reading); retry the whole set
  // until it passes or the deadline, then report what still failed.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(80);
  std::vector<std::string> failures;
  std::map<std::string, std::vector<std::string>> variable_values;
  while (true) {
    failures.clear();
    const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    for (const DashboardUnderTest& dashboard : dashboards) {
      for (const PanelQuery& query : PanelQueries(dashboard.json)) {
        GrafanaRequest request{.range_seconds = kRangeSeconds, .scrape_interval = scrape_interval};
        if (!query.panel_time_from.empty()) {
          request.range_seconds = GrafanaDurationSeconds(query.panel_time_from);
        }
        std::vector<std::string> used;
        std::string expr =
            Interpolate(query.expr, BuiltInVariables(query, request), dashboard.all_values, &used);
        if (expr.find('$') != std::string::npos) {
          failures.push_back(query.where + ": a variable the test does not know: " + expr);
          continue;
        }
        // Every query as a range query; a stat's instant query as well.
        for (bool instant : {false, true}) {
          if (instant && !query.instant) continue;
          Answer answer = Query(stack.api_port(), expr, now, instant);
          if (!answer.has_data) {
            failures.push_back(query.where + (instant ? " (instant)" : " (range)") +
                               ": no series with a point\n  dashboard: " + query.expr +
                               "\n  sent: " + expr + "\n  replaced: " + Joined(used) +
                               "\n  answer: " + answer.detail);
          }
        }
      }
      for (const VariableQuery& variable : VariableQueries(dashboard.json)) {
        std::string query = Interpolate(variable.query, {}, dashboard.all_values, nullptr);
        auto values = LabelValues(&stack, query, now);
        if (!values.ok() || values->empty()) {
          failures.push_back(variable.where + ": no values\n  dashboard: " + variable.query +
                             "\n  sent: " + query +
                             "\n  answer: " + (values.ok() ? "[]" : values.status().ToString()));
        } else {
          variable_values[variable.name] = *values;
        }
      }
    }
    if (failures.empty() || std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  for (const std::string& failure : failures) ADD_FAILURE() << failure;
  if (!failures.empty()) return;

  // The data source's "Save & test": an instant query of 1+1, the scalar 2.
  httplib::Client client("127.0.0.1", stack.api_port());
  auto health = client.Post("/api/v1/query", httplib::Params{{"query", "1+1"}});
  ASSERT_TRUE(health);
  Json health_body = Json::parse(health->body, nullptr, false);
  ASSERT_FALSE(health_body.is_discarded()) << health->body;
  EXPECT_EQ(health_body["data"]["resultType"], "scalar") << health->body;
  EXPECT_EQ(health_body["data"]["result"][1], "2") << health->body;

  // The values the variables offer are the demo's: its agent, its device and
  // a Pro 3EM's phases (docs/sources.md).
  auto contains = [&](const std::string& name, const std::string& value) {
    const auto& values = variable_values[name];
    return std::find(values.begin(), values.end(), value) != values.end();
  };
  EXPECT_TRUE(contains("agent", "demo-agent"));
  EXPECT_TRUE(contains("device", "panel"));
  for (const char* phase : {"a", "b", "c", "total"}) EXPECT_TRUE(contains("phase", phase)) << phase;
}

}  // namespace
}  // namespace wattline::testing
