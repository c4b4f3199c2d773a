// The query endpoints over a real SampleStore: how the engine's errors and
// value types reach Grafana (HTTP status, errorType, resultType), with
// Prometheus's JSON. query_api_test.cc covers parameters with a fake
// reader; these run the real engine and store.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "aggregator/api/query_api.h"
#include "aggregator/query/engine_test_store.h"

namespace wattline::aggregator {
namespace {

using Json = nlohmann::json;
using Strings = std::vector<std::string>;

class QueryApiOverStore : public EngineOverStore {
 protected:
  static HttpRequest Request(std::vector<std::pair<std::string, std::string>> params) {
    HttpRequest request;
    request.method = "GET";
    request.params = std::move(params);
    return request;
  }

  static std::string Seconds(int64_t ms) { return std::to_string(ms / 1000); }

  // The "data" of a success envelope.
  static Json DataOf(const HttpResponse& response) {
    EXPECT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(response.content_type, "application/json");
    Json body = Json::parse(response.body);
    EXPECT_EQ(body["status"], "success");
    return body["data"];
  }

  // The error text of an error envelope, after checking status and type.
  static std::string ErrorOf(const HttpResponse& response, int status, const std::string& type) {
    EXPECT_EQ(response.status, status) << response.body;
    Json body = Json::parse(response.body);
    EXPECT_EQ(body["status"], "error");
    EXPECT_EQ(body["errorType"], type);
    return body.value("error", "");
  }
};

TEST_F(QueryApiOverStore, ExecutionErrorsAre422) {
  QueryApi api(store_.get(), &clock_);
  const std::string time = Seconds(kMidnight + kHour);
  const std::string many_to_many = ErrorOf(
      api.HandleQuery(Request({{"query", "power_watts + on() power_watts"}, {"time", time}})), 422,
      "execution");
  EXPECT_NE(many_to_many.find("many-to-many matching not allowed"), std::string::npos)
      << many_to_many;
  EXPECT_EQ(
      ErrorOf(api.HandleQuery(Request({{"query", "abs({device=\"heater\"})"}, {"time", time}})),
              422, "execution"),
      kSameLabelset);
  EXPECT_EQ(ErrorOf(api.HandleQueryRange(Request({{"query", "abs({device=\"heater\"})"},
                                                  {"start", time},
                                                  {"end", Seconds(kMidnight + 2 * kHour)},
                                                  {"step", "60"}})),
                    422, "execution"),
            kSameLabelset);

  QueryLimits limits;
  limits.max_samples = 1000;
  QueryApi limited(store_.get(), &clock_, limits);
  EXPECT_EQ(ErrorOf(limited.HandleQuery(Request({{"query", "energy_watt_hours_total[1d]"},
                                                 {"time", Seconds(kMidnight + kDay)}})),
                    422, "execution"),
            kTooManySamples);
}

TEST_F(QueryApiOverStore, TimeoutIs503) {
  TickingClock ticking;
  QueryApi api(store_.get(), &ticking);
  EXPECT_EQ(ErrorOf(api.HandleQuery(Request({{"query", kSlowQuery},
                                             {"time", Seconds(kMidnight + kDay)},
                                             {"timeout", "60s"}})),
                    503, "timeout"),
            kTimedOut);
}

TEST_F(QueryApiOverStore, ScalarStringAndScalarRangeResults) {
  QueryApi api(store_.get(), &clock_);
  // Grafana's "Save & test" asks 1+1.
  const Json scalar = DataOf(api.HandleQuery(Request({{"query", "1+1"}, {"time", "1700000000"}})));
  EXPECT_EQ(scalar["resultType"], "scalar");
  ASSERT_EQ(scalar["result"].size(), 2u);
  EXPECT_EQ(scalar["result"][0].get<double>(), 1'700'000'000);
  EXPECT_EQ(scalar["result"][1], "2");

  const Json string =
      DataOf(api.HandleQuery(Request({{"query", "\"kitchen\""}, {"time", "1700000000"}})));
  EXPECT_EQ(string["resultType"], "string");
  ASSERT_EQ(string["result"].size(), 2u);
  EXPECT_EQ(string["result"][0].get<double>(), 1'700'000'000);
  EXPECT_EQ(string["result"][1], "kitchen");

  // A scalar over a range is one series without labels.
  const Json range = DataOf(api.HandleQueryRange(
      Request({{"query", "1+1"}, {"start", "1700000000"}, {"end", "1700000120"}, {"step", "60"}})));
  EXPECT_EQ(range["resultType"], "matrix");
  ASSERT_EQ(range["result"].size(), 1u);
  EXPECT_EQ(range["result"][0]["metric"], Json::object());
  const Json& values = range["result"][0]["values"];
  ASSERT_EQ(values.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(values[i][0].get<double>(), 1'700'000'000.0 + 60.0 * static_cast<double>(i));
    EXPECT_EQ(values[i][1], "2");
  }
}

TEST_F(QueryApiOverStore, InstantResultKeepsTheOrderOfSortDesc) {
  QueryApi api(store_.get(), &clock_);
  const Json data = DataOf(api.HandleQuery(
      Request({{"query", "sort_desc(room_celsius)"}, {"time", Seconds(kMidnight + kHour)}})));
  std::vector<std::string> rooms;
  for (const Json& sample : data["result"]) rooms.push_back(sample["metric"]["room"]);
  EXPECT_EQ(rooms, (Strings{"attic", "kitchen", "bedroom", "cellar"}));
}

}  // namespace
}  // namespace wattline::aggregator
