#include "tests/sim/shelly_emdata_history.h"

#include <gtest/gtest.h>

#include "tests/sim/shelly_pro3em_model.h"

namespace wattline::sim {
namespace {

using Json = nlohmann::ordered_json;

constexpr uint64_t kSeed = 4;
constexpr int64_t kStartS = 1'757'000'040;  // a minute boundary

TEST(ShellyEmDataHistory, RecordsAddUpToTheCountersALivePollReads) {
  ShellyEmDataHistory history(kSeed, kStartS * 1000, 1000);
  ShellyPro3emModel live(kSeed, kStartS * 1000);
  const int64_t now_ms = (kStartS + 90 * 60 + 17) * 1000;
  auto answer = history.Call("EMData.GetData", Json{{"id", 0}, {"ts", kStartS}}, now_ms);
  ASSERT_EQ(answer.error_code, 0) << answer.error_message;
  const Json result = Json::parse(answer.result_text);
  ASSERT_EQ(result["keys"].size(), ShellyEmDataHistory::kColumns);
  EXPECT_EQ(result["keys"][0], "a_total_act_energy");
  EXPECT_FALSE(result.contains("next_record_ts"));
  const Json& block = result["data"][0];
  EXPECT_EQ(block["ts"], kStartS);
  EXPECT_EQ(block["period"], 60);
  ASSERT_EQ(block["values"].size(), 90u);  // complete minutes only

  EmDataReading counters = live.EmData(kStartS * 1000);
  std::array<double, 3> imported = counters.imported_wh;
  std::array<double, 3> exported = counters.exported_wh;
  for (size_t k = 0; k < 90; ++k) {
    const Json& row = block["values"][k];
    ASSERT_EQ(row.size(), ShellyEmDataHistory::kColumns);
    const EmDataReading at = live.EmData((kStartS + 60 * static_cast<int64_t>(k + 1)) * 1000);
    for (size_t p = 0; p < 3; ++p) {
      imported[p] += row[16 * p].get<double>();
      exported[p] += row[16 * p + 2].get<double>();
      EXPECT_NEAR(imported[p], at.imported_wh[p], 1e-6) << "minute " << k << " phase " << p;
      EXPECT_NEAR(exported[p], at.exported_wh[p], 1e-6) << "minute " << k << " phase " << p;
      // min <= avg <= max for voltage and current
      EXPECT_LE(row[16 * p + 11].get<double>(), row[16 * p + 12].get<double>());
      EXPECT_LE(row[16 * p + 12].get<double>(), row[16 * p + 10].get<double>());
      EXPECT_LE(row[16 * p + 14].get<double>(), row[16 * p + 15].get<double>());
      EXPECT_LE(row[16 * p + 15].get<double>(), row[16 * p + 13].get<double>());
    }
  }
}

TEST(ShellyEmDataHistory, PagesWithNextRecordTsAndListsOneBlock) {
  ShellyEmDataHistory history(kSeed, kStartS * 1000, 7);
  const int64_t now_ms = (kStartS + 30 * 60) * 1000;
  auto records = history.Call("EMData.GetRecords", Json{{"id", 0}, {"ts", kStartS + 600}}, now_ms);
  ASSERT_EQ(records.error_code, 0);
  EXPECT_EQ(Json::parse(records.result_text),
            Json::parse(R"({"data_blocks":[{"ts":1757000640,"period":60,"records":20}]})"));

  int64_t ts = kStartS + 600;
  const int64_t end_ts = kStartS + 1199;
  size_t rows = 0, pages = 0;
  while (true) {
    auto answer = history.Call(
        "EMData.GetData", Json{{"id", 0}, {"ts", ts}, {"end_ts", end_ts}, {"add_keys", false}},
        now_ms);
    ASSERT_EQ(answer.error_code, 0);
    const Json page = Json::parse(answer.result_text);
    EXPECT_FALSE(page.contains("keys"));
    EXPECT_EQ(page["data"][0]["ts"], ts);
    rows += page["data"][0]["values"].size();
    ++pages;
    if (!page.contains("next_record_ts")) break;
    ts = page["next_record_ts"].get<int64_t>();
  }
  EXPECT_EQ(rows, 10u);
  EXPECT_EQ(pages, 2u);
}

TEST(ShellyEmDataHistory, RefusesMissingArguments) {
  ShellyEmDataHistory history(kSeed, kStartS * 1000, 7);
  EXPECT_EQ(history.Call("EMData.GetData", Json{{"id", 0}}, kStartS * 1000).error_code, -103);
  EXPECT_EQ(history.Call("EMData.GetData", Json::object(), kStartS * 1000).error_code, -103);
  EXPECT_EQ(history.Call("EMData.GetRecords", Json{{"id", 1}}, kStartS * 1000).error_code, -105);
  EXPECT_TRUE(ShellyEmDataHistory::Handles("EMData.GetRecords"));
  EXPECT_FALSE(ShellyEmDataHistory::Handles("EMData.GetStatus"));
}

}  // namespace
}  // namespace wattline::sim
