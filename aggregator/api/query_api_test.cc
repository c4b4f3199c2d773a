#include "aggregator/api/query_api.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <limits>
#include <nlohmann/json.hpp>

#include "aggregator/query/value.h"

namespace wattline::aggregator {
namespace {

using Json = nlohmann::json;

constexpr int64_t kT = 1'700'000'000'000;  // 2023-11-14T22:13:20Z
constexpr int64_t kMinute = 60'000;
const double kStale = std::bit_cast<double>(kStaleNaNBits);

// Series in memory. Select filters with the matchers and orders by labels,
// as the SeriesReader contract promises; knobs inject failures and slowness.
class FakeSeriesReader final : public SeriesReader {
 public:
  void Add(Labels labels, std::vector<SamplePoint> samples) {
    series_.push_back({std::move(labels), std::move(samples)});
  }

  Result<std::vector<SeriesRef>> Select(const LabelMatchers& matchers) override {
    if (!select_error.ok()) return select_error;
    std::vector<SeriesRef> refs;
    for (size_t i = 0; i < series_.size(); ++i) {
      if (MatchesAll(matchers, series_[i].first)) {
        refs.push_back({static_cast<SeriesId>(i), series_[i].first});
      }
    }
    std::sort(refs.begin(), refs.end(),
              [](const SeriesRef& a, const SeriesRef& b) { return a.labels < b.labels; });
    return refs;
  }

  Result<std::vector<SamplePoint>> ReadSamples(SeriesId id, int64_t mint_ms,
                                               int64_t maxt_ms) override {
    if (!read_error.ok()) return read_error;
    reads.emplace_back(mint_ms, maxt_ms);
    if (clock_to_advance != nullptr) clock_to_advance->AdvanceMs(advance_ms_per_read);
    std::vector<SamplePoint> out;
    for (const SamplePoint& sample : series_[static_cast<size_t>(id)].second) {
      if (sample.timestamp_ms >= mint_ms && sample.timestamp_ms <= maxt_ms) out.push_back(sample);
    }
    return out;
  }

  Status select_error;
  Status read_error;
  FakeClock* clock_to_advance = nullptr;
  int64_t advance_ms_per_read = 0;
  std::vector<std::pair<int64_t, int64_t>> reads;  // (mint, maxt) of each ReadSamples

 private:
  std::vector<std::pair<Labels, std::vector<SamplePoint>>> series_;
};

const Labels kPanelA = {{"__name__", "power_watts"}, {"device", "panel"}, {"phase", "a"}};
const Labels kPanelB = {{"__name__", "power_watts"}, {"device", "panel"}, {"phase", "b"}};
const Labels kHeatPump = {{"__name__", "power_watts"}, {"device", "heat_pump"}};
const Labels kVoltageA = {{"__name__", "voltage_volts"}, {"phase", "a"}};
const Labels kVoltageN = {{"__name__", "voltage_volts"}, {"phase", "n"}};

HttpRequest Request(std::vector<std::pair<std::string, std::string>> params,
                    std::string method = "GET") {
  HttpRequest request;
  request.method = std::move(method);
  request.params = std::move(params);
  return request;
}

std::string Seconds(int64_t ms) {
  std::string out = std::to_string(ms / 1000);
  if (ms % 1000 != 0) {
    std::string fraction = std::to_string(1000 + ms % 1000).substr(1);
    out += "." + fraction;
  }
  return out;
}

class QueryApiTest : public ::testing::Test {
 protected:
  explicit QueryApiTest(QueryLimits limits = {}) : api_(&reader_, &clock_, limits) {}

  HttpResponse Instant(const std::string& query, int64_t time_ms = kT) {
    return api_.HandleQuery(Request({{"query", query}, {"time", Seconds(time_ms)}}));
  }

