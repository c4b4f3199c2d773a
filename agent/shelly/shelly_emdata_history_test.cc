#include "agent/shelly/shelly_emdata_history.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>

#include "agent/shelly/shelly_gen2_parser.h"

namespace wattline::agent {
namespace {

// DEVICES.md B.5, verbatim: the values row of a real per-minute EMData
// record, in the documented 51-column order.
constexpr std::string_view kVerbatimRow =
    "[0,0,0.0001,0,0,0.0001,0,0,0,0,0,0,0,0.029,0.027,0.028,0,0,0,0,0,0,0,0,0,0,0,0,0,0.028,0.026,"
    "0.027,0,0,0.3492,0.3444,0,0.9602,-16.3,-26.5,110.5,104.6,229.898,224.681,227.16,0.486,0.458,"
    "0.471,0.028,0.026,0.027]";

constexpr int64_t kT0 = 1'757'059'740;  // a minute boundary

TEST(EmDataHistory, ParsesBothShapesOfGetRecords) {
  auto mirror = ParseEmDataRecords(
      kEmDataComponent,
      R"({"data_blocks":[{"ts":1757059740,"period":60,"records":3},{"ts":1757070000,"period":60,"records":10}]})");
  ASSERT_TRUE(mirror.ok()) << mirror.status().ToString();
  ASSERT_EQ(mirror->size(), 2u);
  EXPECT_EQ((*mirror)[0].ts_s, 1757059740);
  EXPECT_EQ((*mirror)[0].end_s(), 1757059740 + 180);
  EXPECT_EQ((*mirror)[1].records, 10);

  auto go = ParseEmDataRecords(kEmDataComponent,
                               R"({"records":[{"id":0,"ts":1757059740,"period":300,"count":7}]})");
  ASSERT_TRUE(go.ok()) << go.status().ToString();
  ASSERT_EQ(go->size(), 1u);
  EXPECT_EQ((*go)[0].period_s, 300);
  EXPECT_EQ((*go)[0].records, 7);

  auto empty = ParseEmDataRecords(kEmDataComponent, R"({"data_blocks":[]})");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(EmDataHistory, RefusesMalformedGetRecords) {
  for (std::string_view json :
       {"", "[]", "{}", R"({"data_blocks":{}})", R"({"data_blocks":[1]})",
        R"({"data_blocks":[{"ts":1757059740,"period":60}]})",
        R"({"data_blocks":[{"ts":1757059740,"period":0,"records":1}]})",
        R"({"data_blocks":[{"ts":12,"period":60,"records":1}]})",
        R"({"data_blocks":[{"ts":1757059740.5,"period":60,"records":1}]})",
        R"({"data_blocks":[{"ts":"1757059740","period":60,"records":1}]})",
        R"({"records":[{"ts":1757059740,"period":60,"records":1}]})",
        R"({"code":-114,"message":"Method EMData.GetRecords failed"})"}) {
    EXPECT_FALSE(ParseEmDataRecords(kEmDataComponent, json).ok()) << json;
  }
}

TEST(EmDataHistory, ReadsTheDocumentedColumnOrderWithoutKeys) {
  const std::string json = R"({"data":[{"ts":1757059740,"period":60,"values":[)" +
                           std::string(kVerbatimRow) + "," + std::string(kVerbatimRow) + "]}]}";
  auto page = ParseEmDataData(kEmDataComponent, json);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->intervals.size(), 2u);
  EXPECT_FALSE(page->next_record_ts.has_value());
  const EmDataInterval& first = page->intervals[0];
  EXPECT_EQ(first.start_s, 1757059740);
  EXPECT_EQ(first.end_s(), 1757059800);
  EXPECT_EQ(page->intervals[1].start_s, 1757059800);
  EXPECT_EQ(first.imported_wh, (std::array<double, 3>{0, 0, 0}));
  EXPECT_EQ(first.exported_wh, (std::array<double, 3>{0.0001, 0, 0.3492}));
  EXPECT_EQ(first.avg_voltage_v, (std::array<double, 3>{0, 0, 227.16}));
  EXPECT_EQ(first.avg_current_a, (std::array<double, 3>{0.028, 0.027, 0.471}));
}

TEST(EmDataHistory, FindsColumnsByNameWhenKeysAreGiven) {
  auto page = ParseEmDataData(
      kEmDataComponent,
      R"({"keys":["c_avg_current","b_total_act_energy","a_total_act_ret_energy","c_avg_voltage","a_total_act_energy"],
          "data":[{"ts":1757059740,"period":300,"values":[[1.5,2.25,0.5,230.1,7.125],[1.0,null,0,229.0,0]]}],
          "next_record_ts":1757060340})");
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->intervals.size(), 2u);
  EXPECT_EQ(page->next_record_ts, 1757060340);
  const EmDataInterval& first = page->intervals[0];
  EXPECT_EQ(first.period_s, 300);
  EXPECT_EQ(first.imported_wh[0], 7.125);
  EXPECT_EQ(first.imported_wh[1], 2.25);
  EXPECT_TRUE(std::isnan(first.imported_wh[2]));  // no such column
  EXPECT_EQ(first.exported_wh[0], 0.5);
  EXPECT_EQ(first.avg_voltage_v[2], 230.1);
  EXPECT_EQ(first.avg_current_a[2], 1.5);
  EXPECT_TRUE(std::isnan(first.avg_voltage_v[0]));
  // null is "not known", never zero.
  EXPECT_TRUE(std::isnan(page->intervals[1].imported_wh[1]));
  EXPECT_EQ(page->intervals[1].start_s, 1757059740 + 300);
}

