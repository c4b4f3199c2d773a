// The metadata endpoints over a real SampleStore. Expected answers are
// derived by hand from the samples written below and Prometheus's
// documented semantics (web/api/v1/api.go, docs/querying/api.md).
#include "aggregator/api/metadata_api.h"

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "aggregator/storage/sample_store.h"
#include "common/clock.h"
#include "common/testing/temp_dir.h"

namespace wattline::aggregator {
namespace {

using Json = nlohmann::json;
using Params = std::vector<std::pair<std::string, std::string>>;

constexpr int64_t kT = 1'700'000'000'000;  // 2023-11-14T22:13:20Z
constexpr int64_t kHour = 3'600'000;

std::string Seconds(int64_t ms) { return std::to_string(ms / 1000); }

HttpRequest Request(Params params, std::string path = "", std::string method = "GET") {
  HttpRequest request;
  request.method = std::move(method);
  request.path = std::move(path);
  request.params = std::move(params);
  return request;
}

Json Body(const HttpResponse& response) {
  EXPECT_EQ(response.content_type, "application/json");
  return Json::parse(response.body);
}

// The error envelope's text, after checking its status and type.
std::string ErrorOf(const HttpResponse& response, int status = 400,
                    const std::string& type = "bad_data") {
  EXPECT_EQ(response.status, status) << response.body;
  Json body = Body(response);
  EXPECT_EQ(body["status"], "error");
  EXPECT_EQ(body["errorType"], type);
  return body.value("error", "");
}

// The data of a success envelope with no warnings.
Json DataOf(const HttpResponse& response) {
  EXPECT_EQ(response.status, 200) << response.body;
  Json body = Body(response);
  EXPECT_EQ(body["status"], "success");
  EXPECT_FALSE(body.contains("warnings")) << response.body;
  return body["data"];
}

using Strings = std::vector<std::string>;

class MetadataApiOverStore : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = SampleStore::Open(dir_.File("s.db"), &clock_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    api_ = std::make_unique<MetadataApi>(store_.get());
    // Power series at kT and kT + 2h, a voltage the day before, and names
    // of other sources for the catalog's fallback.
    ASSERT_TRUE(store_
                    ->Write({Series(kPanelA, {kT, kT + 60'000}), Series(kPanelB, {kT + 2 * kHour}),
                             Series(kHeatPump, {kT}), Series(kVoltage, {kT - 24 * kHour}),
                             Series(kEnergy, {kT}), Series(kBackups, {kT + 2 * kHour}),
                             Series(kRoom, {kT})})
                    .ok());
  }

  static SeriesSamples Series(const Labels& labels, std::vector<int64_t> timestamps) {
    std::vector<double> values(timestamps.size(), 1.0);
    return {labels, std::move(timestamps), std::move(values)};
  }

  const MetadataApi& api() const { return *api_; }

  HttpResponse LabelValues(const std::string& name, Params params = {}) const {
    return api_->HandleLabelValues(Request(std::move(params), "/api/v1/label/" + name + "/values"));
  }

  const Labels kPanelA = {{"__name__", "power_watts"}, {"device", "panel"}, {"phase", "a"}};
  const Labels kPanelB = {{"__name__", "power_watts"}, {"device", "panel"}, {"phase", "b"}};
  const Labels kHeatPump = {{"__name__", "power_watts"}, {"device", "heat_pump"}};
  const Labels kVoltage = {{"__name__", "voltage_volts"}, {"phase", "a"}};
  const Labels kEnergy = {
      {"__name__", "energy_imported_watt_hours_total"}, {"device", "panel"}, {"phase", "total"}};
  const Labels kBackups = {{"__name__", "backup_jobs_total"}, {"job", "nightly"}};
  const Labels kRoom = {{"__name__", "room_celsius"}, {"room", "attic"}};

  testing::TempDir dir_;
  FakeClock clock_{kT};
  std::unique_ptr<SampleStore> store_;
  std::unique_ptr<MetadataApi> api_;
};

TEST_F(MetadataApiOverStore, LabelsWithoutParametersAreEveryStoredName) {
  EXPECT_EQ(DataOf(api().HandleLabels(Request({}))),
            Json(Strings{"__name__", "device", "job", "phase", "room"}));
}

TEST_F(MetadataApiOverStore, LabelsOfRepeatedMatchersAreTheUnion) {
  EXPECT_EQ(DataOf(api().HandleLabels(
                Request({{"match[]", "voltage_volts"}, {"match[]", "{device=\"heat_pump\"}"}}))),
            Json(Strings{"__name__", "device", "phase"}));
  // A matcher with no series gives an empty list, not null.
  EXPECT_EQ(DataOf(api().HandleLabels(Request({{"match[]", "nothing_here"}}))), Json::array());
}

TEST_F(MetadataApiOverStore, LabelsCountOnlySeriesWithSamplesInTheRange) {
  // kT - 1h .. kT + 1h: panel a, heat pump, energy, room.
  EXPECT_EQ(DataOf(api().HandleLabels(
                Request({{"start", Seconds(kT - kHour)}, {"end", Seconds(kT + kHour)}}))),
            Json(Strings{"__name__", "device", "phase", "room"}));
  // From kT + 1h on (RFC 3339): panel b and the backups.
  EXPECT_EQ(DataOf(api().HandleLabels(Request({{"start", "2023-11-14T23:13:20Z"}}))),
            Json(Strings{"__name__", "device", "job", "phase"}));
  // Up to kT - 1h: the voltage alone.
  EXPECT_EQ(DataOf(api().HandleLabels(Request({{"end", Seconds(kT - kHour)}}))),
            Json(Strings{"__name__", "phase"}));
  // Both ends count: the range [kT + 60 s, kT + 60 s] holds panel a's sample.
  EXPECT_EQ(DataOf(api().HandleLabels(Request({{"start", Seconds(kT + 60'000)},
                                               {"end", Seconds(kT + 60'000)},
                                               {"match[]", "power_watts"}}))),
            Json(Strings{"__name__", "device", "phase"}));
}

TEST_F(MetadataApiOverStore, TimeRangesAlsoFindSamplesCutIntoChunks) {
  ASSERT_TRUE(store_->Flush(Head::Selection::kAll).ok());
  EXPECT_EQ(DataOf(LabelValues("__name__",
                               {{"start", Seconds(kT - kHour)}, {"end", Seconds(kT + kHour)}})),
            Json(Strings{"energy_imported_watt_hours_total", "power_watts", "room_celsius"}));
  EXPECT_EQ(DataOf(LabelValues("__name__", {{"start", Seconds(kT - 48 * kHour)},
                                            {"end", Seconds(kT - 12 * kHour)}})),
            Json(Strings{"voltage_volts"}));
}

TEST_F(MetadataApiOverStore, LabelValuesOfTheMetricNameAndOthers) {
  EXPECT_EQ(DataOf(LabelValues("__name__")),
            Json(Strings{"backup_jobs_total", "energy_imported_watt_hours_total", "power_watts",
                         "room_celsius", "voltage_volts"}));
  EXPECT_EQ(DataOf(LabelValues("device", {{"match[]", "power_watts"}})),
            Json(Strings{"heat_pump", "panel"}));
  EXPECT_EQ(
      DataOf(LabelValues("device", {{"match[]", "power_watts"}, {"start", Seconds(kT + kHour)}})),
      Json(Strings{"panel"}));
  // A name no series has.
  EXPECT_EQ(DataOf(LabelValues("colour")), Json::array());
}

TEST_F(MetadataApiOverStore, LimitCutsSortedResultsWithAWarning) {
  const HttpResponse cut = LabelValues("phase", {{"limit", "2"}});
  ASSERT_EQ(cut.status, 200);
  const Json body = Body(cut);
  EXPECT_EQ(body["data"], Json(Strings{"a", "b"}));  // of a, b, total
  EXPECT_EQ(body["warnings"], Json(Strings{"results truncated due to limit"}));
  // Exactly as many as the limit, or no limit (0): no warning.
  EXPECT_EQ(DataOf(LabelValues("phase", {{"limit", "3"}})), Json(Strings{"a", "b", "total"}));
  EXPECT_EQ(DataOf(LabelValues("phase", {{"limit", "0"}})), Json(Strings{"a", "b", "total"}));

  const Json labels = Body(api().HandleLabels(Request({{"limit", "1"}})));
  EXPECT_EQ(labels["data"], Json(Strings{"__name__"}));
  EXPECT_EQ(labels["warnings"].size(), 1u);
}

TEST_F(MetadataApiOverStore, LabelValuesRefusesAnInvalidName) {
  EXPECT_EQ(ErrorOf(LabelValues("1x")), "invalid label name: \"1x\"");
  EXPECT_EQ(ErrorOf(LabelValues("a-b")), "invalid label name: \"a-b\"");
  // Not the path's shape: an unknown path, as Prometheus's router says.
  for (const char* path :
       {"/api/v1/label/job/value", "/api/v1/label//values", "/api/v1/label/a/b/values"}) {
    const HttpResponse response = api().HandleLabelValues(Request({}, path));
    EXPECT_EQ(response.status, 404) << path;
    EXPECT_EQ(response.body, "404 page not found\n");
  }
}

TEST_F(MetadataApiOverStore, SeriesNeedsMatch) {
  EXPECT_EQ(ErrorOf(api().HandleSeries(Request({{"start", Seconds(kT)}}))),
            "no match[] parameter provided");
}

TEST_F(MetadataApiOverStore, SeriesAreTheUnionOrderedByLabels) {
  // Ordered by label pairs: heat_pump before panel, phase a before b.
  EXPECT_EQ(DataOf(api().HandleSeries(Request({{"match[]", "power_watts"}}))),
            Json::parse(R"([{"__name__":"power_watts","device":"heat_pump"},
                            {"__name__":"power_watts","device":"panel","phase":"a"},
                            {"__name__":"power_watts","device":"panel","phase":"b"}])"));
  // Panel a matches both selectors and is listed once; panel b has no
  // sample in the range, the voltage has.
  EXPECT_EQ(DataOf(api().HandleSeries(Request({{"match[]", "power_watts"},
                                               {"match[]", "{phase=\"a\"}"},
                                               {"start", Seconds(kT - 25 * kHour)},
                                               {"end", Seconds(kT + kHour)}}))),
            Json::parse(R"([{"__name__":"power_watts","device":"heat_pump"},
                            {"__name__":"power_watts","device":"panel","phase":"a"},
                            {"__name__":"voltage_volts","phase":"a"}])"));
}

TEST_F(MetadataApiOverStore, SeriesLimit) {
  const Json body = Body(api().HandleSeries(Request({{"match[]", "power_watts"}, {"limit", "1"}})));
  EXPECT_EQ(body["data"], Json::parse(R"([{"__name__":"power_watts","device":"heat_pump"}])"));
  EXPECT_EQ(body["warnings"], Json(Strings{"results truncated due to limit"}));
}

// The texts are those Prometheus 2.42 answers for the same match[].
TEST_F(MetadataApiOverStore, BadMatchersAreRefusedAsPrometheusRefusesThem) {
  const std::pair<const char*, const char*> cases[] = {
      {"up{", "1:4: parse error: unexpected end of input inside braces"},
      {"sum(up)", "1:4: parse error: unexpected \"(\""},
      {"up[5m]", "1:3: parse error: unexpected \"[\""},
      {"up offset 5m", "1:4: parse error: unexpected <offset>"},
      {"1", "1:1: parse error: unexpected number \"1\""},
      {"up + 1", "1:4: parse error: unexpected <op:+>"},
      {"{a=\"\"}", "match[] must contain at least one non-empty matcher"},
  };
  for (const auto& [text, error] : cases) {
    // /series wraps the error as an invalid match[]; the label endpoints
    // give it bare.
    EXPECT_EQ(ErrorOf(api().HandleSeries(Request({{"match[]", text}}))),
              std::string("invalid parameter \"match[]\": ") + error)
        << text;
    EXPECT_EQ(ErrorOf(api().HandleLabels(Request({{"match[]", "up"}, {"match[]", text}}))), error)
        << text;
    EXPECT_EQ(ErrorOf(LabelValues("job", {{"match[]", text}})), error) << text;
  }
}

TEST_F(MetadataApiOverStore, BadTimesAndLimitsAreInvalidParameters) {
  EXPECT_EQ(ErrorOf(api().HandleLabels(Request({{"start", "x"}}))),
            "invalid parameter \"start\": Invalid time value for 'start': cannot parse \"x\" to "
            "a valid timestamp");
  EXPECT_EQ(ErrorOf(api().HandleSeries(Request({{"match[]", "up"}, {"end", "tomorrow"}}))),
            "invalid parameter \"end\": Invalid time value for 'end': cannot parse \"tomorrow\" "
            "to a valid timestamp");
  EXPECT_EQ(ErrorOf(LabelValues("job", {{"limit", "x"}})),
            "invalid parameter \"limit\": strconv.Atoi: parsing \"x\": invalid syntax");
  EXPECT_EQ(ErrorOf(api().HandleLabels(Request({{"limit", "-1"}}))),
            "invalid parameter \"limit\": limit must be non-negative");
}

TEST_F(MetadataApiOverStore, MetadataDescribesEveryStoredMetric) {
  const Json data = DataOf(api().HandleMetadata(Request({})));
  ASSERT_EQ(data.size(), 5u) << data.dump();
  // Named in docs/sources.md: type, help and unit from the catalog.
  ASSERT_EQ(data["power_watts"].size(), 1u);
  EXPECT_EQ(data["power_watts"][0]["type"], "gauge");
  EXPECT_EQ(data["power_watts"][0]["unit"], "watts");
  EXPECT_FALSE(data["power_watts"][0]["help"].get<std::string>().empty());
  EXPECT_EQ(data["energy_imported_watt_hours_total"][0]["type"], "counter");
  EXPECT_EQ(data["energy_imported_watt_hours_total"][0]["unit"], "watt_hours");
  // Other names: by their suffix, without help.
  EXPECT_EQ(data["backup_jobs_total"], Json::parse(R"([{"type":"counter","help":"","unit":""}])"));
  EXPECT_EQ(data["room_celsius"], Json::parse(R"([{"type":"gauge","help":"","unit":""}])"));
}

TEST_F(MetadataApiOverStore, MetadataOfOneMetricAndLimited) {
  const Json one = DataOf(api().HandleMetadata(Request({{"metric", "voltage_volts"}})));
  ASSERT_EQ(one.size(), 1u) << one.dump();
  EXPECT_EQ(one["voltage_volts"][0]["unit"], "volts");
  EXPECT_EQ(DataOf(api().HandleMetadata(Request({{"metric", "nothing_here"}}))), Json::object());
  EXPECT_EQ(DataOf(api().HandleMetadata(Request({{"limit", "2"}}))).size(), 2u);
  EXPECT_EQ(DataOf(api().HandleMetadata(Request({{"limit", "-1"}}))).size(), 5u);
  EXPECT_EQ(ErrorOf(api().HandleMetadata(Request({{"limit", "two"}}))), "limit must be a number");
}

TEST(MetadataApi, BuildInfoHasPrometheusKeysAndACompatibleVersion) {
  const Json data = DataOf(MetadataApi::HandleBuildInfo(Request({})));
  for (const char* key : {"version", "revision", "branch", "buildUser", "buildDate", "goVersion"}) {
    EXPECT_TRUE(data.contains(key)) << key;
  }
  EXPECT_EQ(data["version"], "2.42.0");
}

TEST(MetadataApi, ExemplarsAreEmpty) {
  EXPECT_EQ(DataOf(MetadataApi::HandleQueryExemplars(Request({{"query", "power_watts"}}))),
            Json::array());
  ErrorOf(MetadataApi::HandleQueryExemplars(Request({{"query", "power_watts{"}})));
  EXPECT_EQ(ErrorOf(MetadataApi::HandleQueryExemplars(
                Request({{"query", "up"}, {"start", "20"}, {"end", "10"}}))),
            "end timestamp must not be before start timestamp");
}

TEST(MetadataApi, UnknownPathsAndMethodsAreRefusedAsByPrometheusRouter) {
  const HttpResponse unknown = MetadataApi::HandleUnknownPath(Request({}, "/api/v1/targets"));
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.body, "404 page not found\n");
  const HttpResponse post =
      MetadataApi::HandleMethodNotAllowed(Request({}, "/api/v1/label/job/values", "POST"));
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(post.body, "Method Not Allowed\n");
}

}  // namespace
}  // namespace wattline::aggregator