  HttpResponse Range(const std::string& query, int64_t start_ms, int64_t end_ms,
                     const std::string& step) {
    return api_.HandleQueryRange(Request({{"query", query},
                                          {"start", Seconds(start_ms)},
                                          {"end", Seconds(end_ms)},
                                          {"step", step}}));
  }

  // The "result" array of a successful response.
  static Json Result(const HttpResponse& response, std::string_view type) {
    EXPECT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(response.content_type, "application/json");
    Json body = Json::parse(response.body);
    EXPECT_EQ(body["status"], "success");
    EXPECT_EQ(body["data"]["resultType"], type);
    return body["data"]["result"];
  }

  // The values of an instant result, by series.
  static std::vector<std::string> Values(const HttpResponse& response) {
    std::vector<std::string> out;
    for (const Json& sample : Result(response, "vector")) {
      out.push_back(sample["value"][1].get<std::string>());
    }
    return out;
  }

  // (error type, error) of a failed response with the given HTTP status.
  static std::pair<std::string, std::string> Error(const HttpResponse& response, int status) {
    EXPECT_EQ(response.status, status) << response.body;
    EXPECT_EQ(response.content_type, "application/json");
    Json body = Json::parse(response.body);
    EXPECT_EQ(body["status"], "error");
    return {body["errorType"].get<std::string>(), body["error"].get<std::string>()};
  }

