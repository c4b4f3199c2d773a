#include "aggregator/energy/energy_config.h"

#include <gtest/gtest.h>

#include <string>

namespace wattline::aggregator {
namespace {

Result<EnergyConfig> Read(const std::string& yaml) {
  Result<ConfigNode> root = ParseYamlConfig(yaml, "a.yaml");
  if (!root.ok()) return root.status();
  return ReadEnergyConfig(root->Find("energy"));
}

std::string NameOf(const ScheduledSeries& series) {
  std::string out;
  for (const Label& label : series.labels) out += label.name + "=" + label.value + " ";
  return out;
}

TEST(EnergyConfig, AbsentSectionGivesNoSeries) {
  Result<EnergyConfig> config = Read("data_dir: /x\n");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_TRUE(config->series.empty());
}

TEST(EnergyConfig, ATariffGivesASeriesPerQuantityItSets) {
  Result<EnergyConfig> config = Read(R"(energy:
  timezone: Europe/Paris
  tariffs:
    home:
      - import_per_kwh: 0.2
      - from: 2026-06-01
        import_per_kwh: 0.25
        windows: [{hours: "22:00-06:00", import_per_kwh: 0.15, export_per_kwh: 0.05}]
    flat: {import_per_kwh: 0.3}
  carbon:
    fr: {grams_per_kwh: 50}
)");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->timezone, "Europe/Paris");
  std::vector<std::string> names;
  for (const ScheduledSeries& series : config->series) names.push_back(NameOf(series));
  EXPECT_EQ(names, (std::vector<std::string>{
                       "__name__=carbon_intensity_grams_per_kwh zone=fr ",
                       "__name__=tariff_export_price_per_kwh tariff=home ",
                       "__name__=tariff_import_price_per_kwh tariff=flat ",
                       "__name__=tariff_import_price_per_kwh tariff=home ",
                   }));
  Result<TimeZone> paris = TimeZone::Load("Europe/Paris");
  ASSERT_TRUE(paris.ok());
  const Schedule& home_import = config->series[3].schedule;
  EXPECT_EQ(*home_import.ValueAt(*paris, paris->ToUnixMs(2026, 5, 31, 23 * 60)), 0.2);
  EXPECT_EQ(*home_import.ValueAt(*paris, paris->ToUnixMs(2026, 6, 1, 23 * 60)), 0.15);
  EXPECT_EQ(*home_import.ValueAt(*paris, paris->ToUnixMs(2026, 6, 2, 12 * 60)), 0.25);
  // Export: 0 where the period sets none, the window's value in it.
  const Schedule& home_export = config->series[1].schedule;
  EXPECT_EQ(*home_export.ValueAt(*paris, paris->ToUnixMs(2026, 6, 2, 12 * 60)), 0.0);
  EXPECT_EQ(*home_export.ValueAt(*paris, paris->ToUnixMs(2026, 6, 2, 23 * 60)), 0.05);
}

TEST(EnergyConfig, ErrorsSayWhereAndWhat) {
  struct Case {
    const char* yaml;
    const char* expected;
  };
  const Case cases[] = {
      {"energy:\n  timezone: Nowhere/Land\n", "Nowhere/Land"},
      {"energy:\n  tariffs:\n    home: {export_per_kwh: 0.1}\n",
       "a.yaml:3:11: energy: a period needs import_per_kwh"},
      {"energy:\n  tariffs:\n    home: {import_per_kwh: cheap}\n",
       "import_per_kwh must be a number"},
      {"energy:\n  tariffs:\n    home: {import_per_kwh: 0.1, price: 2}\n", "unknown key price"},
      {"energy:\n  tariffs:\n    home:\n      - {import_per_kwh: 0.1}\n      - {import_per_kwh: "
       "0.2}\n",
       "a.yaml:5:9: energy: every period but the first needs a from date"},
      {"energy:\n  tariffs:\n    home:\n      - {from: 2026-02-01, import_per_kwh: 0.1}\n"
       "      - {from: 2026-01-01, import_per_kwh: 0.2}\n",
       "periods must be in order"},
      {"energy:\n  tariffs:\n    home: {from: 2026-02-30, import_per_kwh: 0.1}\n", "YYYY-MM-DD"},
      {"energy:\n  tariffs:\n    home:\n      import_per_kwh: 0.1\n      windows: [{hours: "
       "\"9-5\", "
       "import_per_kwh: 0.2}]\n",
       "a.yaml:5:25: energy: cannot read hours"},
      {"energy:\n  tariffs:\n    home:\n      import_per_kwh: 0.1\n      windows: [{days: "
       "weekdays, "
       "import_per_kwh: 0.2}]\n",
       "cannot read days"},
      {"energy:\n  tariffs:\n    home:\n      import_per_kwh: 0.1\n      windows: [{hours: "
       "\"01:00-02:00\"}]\n",
       "a window must give a value"},
      {"energy:\n  carbon:\n    grid: {grams_per_kwh: -5}\n", "grams_per_kwh must not be negative"},
      {"energy:\n  prices: {}\n", "unknown key prices"},
  };
  for (const Case& c : cases) {
    Result<EnergyConfig> config = Read(c.yaml);
    ASSERT_FALSE(config.ok()) << c.yaml;
    EXPECT_NE(config.status().message().find(c.expected), std::string::npos)
        << config.status().message();
  }
}

TEST(EnergyConfig, ANegativePriceIsAllowed) {
  // Dynamic tariffs pay for imports when the grid has too much.
  Result<EnergyConfig> config = Read("energy:\n  tariffs:\n    agile: {import_per_kwh: -0.02}\n");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
}

}  // namespace
}  // namespace wattline::aggregator