TEST(EmDataHistory, RefusesMalformedGetData) {
  for (std::string_view json :
       {"", "nope", "{}", R"({"data":{}})", R"({"data":[{"ts":1757059740,"period":60}]})",
        R"({"data":[{"ts":1757059740,"period":60,"values":[[1,2,3]]}]})",  // not 51 wide
        R"({"keys":["a_total_act_energy"],"data":[{"ts":1757059740,"period":60,"values":[[1,2]]}]})",
        R"({"keys":["a_total_act_energy"],"data":[{"ts":1757059740,"period":60,"values":[["1"]]}]})",
        R"({"keys":[1],"data":[]})",
        R"({"keys":["a_total_act_energy"],"data":[{"ts":1757059740,"period":60,"values":[[1]]}],"next_record_ts":"x"})",
        R"({"keys":["a_total_act_energy"],"data":[{"ts":-5,"period":60,"values":[[1]]}]})"}) {
    EXPECT_FALSE(ParseEmDataData(kEmDataComponent, json).ok()) << json;
  }
  EXPECT_FALSE(ParseEmDataData(kEmDataComponent, std::string(kMaxEmDataPageBytes + 1, ' ')).ok());
}

TEST(EmDataHistory, AnchorRoundTripsBitForBit) {
  EmDataAnchor anchor;
  anchor.timestamp_ms = 1'757'059'740'123;
  anchor.wh = {64735.49, 78798.66, 104999.43, 248533.57, 0.1 + 0.2, 0, 1e-300, 123456789.123456789};
  auto decoded = DecodeEmDataAnchor(kEmDataComponent, EncodeEmDataAnchor(kEmDataComponent, anchor));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->timestamp_ms, anchor.timestamp_ms);
  EXPECT_EQ(decoded->wh, anchor.wh);
  for (std::string_view bad : {"", "{}", R"({"v":2,"ts_ms":1,"wh":[0,0,0,0,0,0,0,0]})",
                               R"({"v":1,"ts_ms":1,"wh":[0,0,0,0,0,0,0]})",
                               R"({"v":1,"ts_ms":1.5,"wh":[0,0,0,0,0,0,0,0]})",
                               R"({"v":1,"ts_ms":1,"wh":[0,0,0,0,0,0,0,"x"]})"}) {
    EXPECT_FALSE(DecodeEmDataAnchor(kEmDataComponent, bad).ok()) << bad;
  }
}