  FakeClock clock_{kT};
  FakeSeriesReader reader_;
  QueryApi api_;
};

TEST_F(QueryApiTest, InstantQueryAnswersInPrometheusJson) {
  reader_.Add(kPanelA, {{kT - 10'000, 230.5}});
  reader_.Add(kHeatPump, {{kT - 10'000, 1200}});
  HttpResponse response = api_.HandleQuery(
      Request({{"query", "power_watts{device=\"panel\"}"}, {"time", "1700000000.123"}}));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.content_type, "application/json");
  EXPECT_EQ(response.body, R"({"status":"success","data":{"resultType":"vector","result":[)"
                           R"({"metric":{"__name__":"power_watts","device":"panel","phase":"a"},)"
                           R"("value":[1700000000.123,"230.5"]}]}})");
}

TEST_F(QueryApiTest, RangeQueryAnswersInPrometheusJson) {
  reader_.Add(kHeatPump, {{kT, 1}, {kT + 15'000, 2}});
  HttpResponse response = Range("power_watts", kT, kT + 15'000, "15");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, R"({"status":"success","data":{"resultType":"matrix","result":[)"
                           R"({"metric":{"__name__":"power_watts","device":"heat_pump"},)"
                           R"("values":[[1700000000,"1"],[1700000015,"2"]]}]}})");
}

TEST_F(QueryApiTest, ParseErrorAnswersInPrometheusJson) {
  HttpResponse response = Instant("power_watts{device$\"x\"}");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.content_type, "application/json");
  EXPECT_EQ(response.body,
            R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": )"
            R"(1:19: parse error: unexpected character inside braces: '$'"})");
}

TEST_F(QueryApiTest, EmptyResultIsAnEmptyArray) {
  EXPECT_EQ(Instant("power_watts").body,
            R"({"status":"success","data":{"resultType":"vector","result":[]}})");
  EXPECT_EQ(Range("power_watts", kT, kT, "15").body,
            R"({"status":"success","data":{"resultType":"matrix","result":[]}})");
}

// Prometheus 2 (the reference) includes both ends of the lookback; 3 does not.
TEST_F(QueryApiTest, SampleExactlyAtTheLookbackIsFound) {
  reader_.Add(kPanelA, {{kT - 5 * kMinute, 1}});
  EXPECT_EQ(Values(Instant("power_watts")), std::vector<std::string>{"1"});
}

TEST_F(QueryApiTest, SampleJustOutsideTheLookbackIsNotFound) {
  reader_.Add(kPanelA, {{kT - 5 * kMinute - 1, 1}});
  EXPECT_TRUE(Result(Instant("power_watts"), "vector").empty());
}

TEST_F(QueryApiTest, SampleJustInsideTheLookbackIsFound) {
  reader_.Add(kPanelA, {{kT - 5 * kMinute + 1, 7}});
  Json result = Result(Instant("power_watts"), "vector");
  ASSERT_EQ(result.size(), 1u);
  EXPECT_EQ(result[0]["value"][1], "7");
}

TEST_F(QueryApiTest, ResultCarriesTheEvaluationTimeNotTheSampleTime) {
  reader_.Add(kPanelA, {{kT - 42'000, 7}});
  Json result = Result(Instant("power_watts", kT + 123), "vector");
  ASSERT_EQ(result.size(), 1u);
  EXPECT_DOUBLE_EQ(result[0]["value"][0].get<double>(), 1700000000.123);
}

TEST_F(QueryApiTest, TakesTheNewestSampleAtOrBeforeTheTime) {
  reader_.Add(kPanelA, {{kT - 2 * kMinute, 1}, {kT - kMinute, 2}, {kT, 3}, {kT + 1, 4}});
  EXPECT_EQ(Values(Instant("power_watts")), std::vector<std::string>{"3"});
  EXPECT_EQ(Values(Instant("power_watts", kT - 1)), std::vector<std::string>{"2"});
}

TEST_F(QueryApiTest, ReadsOnlyTheLookbackWindow) {
  reader_.Add(kPanelA, {{kT, 1}});
  Result(Instant("power_watts"), "vector");
  ASSERT_EQ(reader_.reads.size(), 1u);
  EXPECT_EQ(reader_.reads[0], std::make_pair(kT - 5 * kMinute, kT));
  reader_.reads.clear();
  Result(Range("power_watts", kT, kT + kMinute, "15s"), "matrix");
  ASSERT_EQ(reader_.reads.size(), 1u);
  EXPECT_EQ(reader_.reads[0], std::make_pair(kT - 5 * kMinute, kT + kMinute));
}

TEST_F(QueryApiTest, StaleMarkerEndsTheSeries) {
  reader_.Add(kPanelA, {{kT - 2 * kMinute, 1}, {kT - kMinute, kStale}});
  reader_.Add(kPanelB, {{kT - 2 * kMinute, 1}, {kT - kMinute, std::nan("")}});
  // The ordinary NaN is a value; the stale marker is an absence.
  Json result = Result(Instant("power_watts"), "vector");
  ASSERT_EQ(result.size(), 1u);
  EXPECT_EQ(result[0]["metric"]["phase"], "b");
  EXPECT_EQ(result[0]["value"][1], "NaN");
}

TEST_F(QueryApiTest, SeriesResumesAfterAStaleMarkerWithANewSample) {
  reader_.Add(kPanelA, {{kT - 3 * kMinute, 1}, {kT - 2 * kMinute, kStale}, {kT - kMinute, 5}});
  Json result = Result(Range("power_watts", kT - 3 * kMinute, kT, "1m"), "matrix");
  ASSERT_EQ(result.size(), 1u);
  Json expected = Json::parse(R"([[1699999820,"1"],[1699999940,"5"],[1700000000,"5"]])");
  EXPECT_EQ(result[0]["values"], expected);
}

TEST_F(QueryApiTest, SeriesAreSortedByLabelsAndKeepTheirName) {
  reader_.Add(kVoltageA, {{kT, 230}});
  reader_.Add(kPanelB, {{kT, 2}});
  reader_.Add(kHeatPump, {{kT, 3}});
  reader_.Add(kPanelA, {{kT, 1}});
  Json result = Result(Instant("{__name__=~\"power_watts|voltage_volts\"}"), "vector");
  std::vector<std::string> order;
  for (const Json& sample : result) {
    order.push_back(sample["metric"]["__name__"].get<std::string>() + "/" +
                    sample["metric"].value("device", "") + "/" +
                    sample["metric"].value("phase", ""));
  }
  EXPECT_EQ(order, (std::vector<std::string>{"power_watts/heat_pump/", "power_watts/panel/a",
                                             "power_watts/panel/b", "voltage_volts//a"}));
}

TEST_F(QueryApiTest, AppliesEveryMatcher) {
  reader_.Add(kPanelA, {{kT, 1}});
  reader_.Add(kPanelB, {{kT, 2}});
  reader_.Add(kHeatPump, {{kT, 3}});
  reader_.Add(kVoltageA, {{kT, 230}});
  reader_.Add(kVoltageN, {{kT, 0.5}});
  EXPECT_EQ(Values(Instant("power_watts{device=\"panel\",phase=~\"a|b\"}")),
            (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(Values(Instant("power_watts{phase!~\"a\"}")), (std::vector<std::string>{"3", "2"}));
  EXPECT_EQ(Values(Instant("power_watts{phase=\"\"}")), std::vector<std::string>{"3"});
  EXPECT_EQ(Values(Instant("power_watts{phase!=\"\"}")), (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(Values(Instant("{__name__=\"voltage_volts\",phase!=\"n\"}")),
            std::vector<std::string>{"230"});
  EXPECT_EQ(Values(Instant("power_watts{phase=~\"A\"}")), std::vector<std::string>{});
}

TEST_F(QueryApiTest, FormatsValuesAsGoDoes) {
  const std::vector<double> values = {0.1,
                                      1e21,
                                      -0.0,
                                      230.123,
                                      std::nan(""),
                                      std::numeric_limits<double>::infinity(),
                                      -std::numeric_limits<double>::infinity(),
                                      1e-7,
                                      -1.5,
                                      248533.57};
  for (size_t i = 0; i < values.size(); ++i) {
    reader_.Add({{"__name__", "v"}, {"i", std::string(1, static_cast<char>('a' + i))}},
                {{kT, values[i]}});
  }
  EXPECT_EQ(Values(Instant("v")),
            (std::vector<std::string>{"0.1", "1000000000000000000000", "-0", "230.123", "NaN",
                                      "+Inf", "-Inf", "0.0000001", "-1.5", "248533.57"}));
}

TEST_F(QueryApiTest, DefaultsTheTimeToNow) {
  reader_.Add(kPanelA, {{kT - 1000, 1}});
  clock_.AdvanceMs(500);
  Json result = Result(api_.HandleQuery(Request({{"query", "power_watts"}})), "vector");
  ASSERT_EQ(result.size(), 1u);
  EXPECT_DOUBLE_EQ(result[0]["value"][0].get<double>(), 1700000000.5);
  // An empty time is the default too, as in Prometheus.
  result = Result(api_.HandleQuery(Request({{"query", "power_watts"}, {"time", ""}})), "vector");
  EXPECT_EQ(result.size(), 1u);
}

TEST_F(QueryApiTest, AcceptsEveryTimeForm) {
  reader_.Add(kPanelA, {{kT, 1}});
  for (const char* time : {"1700000000", "1700000000.000", "1.7e9", "2023-11-14T22:13:20Z",
                           "2023-11-14T23:13:20+01:00", "2023-11-14T22:13:20.000000Z"}) {
    Json result =
        Result(api_.HandleQuery(Request({{"query", "power_watts"}, {"time", time}})), "vector");
    ASSERT_EQ(result.size(), 1u) << time;
    EXPECT_EQ(result[0]["value"][0].get<double>(), 1700000000.0) << time;
  }
}

TEST_F(QueryApiTest, FormPostsReadTheSameParameters) {
  reader_.Add(kPanelA, {{kT, 1}});
  HttpResponse response =
      api_.HandleQuery(Request({{"query", "power_watts"}, {"time", "1700000000"}}, "POST"));
  EXPECT_EQ(Result(response, "vector").size(), 1u);
}

TEST_F(QueryApiTest, RangeEvaluatesAtEveryStepUpToTheEnd) {
  reader_.Add(kPanelA, {{kT - 1000, 1}, {kT + 20'000, 2}, {kT + 40'000, 3}});
  Json result = Result(Range("power_watts", kT, kT + 50'000, "15s"), "matrix");
  ASSERT_EQ(result.size(), 1u);
  Json expected =
      Json::parse(R"([[1700000000,"1"],[1700000015,"1"],[1700000030,"2"],[1700000045,"3"]])");
  EXPECT_EQ(result[0]["values"], expected);
}

TEST_F(QueryApiTest, RangeLeavesGapsWhereTheLookbackFindsNothing) {
  reader_.Add(kPanelA, {{kT, 1}, {kT + 20 * kMinute, 2}});
  reader_.Add(kPanelB, {{kT - 20 * kMinute, 9}});  // never visible: left out
  Json result = Result(Range("power_watts", kT, kT + 20 * kMinute, "5m"), "matrix");
  ASSERT_EQ(result.size(), 1u);
  EXPECT_EQ(result[0]["metric"]["phase"], "a");
  // At +5m the sample at 0 is exactly lookback old: still found; at +10m
  // gone.
  Json expected = Json::parse(R"([[1700000000,"1"],[1700000300,"1"],[1700001200,"2"]])");
  EXPECT_EQ(result[0]["values"], expected);
}

TEST_F(QueryApiTest, RangeOverSparseDataAtFineSteps) {
  // One sample an hour over three hours at 1 s steps: each is visible for
  // 301 steps (5 minutes of lookback, both ends).
  reader_.Add(kPanelA, {{kT, 1}, {kT + 60 * kMinute, 2}, {kT + 120 * kMinute, 3}});
  Json result = Result(Range("power_watts", kT, kT + 180 * kMinute - 1000, "1"), "matrix");
  ASSERT_EQ(result.size(), 1u);
  const Json& values = result[0]["values"];
  ASSERT_EQ(values.size(), 903u);
  EXPECT_EQ(values[300][0].get<double>(), 1700000300.0);
  EXPECT_EQ(values[301][0].get<double>(), 1700003600.0);
  EXPECT_EQ(values[301][1], "2");
}

TEST_F(QueryApiTest, RangeAcceptsEveryStepForm) {
  reader_.Add(kPanelA, {{kT, 1}});
  for (const char* step : {"30", "30.0", "30s", "30000ms", "0.3e2"}) {
    Json result = Result(Range("power_watts", kT, kT + kMinute, step), "matrix");
    ASSERT_EQ(result.size(), 1u) << step;
    EXPECT_EQ(result[0]["values"].size(), 3u) << step;
  }
  EXPECT_EQ(Error(Range("power_watts", kT, kT + kMinute, "0.5m"), 400).second,
            "invalid parameter \"step\": cannot parse \"0.5m\" to a valid duration");
  Json result = Result(Range("power_watts", kT, kT + 2 * kMinute, "1m"), "matrix");
  EXPECT_EQ(result[0]["values"].size(), 3u);
}

TEST_F(QueryApiTest, RangeRefusesEndBeforeStart) {
  EXPECT_EQ(Error(Range("power_watts", kT, kT - 1000, "15"), 400),
            std::make_pair(std::string("bad_data"),
                           std::string("invalid parameter \"end\": end timestamp must not be "
                                       "before start time")));
}

TEST_F(QueryApiTest, RangeRefusesZeroOrNegativeSteps) {
  const std::string message =
      "invalid parameter \"step\": zero or negative query resolution step widths are not "
      "accepted. Try a positive integer";
  EXPECT_EQ(Error(Range("power_watts", kT, kT, "0"), 400).second, message);
  EXPECT_EQ(Error(Range("power_watts", kT, kT, "-15"), 400).second, message);
  EXPECT_EQ(Error(Range("power_watts", kT, kT, "0.0001"), 400).second, message);
}

TEST_F(QueryApiTest, RangeRefusesMoreThan11000PointsPerSeries) {
  EXPECT_EQ(Error(Range("power_watts", kT, kT + 11'001'000, "1"), 400),
            std::make_pair(std::string("bad_data"),
                           std::string("exceeded maximum resolution of 11,000 points per "
                                       "timeseries. Try decreasing the query resolution "
                                       "(?step=XX)")));
  EXPECT_EQ(Range("power_watts", kT, kT + 11'000'000, "1").status, 200);
}

TEST_F(QueryApiTest, RangeRefusesBadTimesInPrometheusWords) {
  EXPECT_EQ(
      Error(api_.HandleQueryRange(Request({{"query", "x"}, {"end", "1"}, {"step", "1"}})), 400)
          .second,
      "invalid parameter \"start\": cannot parse \"\" to a valid timestamp");
  EXPECT_EQ(Error(api_.HandleQueryRange(
                      Request({{"query", "x"}, {"start", "1"}, {"end", "soon"}, {"step", "1"}})),
                  400)
                .second,
            "invalid parameter \"end\": cannot parse \"soon\" to a valid timestamp");
  EXPECT_EQ(
      Error(api_.HandleQueryRange(Request({{"query", "x"}, {"start", "1"}, {"end", "2"}})), 400)
          .second,
      "invalid parameter \"step\": cannot parse \"\" to a valid duration");
}

TEST_F(QueryApiTest, InstantRefusesBadParametersInPrometheusWords) {
  EXPECT_EQ(Error(api_.HandleQuery(Request({{"query", "x"}, {"time", "x"}})), 400),
            std::make_pair(std::string("bad_data"),
                           std::string("invalid parameter \"time\": invalid time value for "
                                       "'time': cannot parse \"x\" to a valid timestamp")));
  EXPECT_EQ(Error(api_.HandleQuery(Request({{"query", "x"}, {"timeout", "soon"}})), 400).second,
            "invalid parameter \"timeout\": cannot parse \"soon\" to a valid duration");
  EXPECT_EQ(Error(api_.HandleQuery(Request({})), 400).second,
            "invalid parameter \"query\": unknown position: parse error: no expression found in "
            "input");
}

TEST_F(QueryApiTest, RefusesUnsupportedQueriesAsBadData) {
  EXPECT_EQ(Error(Instant("rate(power_watts)"), 400).second,
            "invalid parameter \"query\": 1:6: parse error: expected type range vector in call "
            "to function \"rate\", got instant vector");
  EXPECT_EQ(Error(Range("{job=~\".*\"}", kT, kT, "15"), 400).second,
            "invalid parameter \"query\": 1:1: parse error: vector selector must contain at "
            "least one non-empty matcher");
}

TEST_F(QueryApiTest, StorageFailureIsInternal) {
  reader_.Add(kPanelA, {{kT, 1}});
  reader_.read_error = Status::IoError("disk I/O error");
  EXPECT_EQ(Error(Instant("power_watts"), 500),
            std::make_pair(std::string("internal"),
                           std::string("cannot read samples of "
                                       "power_watts{device=\"panel\",phase=\"a\"}: disk I/O "
                                       "error")));
  reader_.select_error = Status::Unavailable("index busy");
  EXPECT_EQ(Error(Instant("power_watts"), 500).second,
            "cannot select series {__name__=\"power_watts\"}: index busy");
}

class QueryApiLimitsTest : public QueryApiTest {
 protected:
  QueryApiLimitsTest() : QueryApiTest(QueryLimits{.max_samples = 10, .timeout_ms = 1000}) {}
};

TEST_F(QueryApiLimitsTest, RefusesQueriesThatLoadTooManySamples) {
  std::vector<SamplePoint> eleven;
  for (int i = 0; i < 11; ++i) eleven.push_back({kT - 10'000 + i, 1.0 * i});
  reader_.Add(kPanelA, eleven);
  EXPECT_EQ(Error(Instant("power_watts"), 422),
            std::make_pair(std::string("execution"),
                           std::string("query processing would load too many samples into "
                                       "memory in query execution")));
}

TEST_F(QueryApiLimitsTest, CountsResultPointsTowardsTheSampleLimit) {
  reader_.Add(kPanelA, {{kT, 1}});
  // One sample, but ten points at 30 s steps within its lookback.
  EXPECT_EQ(Range("power_watts", kT, kT + 270'000, "30").status, 200);
  EXPECT_EQ(Error(Range("power_watts", kT, kT + 299'000, "23"), 422).first, "execution");
}

TEST_F(QueryApiLimitsTest, SeriesWithinTheLimitPass) {
  for (const Labels& labels : {kPanelA, kPanelB, kHeatPump}) {
    reader_.Add(labels, {{kT - 3000, 1}, {kT - 2000, 2}, {kT - 1000, 3}});
  }
  EXPECT_EQ(Values(Instant("power_watts")).size(), 3u);
}

TEST_F(QueryApiLimitsTest, TimesOutInPrometheusWords) {
  reader_.Add(kPanelA, {{kT, 1}});
  reader_.Add(kPanelB, {{kT, 1}});
  reader_.clock_to_advance = &clock_;
  reader_.advance_ms_per_read = 600;
  EXPECT_EQ(Error(Instant("power_watts"), 503),
            std::make_pair(std::string("timeout"),
                           std::string("query timed out in expression evaluation")));
}

TEST_F(QueryApiLimitsTest, RequestTimeoutOnlyShortensTheLimit) {
  reader_.Add(kPanelA, {{kT, 1}});
  reader_.clock_to_advance = &clock_;
  reader_.advance_ms_per_read = 600;
  EXPECT_EQ(api_.HandleQuery(Request({{"query", "power_watts"}, {"timeout", "1h"}})).status, 200);
  EXPECT_EQ(
      Error(api_.HandleQuery(Request({{"query", "power_watts"}, {"timeout", "0.5"}})), 503).first,
      "timeout");
}

}  // namespace
}  // namespace wattline::aggregator

namespace wattline::aggregator {
namespace {

// Prometheus 2 (the reference) includes the window's start; 3 does not.
TEST_F(QueryApiTest, RangeVectorReturnsRawSamplesInTheClosedWindow) {
  uint64_t stale_bits = kStaleNaNBits;
  reader_.Add(kPanelA, {{kT - 60'001, 0},  // older than the window: out
                        {kT - 60'000, 2},  // exactly the window's age: in
                        {kT - 30'000, std::bit_cast<double>(stale_bits)},  // dropped
                        {kT - 1, 3},
                        {kT + 1, 4}});  // after the evaluation time: out
  Json result = Result(Instant("power_watts{phase=\"a\"}[1m]"), "matrix");
  ASSERT_EQ(result.size(), 1u);
  EXPECT_EQ(result[0]["metric"]["__name__"], "power_watts");
  const Json& values = result[0]["values"];
  ASSERT_EQ(values.size(), 2u) << values.dump();
  EXPECT_EQ(values[0][1], "2");
  EXPECT_EQ(values[1][1], "3");
  EXPECT_DOUBLE_EQ(values[1][0].get<double>(), static_cast<double>(kT - 1) / 1000);
}

TEST_F(QueryApiTest, RangeQueryRefusesARangeVector) {
  reader_.Add(kPanelA, {{kT - 1000, 1}});
  auto [type, error] = Error(Range("power_watts[1m]", kT - 60'000, kT, "15s"), 400);
  EXPECT_EQ(type, "bad_data");
  EXPECT_NE(error.find("invalid expression type \"range vector\" for range query"),
            std::string::npos)
      << error;
}

}  // namespace
}  // namespace wattline::aggregator
