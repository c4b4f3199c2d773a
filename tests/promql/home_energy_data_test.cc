#include "tests/promql/home_energy_data.h"

#include <gtest/gtest.h>

#include <cmath>

namespace wattline::testing {
namespace {

const GeneratedSeries* Find(const std::vector<GeneratedSeries>& data, const std::string& name,
                            const std::string& device, const std::string& phase) {
  for (const GeneratedSeries& series : data) {
    if (series.name != name) continue;
    bool device_matches = false;
    bool phase_matches = phase.empty();
    for (const auto& [label, value] : series.labels) {
      device_matches = device_matches || (label == "device" && value == device);
      phase_matches = phase_matches || (label == "phase" && value == phase);
    }
    if (device_matches && phase_matches) return &series;
  }
  return nullptr;
}

TEST(HomeEnergyData, IsTheSameEveryTime) {
  EXPECT_EQ(ToOpenMetrics(GenerateHomeEnergyData()), ToOpenMetrics(GenerateHomeEnergyData()));
}

TEST(HomeEnergyData, HoldsTheFeaturesTheCorpusAimsAt) {
  const auto data = GenerateHomeEnergyData();
  const GeneratedSeries* heatpump = Find(data, "power_watts", "heatpump", "total");
  ASSERT_NE(heatpump, nullptr);
  // The 20-minute gap: 1h59m50s, then 2h20m.
  bool gap_found = false;
  for (size_t i = 1; i < heatpump->timestamps_ms.size(); ++i) {
    if (heatpump->timestamps_ms[i] - heatpump->timestamps_ms[i - 1] == 20 * 60 * 1000 + 10'000) {
      EXPECT_EQ(heatpump->timestamps_ms[i - 1], kDataStartMs + 7'190'000);
      gap_found = true;
    }
  }
  EXPECT_TRUE(gap_found);

  const GeneratedSeries* phase_a = Find(data, "power_watts", "panel", "a");
  ASSERT_NE(phase_a, nullptr);
  EXPECT_TRUE(std::isnan(phase_a->values[540]));  // 1h30m at 10 s

  const GeneratedSeries* phase_b = Find(data, "energy_imported_watt_hours_total", "panel", "b");
  ASSERT_NE(phase_b, nullptr);
  int resets = 0;
  for (size_t i = 1; i < phase_b->values.size(); ++i)
    resets += phase_b->values[i] < phase_b->values[i - 1];
  EXPECT_EQ(resets, 1);

  const GeneratedSeries* ev = Find(data, "energy_imported_watt_hours_total", "ev_charger", "total");
  ASSERT_NE(ev, nullptr);
  EXPECT_EQ(ev->timestamps_ms.front(), kDataStartMs + 9'000'000);  // 2h30m
  const GeneratedSeries* dishwasher = Find(data, "power_watts", "dishwasher", "total");
  ASSERT_NE(dishwasher, nullptr);
  EXPECT_EQ(dishwasher->timestamps_ms.back(), kDataStartMs + 14'390'000);  // 3h59m50s

  const GeneratedSeries* solar = Find(data, "power_watts", "solar", "total");
  ASSERT_NE(solar, nullptr);
  EXPECT_LT(solar->values[0], 0);
}

TEST(HomeEnergyData, OpenMetricsNamesCounterFamiliesWithoutTotalAndEnds) {
  const std::string text = ToOpenMetrics(GenerateHomeEnergyData());
  EXPECT_NE(text.find("# TYPE energy_imported_watt_hours counter\n"
                      "energy_imported_watt_hours_total{device=\"panel\",phase=\"a\"} 1204331.5 "
                      "1767225600\n"),
            std::string::npos);
  EXPECT_NE(text.find("\npower_watts{device=\"panel\",phase=\"a\"} NaN 1767231000\n"),
            std::string::npos);
  EXPECT_TRUE(text.ends_with("\n# EOF\n"));
}

TEST(HomeEnergyData, PrometheusTextHasMillisecondTimestamps) {
  const std::string text = ToPrometheusText(GenerateHomeEnergyData());
  EXPECT_NE(text.find("\nenergy_imported_watt_hours_total{device=\"panel\",phase=\"a\"} "
                      "1204331.5 1767225600000\n"),
            std::string::npos);
  EXPECT_EQ(text.find("# EOF"), std::string::npos);
}

}  // namespace
}  // namespace wattline::testing