TEST(EmDataHistory, AnchorComesFromTheParsedEmDataStatus) {
  Samples samples;
  ASSERT_TRUE(ParseEmDataStatus(
                  R"({ "id": 0, "a_total_act_energy": 64735.49, "a_total_act_ret_energy": 0, "b_total_act_energy": 78798.66, "b_total_act_ret_energy": 1.5, "c_total_act_energy": 104999.43, "c_total_act_ret_energy": 0, "total_act": 248533.57, "total_act_ret": 1.5 })",
                  "panel", 1'000'000, &samples)
                  .ok());
  // Other devices' and channel-labelled series are not this meter's.
  Sample other = samples[0];
  other.labels[1].value = "other";
  other.value = -1;
  samples.insert(samples.begin(), other);
  auto anchor = EmDataAnchorFromSamples(kEmDataComponent, samples, "panel");
  ASSERT_TRUE(anchor.has_value());
  EXPECT_EQ(anchor->timestamp_ms, 1'000'000);
  EXPECT_EQ(anchor->wh,
            (EmDataCounters{64735.49, 78798.66, 104999.43, 248533.57, 0, 1.5, 0, 1.5}));
  samples.pop_back();  // one counter missing: no anchor
  EXPECT_FALSE(EmDataAnchorFromSamples(kEmDataComponent, samples, "panel").has_value());
  EXPECT_FALSE(EmDataAnchorFromSamples(kEmDataComponent, samples, "nobody").has_value());
}

EmDataInterval Interval(int64_t start_s, std::array<double, 3> imported,
                        std::array<double, 3> exported = {0, 0, 0}) {
  EmDataInterval interval;
  interval.start_s = start_s;
  interval.period_s = 60;
  interval.imported_wh = imported;
  interval.exported_wh = exported;
  interval.avg_voltage_v = {230, 231, 232};
  interval.avg_current_a = {1, 2, std::nan("")};
  return interval;
}

EmDataAnchor Anchor(int64_t timestamp_ms, std::array<double, 3> imported,
                    std::array<double, 3> exported = {0, 0, 0}) {
  EmDataAnchor anchor;
  anchor.timestamp_ms = timestamp_ms;
  for (size_t p = 0; p < 3; ++p) {
    anchor.wh[p] = imported[p];
    anchor.wh[4 + p] = exported[p];
  }
  anchor.wh[3] = imported[0] + imported[1] + imported[2];
  anchor.wh[7] = exported[0] + exported[1] + exported[2];
  return anchor;
}

Samples SamplesOf(const EmDataReconstruction& result) {
  Samples samples;
  AppendEmDataSamples(kEmDataComponent, result.rows, "panel", &samples);
  return samples;
}

// series text -> (timestamp -> value)
std::map<std::string, std::map<int64_t, double>> BySeries(const Samples& samples) {
  std::map<std::string, std::map<int64_t, double>> out;
  for (const Sample& sample : samples) {
    EXPECT_TRUE(ValidateCanonical(sample.labels).ok());
    EXPECT_TRUE(out[LabelsToString(sample.labels)].emplace(sample.timestamp_ms, sample.value).second)
        << "duplicate " << LabelsToString(sample.labels) << " at " << sample.timestamp_ms;
  }
  return out;
}

constexpr const char* kImportedA = R"(energy_imported_watt_hours_total{device="panel",phase="a"})";
constexpr const char* kImportedTotal =
    R"(energy_imported_watt_hours_total{device="panel",phase="total"})";
constexpr const char* kExportedC = R"(energy_exported_watt_hours_total{device="panel",phase="c"})";

