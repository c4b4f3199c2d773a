// The standard write paths through a running aggregator (its listeners on
// run-time ports, its real storage): what Prometheus's remote_write and a
// curl of text lines send, read back through the query API.
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/stat.h>

#include <bit>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aggregator/aggregator.h"
#include "aggregator/ingest/remote_write.h"
#include "common/clock.h"
#include "common/testing/temp_dir.h"
#include "tests/support/aggregator_test_files.h"
#include "tests/support/child_process.h"

namespace wattline::testing {
namespace {

using aggregator::Aggregator;

constexpr const char* kToken = "remote-write-token-1";

class StandardIngest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(MakeAggregatorFiles(dir_, kToken).ok()); }

  void WriteToken(const std::string& contents, mode_t mode) {
    WriteFile(dir_.File("write-token"), contents);
    ASSERT_EQ(chmod(dir_.File("write-token").c_str(), mode), 0);
  }

  Result<std::unique_ptr<Aggregator>> Start(const std::string& api_extra = "") {
    Result<aggregator::AggregatorConfig> config = aggregator::ParseAggregatorConfig(
        LoopbackAggregatorConfig(dir_, dir_.File("data")) + api_extra, "test");
    if (!config.ok()) return config.status();
    return Aggregator::Start(*config, &clock_);
  }

  // A JSON answer of the query API, or null.
  static nlohmann::json Query(int port, const std::string& query) {
    httplib::Client client("127.0.0.1", port);
    auto result = client.Get("/api/v1/query", httplib::Params{{"query", query}}, {});
    if (!result || result->status != 200) {
      ADD_FAILURE() << query << ": "
                    << (result ? result->body : httplib::to_string(result.error()));
      return nullptr;
    }
    return nlohmann::json::parse(result->body);
  }

  TempDir dir_;
  SystemClock clock_;
};

