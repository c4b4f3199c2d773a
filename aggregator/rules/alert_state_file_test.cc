#include "aggregator/rules/alert_state_file.h"

#include <gtest/gtest.h>

#include <cmath>

namespace wattline::aggregator {
namespace {

SavedAlertState Example() {
  Alert firing;
  firing.state = AlertState::kFiring;
  firing.labels = {{"alertname", "HighPower"}, {"device", "oven"}};
  firing.annotations = {{"summary", "oven draws 3 kW \"now\""}};
  firing.value = 3012.5;
  firing.active_at_ms = 1'767'225'600'000;
  firing.fired_at_ms = 1'767'225'900'000;
  firing.last_sent_ms = 1'767'225'960'000;
  firing.valid_until_ms = 1'767'226'200'000;
  Alert pending = firing;
  pending.state = AlertState::kPending;
  pending.labels[1].value = "kettle";
  pending.fired_at_ms = 0;
  return {1'767'226'000'000,
          {{"/etc/wattline/rules/home.yml",
            "power",
            "HighPower{severity=\"page\"}",
            1,
            {firing, pending}}}};
}

TEST(AlertStateFile, RoundTripsEveryField) {
  const SavedAlertState state = Example();
  Result<SavedAlertState> parsed = ParseAlertState(SerializeAlertState(state));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, state);
}

TEST(AlertStateFile, ANaNValueComesBackAsNaN) {
  SavedAlertState state = Example();
  state.rules[0].alerts[0].value = std::nan("");
  Result<SavedAlertState> parsed = ParseAlertState(SerializeAlertState(state));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_TRUE(std::isnan(parsed->rules[0].alerts[0].value));
}

TEST(AlertStateFile, DamagedOrForeignFilesAreRefusedWithAReason) {
  EXPECT_EQ(ParseAlertState("{\"version\": 1, \"saved_at_ms\"").status().message(),
            "alert state is not a JSON object");
  EXPECT_EQ(
      ParseAlertState("{\"version\": 2, \"saved_at_ms\": 0, \"rules\": []}").status().message(),
      "alert state version 2 is not 1");
  std::string text = SerializeAlertState(Example());
  text.replace(text.find("\"firing\""), 8, "\"burning\"");
  EXPECT_EQ(ParseAlertState(text).status().message(), "unknown alert state \"burning\"");
  EXPECT_FALSE(ParseAlertState("{\"version\": 1, \"saved_at_ms\": \"x\", \"rules\": []}").ok());
}

}  // namespace
}  // namespace wattline::aggregator