TEST(EmDataReconstruction, RebuildsCountersFromTheAnchorPlusTheRunningSum) {
  const EmDataAnchor shipped = Anchor(kT0 * 1000, {100, 200, 300}, {0, 0, 50});
  const EmDataAnchor now = Anchor((kT0 + 200) * 1000, {103.5, 201, 300}, {0, 0, 51});
  std::vector<EmDataInterval> intervals = {
      Interval(kT0 - 60, {9, 9, 9}),  // ends at T0: shipped already
      Interval(kT0 + 60, {2, 0.5, 0}, {0, 0, 0.25}),
      Interval(kT0, {1, 0.5, 0}, {0, 0, 0.5}),  // out of order on purpose
      Interval(kT0, {1, 0.5, 0}, {0, 0, 0.5}),  // duplicate
      Interval(kT0 + 120, {0.5, 0, 0}, {0, 0, 0.25}),
      Interval(kT0 + 180, {7, 7, 7}),  // ends after now: not complete yet
  };
  EmDataReconstruction result = ReconstructEmData(kEmDataComponent, shipped, now, intervals);
  EXPECT_EQ(result.rows.size(), 3u);
  EXPECT_TRUE(result.notes.empty()) << result.notes[0];
  const auto series = BySeries(SamplesOf(result));
  const int64_t t1 = (kT0 + 60) * 1000, t2 = (kT0 + 120) * 1000, t3 = (kT0 + 180) * 1000;
  EXPECT_EQ(series.at(kImportedA), (std::map<int64_t, double>{{t1, 101}, {t2, 103}, {t3, 103.5}}));
  EXPECT_EQ(series.at(kImportedTotal),
            (std::map<int64_t, double>{{t1, 601.5}, {t2, 604}, {t3, 604.5}}));
  EXPECT_EQ(series.at(kExportedC), (std::map<int64_t, double>{{t1, 50.5}, {t2, 50.75}, {t3, 51}}));
  EXPECT_EQ(series.at(R"(voltage_volts{device="panel",phase="b"})").at(t2), 231);
  EXPECT_EQ(series.at(R"(current_amperes{device="panel",phase="a"})").at(t3), 1);
  // A NaN average is no sample.
  EXPECT_EQ(series.count(R"(current_amperes{device="panel",phase="c"})"), 0u);
  EXPECT_EQ(series.size(), 8u + 3u + 2u);
  ASSERT_TRUE(result.anchor.has_value());
  EXPECT_EQ(result.anchor->timestamp_ms, t3);
  EXPECT_EQ(result.anchor->wh[0], 103.5);
  EXPECT_EQ(result.anchor->wh[7], 51);
}

TEST(EmDataReconstruction, SamplesComeInTimeOrder) {
  const EmDataAnchor shipped = Anchor(kT0 * 1000, {0, 0, 0});
  const EmDataAnchor now = Anchor((kT0 + 600) * 1000, {10, 10, 10});
  std::vector<EmDataInterval> intervals;
  for (int i = 9; i >= 0; --i) intervals.push_back(Interval(kT0 + 60 * i, {1, 1, 1}));
  EmDataReconstruction result = ReconstructEmData(kEmDataComponent, shipped, now, intervals);
  ASSERT_EQ(result.rows.size(), 10u);
  const Samples samples = SamplesOf(result);
  for (size_t i = 1; i < samples.size(); ++i) {
    EXPECT_LE(samples[i - 1].timestamp_ms, samples[i].timestamp_ms);
  }
}

TEST(EmDataReconstruction, NeverPassesTheCurrentCounterNorFalls) {
  const EmDataAnchor shipped = Anchor(kT0 * 1000, {100, 0, 0});
  const EmDataAnchor now = Anchor((kT0 + 300) * 1000, {102, 0, 0});
  // The history claims 4 Wh where the counter rose by 2, and one record is
  // negative.
  std::vector<EmDataInterval> intervals = {Interval(kT0, {1.5, 0, 0}), Interval(kT0 + 60, {-1, 0, 0}),
                                           Interval(kT0 + 120, {3.5, 0, 0})};
  EmDataReconstruction result = ReconstructEmData(kEmDataComponent, shipped, now, intervals);
  const auto series = BySeries(SamplesOf(result));
  EXPECT_EQ(series.at(kImportedA),
            (std::map<int64_t, double>{{(kT0 + 60) * 1000, 101.5},
                                       {(kT0 + 120) * 1000, 101.5},
                                       {(kT0 + 180) * 1000, 102}}));
  ASSERT_EQ(result.notes.size(), 2u);  // phase a and the total
  EXPECT_NE(result.notes[0].find("clamped"), std::string::npos) << result.notes[0];
}