TEST_F(StandardIngest, RemoteWriteAndTextImportAreQueryable) {
  auto aggregator = Start();
  ASSERT_TRUE(aggregator.ok()) << aggregator.status().ToString();
  const int port = (*aggregator)->api_port();
  const int64_t now_ms = clock_.NowUnixMs();
  httplib::Client client("127.0.0.1", port);
  client.set_bearer_token_auth(kToken);

  // As Prometheus sends it: snappy block compression, protobuf, the
  // spec's headers.
  const uint64_t stale = 0x7ff0000000000002;
  std::string body = aggregator::EncodeRemoteWrite(
      {{{{"__name__", "node_power_watts"}, {"instance", "nas:9100"}},
        {{now_ms - 30'000, 41.5}, {now_ms - 15'000, 42.25}}},
       {{{"__name__", "gone"}}, {{now_ms - 1000, std::bit_cast<double>(stale)}}}});
  auto written = client.Post(aggregator::kRemoteWritePath,
                             httplib::Headers{{"Content-Encoding", "snappy"},
                                              {"X-Prometheus-Remote-Write-Version", "0.1.0"}},
                             body, "application/x-protobuf");
  ASSERT_TRUE(written) << httplib::to_string(written.error());
  EXPECT_EQ(written->status, 204) << written->body;

  // As curl --data-binary @file sends it.
  std::string text =
      "# HELP room_celsius Room temperature.\n# TYPE room_celsius gauge\n"
      "room_celsius{room=\"attic\",note=\"say \\\"hi\\\"\"} 21.5 " +
      std::to_string(now_ms - 20'000) + "\nroom_celsius{room=\"cellar\"} 12\n";
  auto imported = client.Post(aggregator::kTextImportPath, text, "text/plain");
  ASSERT_TRUE(imported) << httplib::to_string(imported.error());
  EXPECT_EQ(imported->status, 204) << imported->body;

  nlohmann::json power = Query(port, "node_power_watts[1h]");
  ASSERT_FALSE(power.is_null());
  ASSERT_EQ(power["data"]["result"].size(), 1u) << power.dump();
  const auto& series = power["data"]["result"][0];
  EXPECT_EQ(series["metric"]["instance"], "nas:9100");
  ASSERT_EQ(series["values"].size(), 2u) << power.dump();
  EXPECT_EQ(series["values"][0][1], "41.5");
  EXPECT_EQ(series["values"][1][1], "42.25");
  EXPECT_DOUBLE_EQ(series["values"][1][0].get<double>(), (now_ms - 15'000) / 1000.0);

  nlohmann::json attic = Query(port, "room_celsius{room=\"attic\"}[1h]");
  ASSERT_FALSE(attic.is_null());
  ASSERT_EQ(attic["data"]["result"].size(), 1u) << attic.dump();
  EXPECT_EQ(attic["data"]["result"][0]["metric"]["note"], "say \"hi\"");
  EXPECT_EQ(attic["data"]["result"][0]["values"][0][1], "21.5");
  // Without a timestamp: stamped with the aggregator's time on arrival.
  nlohmann::json cellar = Query(port, "room_celsius{room=\"cellar\"}");
  ASSERT_FALSE(cellar.is_null());
  ASSERT_EQ(cellar["data"]["result"].size(), 1u) << cellar.dump();
  EXPECT_EQ(cellar["data"]["result"][0]["value"][1], "12");

  auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(
      metrics->body.find("wattline_write_requests_total{path=\"/api/v1/write\",code=\"204\"} 1\n"),
      std::string::npos)
      << metrics->body;
  EXPECT_NE(metrics->body.find("wattline_write_samples_stored_total{path=\"/api/v1/write\"} 3\n"),
            std::string::npos);
  EXPECT_NE(metrics->body.find(
                "wattline_write_samples_stored_total{path=\"/api/v1/import/prometheus\"} 2\n"),
            std::string::npos);
}

// The calls Grafana's Prometheus data source makes for its metric browser,
// label filters and variables, over HTTP to a running aggregator, as GET
// with URL parameters and as POST with a form.
TEST_F(StandardIngest, MetadataEndpointsAnswerGrafanasCalls) {
  auto aggregator = Start();
  ASSERT_TRUE(aggregator.ok()) << aggregator.status().ToString();
  httplib::Client client("127.0.0.1", (*aggregator)->api_port());
  client.set_bearer_token_auth(kToken);
  const int64_t now_ms = clock_.NowUnixMs();
  const std::string stamp = " " + std::to_string(now_ms - 10'000) + "\n";
  auto imported = client.Post(aggregator::kTextImportPath,
                              "power_watts{device=\"panel\",phase=\"a\"} 230" + stamp +
                                  "power_watts{device=\"heat_pump\"} 1200" + stamp +
                                  "room_celsius{room=\"attic\"} 21" + stamp,
                              "text/plain");
  ASSERT_TRUE(imported) << httplib::to_string(imported.error());
  ASSERT_EQ(imported->status, 204) << imported->body;

  using Json = nlohmann::json;
  using Strings = std::vector<std::string>;
  auto data = [](const httplib::Result& result) {
    if (!result || result->status != 200) {
      ADD_FAILURE() << (result ? result->body : httplib::to_string(result.error()));
      return Json();
    }
    return Json::parse(result->body)["data"];
  };
  const std::string range = "start=" + std::to_string(now_ms / 1000 - 3600) +
                            "&end=" + std::to_string(now_ms / 1000 + 60);
  EXPECT_EQ(data(client.Get("/api/v1/labels?" + range)),
            Json(Strings{"__name__", "device", "phase", "room"}));
  EXPECT_EQ(data(client.Get("/api/v1/label/__name__/values?" + range)),
            Json(Strings{"power_watts", "room_celsius"}));
  EXPECT_EQ(data(client.Get("/api/v1/label/device/values?match%5B%5D=power_watts")),
            Json(Strings{"heat_pump", "panel"}));
  const char* kForm = "application/x-www-form-urlencoded";
  EXPECT_EQ(data(client.Post("/api/v1/labels", "match%5B%5D=room_celsius&" + range, kForm)),
            Json(Strings{"__name__", "room"}));
  const Json series = data(client.Post(
      "/api/v1/series", "match%5B%5D=power_watts&match%5B%5D=room_celsius&" + range, kForm));
  ASSERT_EQ(series.size(), 3u) << series.dump();
  EXPECT_EQ(series[0], Json::parse(R"({"__name__":"power_watts","device":"heat_pump"})"));
  EXPECT_EQ(series[2], Json::parse(R"({"__name__":"room_celsius","room":"attic"})"));
  EXPECT_EQ(data(client.Get("/api/v1/metadata?metric=power_watts"))["power_watts"][0]["unit"],
            "watts");
  EXPECT_EQ(data(client.Get("/api/v1/status/buildinfo"))["version"], "2.42.0");
  EXPECT_EQ(data(client.Get("/api/v1/query_exemplars?query=power_watts")), Json::array());
  EXPECT_EQ(data(client.Get("/api/v1/rules")), Json::parse(R"({"groups":[]})"));
  EXPECT_EQ(data(client.Get("/api/v1/alerts")), Json::parse(R"({"alerts":[]})"));

  auto invalid = client.Get("/api/v1/label/1x/values");
  ASSERT_TRUE(invalid);
  EXPECT_EQ(invalid->status, 400);
  EXPECT_EQ(Json::parse(invalid->body)["error"], "invalid label name: \"1x\"");
  auto no_match = client.Post("/api/v1/series", range, kForm);
  ASSERT_TRUE(no_match);
  EXPECT_EQ(no_match->status, 400);
  EXPECT_EQ(Json::parse(no_match->body)["error"], "no match[] parameter provided");
  for (const char* method : {"GET", "POST"}) {
    auto unknown = std::string(method) == "GET" ? client.Get("/api/v1/targets")
                                                : client.Post("/api/v1/targets", "x=1", kForm);
    ASSERT_TRUE(unknown);
    EXPECT_EQ(unknown->status, 404) << method;
    EXPECT_EQ(unknown->body, "404 page not found\n") << method;
  }
  // Prometheus serves label values to GET only.
  auto post_values = client.Post("/api/v1/label/device/values", "x=1", kForm);
  ASSERT_TRUE(post_values);
  EXPECT_EQ(post_values->status, 405);
}

TEST_F(StandardIngest, RefusalsOverHttp) {
  auto aggregator = Start("  max_write_bytes: 4096\n");
  ASSERT_TRUE(aggregator.ok()) << aggregator.status().ToString();
  const int port = (*aggregator)->api_port();
  httplib::Client anonymous("127.0.0.1", port);
  auto unauthorized = anonymous.Post(aggregator::kTextImportPath, "m 1\n", "text/plain");
  ASSERT_TRUE(unauthorized);
  EXPECT_EQ(unauthorized->status, 401);
  EXPECT_EQ(unauthorized->get_header_value("WWW-Authenticate"), "Bearer");

  httplib::Client client("127.0.0.1", port);
  client.set_bearer_token_auth(kToken);
  auto malformed = client.Post(aggregator::kTextImportPath, "ok 1\nbad{ 1\n", "text/plain");
  ASSERT_TRUE(malformed);
  EXPECT_EQ(malformed->status, 400);
  EXPECT_EQ(malformed->body, "line 2, column 6: expected a label name or '}'\n");

  httplib::Client gzip("127.0.0.1", port);
  gzip.set_bearer_token_auth(kToken);
  gzip.set_compress(true);
  auto compressed = gzip.Post(aggregator::kTextImportPath, "ok 1\n", "text/plain");
  ASSERT_TRUE(compressed);
  EXPECT_EQ(compressed->status, 415) << compressed->body;

  auto large = client.Post(aggregator::kTextImportPath, std::string(5000, '#'), "text/plain");
  ASSERT_TRUE(large);
  EXPECT_EQ(large->status, 413);
  // Over the listener's limit: refused from Content-Length, unread.
  auto huge = client.Post(aggregator::kTextImportPath, std::string(2 << 20, '#'), "text/plain");
  ASSERT_TRUE(huge);
  EXPECT_EQ(huge->status, 413);

  nlohmann::json stored = Query(port, "ok");
  ASSERT_FALSE(stored.is_null());
  EXPECT_TRUE(stored["data"]["result"].empty()) << stored.dump();
}

TEST_F(StandardIngest, WithoutATokenFileWritesAre403) {
  Result<aggregator::AggregatorConfig> config = aggregator::ParseAggregatorConfig(
      "data_dir: " + dir_.File("data") + "\ningest:\n  listen: 127.0.0.1:0\n  pki_dir: " +
          dir_.File("pki") + "\napi:\n  listen: 127.0.0.1:0\n",
      "test");
  ASSERT_TRUE(config.ok());
  auto aggregator = Aggregator::Start(*config, &clock_);
  ASSERT_TRUE(aggregator.ok()) << aggregator.status().ToString();
  httplib::Client client("127.0.0.1", (*aggregator)->api_port());
  client.set_bearer_token_auth(kToken);
  auto result = client.Post(aggregator::kTextImportPath, "m 1\n", "text/plain");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 403);
  EXPECT_NE(result->body.find("writes are disabled"), std::string::npos) << result->body;
}

TEST_F(StandardIngest, RefusesToStartWithATokenFileOthersCanReadOrAnEmptyOne) {
  WriteToken(kToken, 0644);
  auto readable = Start();
  ASSERT_FALSE(readable.ok());
  EXPECT_NE(readable.status().message().find("api.write_token_file"), std::string::npos)
      << readable.status().ToString();
  WriteToken("\n", 0600);
  auto empty = Start();
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("is empty"), std::string::npos)
      << empty.status().ToString();
}

}  // namespace
}  // namespace wattline::testing