TEST(EmDataReconstruction, AnAnchorInsideAnIntervalCountsTheWholeInterval) {
  // Shipped 20 s into the minute that starts at T0.
  const EmDataAnchor shipped = Anchor(kT0 * 1000 + 20'000, {100, 0, 0});
  const EmDataAnchor now = Anchor((kT0 + 300) * 1000, {110, 0, 0});
  std::vector<EmDataInterval> intervals = {Interval(kT0, {3, 0, 0}), Interval(kT0 + 60, {1, 0, 0})};
  EmDataReconstruction result = ReconstructEmData(kEmDataComponent, shipped, now, intervals);
  EXPECT_TRUE(result.notes.empty());
  const auto series = BySeries(SamplesOf(result));
  EXPECT_EQ(series.at(kImportedA),
            (std::map<int64_t, double>{{(kT0 + 60) * 1000, 103}, {(kT0 + 120) * 1000, 104}}));
}

TEST(EmDataReconstruction, HistoryStartingLateIsRebuiltBackwardsFromTheCurrentCounter) {
  // The agent was down longer than the history reaches back (or than
  // backfill_max): 50 Wh went by before the first record.
  const EmDataAnchor shipped = Anchor(kT0 * 1000, {100, 0, 0});
  const EmDataAnchor now = Anchor((kT0 + 3600) * 1000, {153, 0, 0});
  std::vector<EmDataInterval> intervals = {Interval(kT0 + 3000, {1, 0, 0}),
                                           Interval(kT0 + 3060, {2, 0, 0})};
  EmDataReconstruction result = ReconstructEmData(kEmDataComponent, shipped, now, intervals);
  const auto series = BySeries(SamplesOf(result));
  EXPECT_EQ(series.at(kImportedA),
            (std::map<int64_t, double>{{(kT0 + 3060) * 1000, 151}, {(kT0 + 3120) * 1000, 153}}));
  ASSERT_FALSE(result.notes.empty());
  EXPECT_NE(result.notes[0].find("3000 s after"), std::string::npos) << result.notes[0];
}

TEST(EmDataReconstruction, ACounterThatFellIsNotRebuilt) {
  const EmDataAnchor shipped = Anchor(kT0 * 1000, {100, 200, 300});
  const EmDataAnchor now = Anchor((kT0 + 300) * 1000, {5, 201, 300});  // phase a was reset
  std::vector<EmDataInterval> intervals = {Interval(kT0, {1, 1, 0})};
  EmDataReconstruction result = ReconstructEmData(kEmDataComponent, shipped, now, intervals);
  const auto series = BySeries(SamplesOf(result));
  EXPECT_EQ(series.count(kImportedA), 0u);
  EXPECT_EQ(series.count(kImportedTotal), 0u);
  EXPECT_EQ(series.at(R"(energy_imported_watt_hours_total{device="panel",phase="b"})")
                .at((kT0 + 60) * 1000),
            201);
  ASSERT_TRUE(result.anchor.has_value());
  EXPECT_EQ(result.anchor->timestamp_ms, now.timestamp_ms);  // start over from now
  EXPECT_EQ(result.anchor->wh, now.wh);
  EXPECT_FALSE(result.notes.empty());
}

TEST(EmDataReconstruction, AMissingEnergyColumnLeavesItsCountersOut) {
  const EmDataAnchor shipped = Anchor(kT0 * 1000, {100, 200, 300});
  const EmDataAnchor now = Anchor((kT0 + 300) * 1000, {101, 201, 301});
  EmDataInterval interval = Interval(kT0, {1, 1, 1});
  interval.imported_wh[2] = std::nan("");
  EmDataReconstruction result = ReconstructEmData(kEmDataComponent, shipped, now, {interval});
  const auto series = BySeries(SamplesOf(result));
  EXPECT_EQ(series.count(R"(energy_imported_watt_hours_total{device="panel",phase="c"})"), 0u);
  EXPECT_EQ(series.count(kImportedTotal), 0u);
  EXPECT_EQ(series.count(kImportedA), 1u);
  EXPECT_EQ(series.count(kExportedC), 1u);
}

TEST(EmDataReconstruction, NothingNewShipsNothing) {
  const EmDataAnchor shipped = Anchor((kT0 + 120) * 1000, {100, 0, 0});
  const EmDataAnchor now = Anchor((kT0 + 150) * 1000, {101, 0, 0});
  EmDataReconstruction result = ReconstructEmData(
      kEmDataComponent, shipped, now, {Interval(kT0, {1, 0, 0}), Interval(kT0 + 60, {1, 0, 0})});
  EXPECT_EQ(result.rows.size(), 0u);
  EXPECT_TRUE(result.rows.empty());
  EXPECT_FALSE(result.anchor.has_value());
}

// em1data:N, one channel of a single-phase meter (Pro 3EM monophase, Pro EM,
// EM Gen3): the same record shape with unprefixed keys.

// The row of an em1data CSV download as a published reader quotes it (the
// header of shelly_emdata_history.h, 14 columns without "timestamp").
constexpr std::string_view kEm1Row =
    "[22.7645,0.0000,0.0000,0.0000,1880.7,939.6,1899.1,979.7,212.820,209.130,210.800,8.980,4.601,"
    "6.730]";

TEST(Em1DataHistory, ComponentsNameTheirMethodsAndKeys) {
  EXPECT_EQ(kEmDataComponent.rpc_namespace(), "EMData");
  EXPECT_EQ(kEmDataComponent.key(), "emdata:0");
  EXPECT_EQ(kEmDataComponent.counters(), 8u);
  EXPECT_EQ(Em1DataComponent(2).rpc_namespace(), "EM1Data");
  EXPECT_EQ(Em1DataComponent(2).key(), "em1data:2");
  EXPECT_EQ(Em1DataComponent(2).counters(), 2u);
  EXPECT_EQ(Em1DataComponent(2).lanes(), 1u);
}

TEST(Em1DataHistory, ReadsTheDocumentedColumnOrderWithoutKeys) {
  const std::string json = R"({"data":[{"ts":1757059740,"period":60,"values":[)" +
                           std::string(kEm1Row) + "," + std::string(kEm1Row) + "]}]}";
  auto page = ParseEmDataData(Em1DataComponent(1), json);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->intervals.size(), 2u);
  const EmDataInterval& first = page->intervals[0];
  EXPECT_EQ(first.start_s, 1757059740);
  EXPECT_EQ(page->intervals[1].start_s, 1757059800);
  EXPECT_EQ(first.imported_wh[0], 22.7645);
  EXPECT_EQ(first.exported_wh[0], 0);
  EXPECT_EQ(first.avg_voltage_v[0], 210.8);
  EXPECT_EQ(first.avg_current_a[0], 6.73);
  // One channel: the other lanes are not known.
  for (size_t p = 1; p < kMaxEmDataLanes; ++p) {
    EXPECT_TRUE(std::isnan(first.imported_wh[p]));
    EXPECT_TRUE(std::isnan(first.avg_voltage_v[p]));
  }
  // The widths do not mix: an emdata row is not an em1data one, nor back.
  const std::string emdata_row =
      R"({"data":[{"ts":1757059740,"period":60,"values":[)" + std::string(kVerbatimRow) + "]}]}";
  auto wide = ParseEmDataData(Em1DataComponent(1), emdata_row);
  ASSERT_FALSE(wide.ok());
  EXPECT_EQ(wide.status().message().rfind("EM1Data.GetData: ", 0), 0u) << wide.status().message();
  EXPECT_FALSE(ParseEmDataData(kEmDataComponent, json).ok());
}

TEST(Em1DataHistory, FindsUnprefixedColumnsByName) {
  auto page = ParseEmDataData(
      Em1DataComponent(0),
      R"({"keys":["avg_current","a_total_act_energy","total_act_ret_energy","avg_voltage","total_act_energy"],
          "data":[{"ts":1757059740,"period":60,"values":[[1.5,99,0.5,230.1,7.125],[1.0,99,null,229.0,0]]}]})");
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->intervals.size(), 2u);
  EXPECT_EQ(page->intervals[0].imported_wh[0], 7.125);  // not a_total_act_energy
  EXPECT_EQ(page->intervals[0].exported_wh[0], 0.5);
  EXPECT_EQ(page->intervals[0].avg_voltage_v[0], 230.1);
  EXPECT_EQ(page->intervals[0].avg_current_a[0], 1.5);
  EXPECT_TRUE(std::isnan(page->intervals[1].exported_wh[0]));
  // Both GetRecords shapes, with the method named in errors.
  auto records = ParseEmDataRecords(
      Em1DataComponent(0), R"({"data_blocks":[{"ts":1757059740,"period":60,"records":3}]})");
  ASSERT_TRUE(records.ok());
  EXPECT_EQ((*records)[0].records, 3);
  auto bad = ParseEmDataRecords(Em1DataComponent(0), "{}");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().rfind("EM1Data.GetRecords: ", 0), 0u) << bad.status().message();
}

// A monophase Pro 3EM's Shelly.GetStatus, its metering components only.
constexpr std::string_view kMonophaseStatus =
    R"({"em1:0":{"id":0,"current":1.2,"voltage":230.1,"act_power":250.5,"aprt_power":276,"pf":0.9,"freq":50},)"
    R"("em1data:0":{"id":0,"total_act_energy":1234.56,"total_act_ret_energy":0},)"
    R"("em1data:1":{"id":1,"total_act_energy":78798.66,"total_act_ret_energy":12.5},)"
    R"("em1data:2":{"id":2,"total_act_energy":3.25,"total_act_ret_energy":104999.43}})";

TEST(Em1DataHistory, AnchorComesFromTheChannelsOwnCounters) {
  Samples samples;
  std::vector<std::string> faulty;
  ASSERT_TRUE(ParseShellyStatus(kMonophaseStatus, "panel", 1'000'000, &samples, &faulty).ok());
  auto one = EmDataAnchorFromSamples(Em1DataComponent(1), samples, "panel");
  ASSERT_TRUE(one.has_value());
  EXPECT_EQ(one->timestamp_ms, 1'000'000);
  EXPECT_EQ(one->wh[0], 78798.66);
  EXPECT_EQ(one->wh[1], 12.5);
  EXPECT_EQ(EmDataAnchorFromSamples(Em1DataComponent(2), samples, "panel")->wh[1], 104999.43);
  // Not a triphase meter, and no fourth channel.
  EXPECT_FALSE(EmDataAnchorFromSamples(kEmDataComponent, samples, "panel").has_value());
  EXPECT_FALSE(EmDataAnchorFromSamples(Em1DataComponent(3), samples, "panel").has_value());
  // A triphase meter has no em1data anchor.
  Samples triphase;
  ASSERT_TRUE(
      ParseEmDataStatus(
          R"({"id":0,"a_total_act_energy":1,"a_total_act_ret_energy":0,"b_total_act_energy":2,"b_total_act_ret_energy":0,"c_total_act_energy":3,"c_total_act_ret_energy":0,"total_act":6,"total_act_ret":0})",
          "panel", 1'000'000, &triphase)
          .ok());
  EXPECT_FALSE(EmDataAnchorFromSamples(Em1DataComponent(0), triphase, "panel").has_value());
}

TEST(Em1DataHistory, AnchorRoundTripsAndIsNotTakenForAnotherKind) {
  EmDataAnchor anchor;
  anchor.timestamp_ms = 1'757'059'740'123;
  anchor.wh[0] = 0.1 + 0.2;
  anchor.wh[1] = 123456789.123456789;
  const std::string text = EncodeEmDataAnchor(Em1DataComponent(2), anchor);
  auto decoded = DecodeEmDataAnchor(Em1DataComponent(2), text);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->timestamp_ms, anchor.timestamp_ms);
  EXPECT_EQ(decoded->wh, anchor.wh);
  EXPECT_FALSE(DecodeEmDataAnchor(kEmDataComponent, text).ok());
  EmDataAnchor eight;
  eight.wh = {1, 2, 3, 6, 0, 0, 0, 0};
  EXPECT_FALSE(
      DecodeEmDataAnchor(Em1DataComponent(0), EncodeEmDataAnchor(kEmDataComponent, eight)).ok());
}

EmDataInterval ChannelInterval(int64_t start_s, double imported, double exported) {
  EmDataInterval interval;
  const double nan = std::nan("");
  interval.start_s = start_s;
  interval.period_s = 60;
  interval.imported_wh = {imported, nan, nan};
  interval.exported_wh = {exported, nan, nan};
  interval.avg_voltage_v = {230.5, nan, nan};
  interval.avg_current_a = {1.25, nan, nan};
  return interval;
}

TEST(Em1DataReconstruction, RebuildsTheChannelsCountersWithTheLiveLabels) {
  const EmDataComponent channel = Em1DataComponent(1);
  EmDataAnchor shipped{kT0 * 1000, {}};
  shipped.wh[0] = 100;
  shipped.wh[1] = 50;
  EmDataAnchor now{(kT0 + 200) * 1000, {}};
  now.wh[0] = 103;
  now.wh[1] = 50.5;
  EmDataReconstruction result =
      ReconstructEmData(channel, shipped, now,
                        {ChannelInterval(kT0 + 60, 2, 0.25), ChannelInterval(kT0, 1, 0.25),
                         ChannelInterval(kT0 + 120, 2.5, 0.5)});  // the last one passes the counter
  ASSERT_EQ(result.rows.size(), 3u);
  Samples samples;
  AppendEmDataSamples(channel, result.rows, "panel", &samples);
  const auto series = BySeries(samples);
  const int64_t t1 = (kT0 + 60) * 1000, t2 = (kT0 + 120) * 1000, t3 = (kT0 + 180) * 1000;
  EXPECT_EQ(series.at(R"(energy_imported_watt_hours_total{channel="1",device="panel"})"),
            (std::map<int64_t, double>{{t1, 101}, {t2, 103}, {t3, 103}}));
  EXPECT_EQ(series.at(R"(energy_exported_watt_hours_total{channel="1",device="panel"})"),
            (std::map<int64_t, double>{{t1, 50.25}, {t2, 50.5}, {t3, 50.5}}));
  EXPECT_EQ(series.at(R"(voltage_volts{channel="1",device="panel"})").at(t2), 230.5);
  EXPECT_EQ(series.at(R"(current_amperes{channel="1",device="panel"})").at(t3), 1.25);
  EXPECT_EQ(series.size(), 4u);  // nothing per phase, no total
  ASSERT_TRUE(result.anchor.has_value());
  EXPECT_EQ(result.anchor->timestamp_ms, t3);
  EXPECT_EQ(result.anchor->wh[0], 103);
  EXPECT_EQ(result.anchor->wh[1], 50.5);
  ASSERT_EQ(result.notes.size(), 1u);  // imported: clamped
  EXPECT_NE(result.notes[0].find(R"(energy_imported_watt_hours_total{channel="1"})"),
            std::string::npos)
      << result.notes[0];
  // The series are the ones the live poll ships for that channel.
  Samples live;
  std::vector<std::string> faulty;
  ASSERT_TRUE(ParseShellyStatus(kMonophaseStatus, "panel", 1, &live, &faulty).ok());
  const auto live_series = BySeries(live);
  for (const auto& [name, points] : series) {
    if (name.rfind("energy_", 0) == 0) {
      EXPECT_EQ(live_series.count(name), 1u) << name;
    }
  }
}

}  // namespace
}  // namespace wattline::agent
