#include "aggregator/storage/series_index.h"

#include <gtest/gtest.h>

namespace wattline::aggregator {
namespace {

LabelMatcher Match(LabelMatcher::Type type, const std::string& name, const std::string& value) {
  return *LabelMatcher::Make(type, name, value);
}

constexpr auto kEq = LabelMatcher::Type::kEqual;
constexpr auto kNe = LabelMatcher::Type::kNotEqual;
constexpr auto kRe = LabelMatcher::Type::kRegexMatch;
constexpr auto kNre = LabelMatcher::Type::kRegexNoMatch;

class SeriesIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Added out of id order, as series made by concurrent writes may be.
    index_.Add(3, {{"__name__", "power_watts"}, {"device", "oven"}, {"phase", "b"}});
    index_.Add(1, {{"__name__", "power_watts"}, {"device", "panel"}, {"phase", "a"}});
    index_.Add(2, {{"__name__", "power_watts"}, {"device", "panel"}, {"phase", "b"}});
    index_.Add(4, {{"__name__", "voltage_volts"}, {"device", "panel"}});
  }

  std::vector<SeriesId> Ids(const LabelMatchers& matchers) const {
    std::vector<SeriesId> ids;
    for (const SeriesRef& ref : index_.Select(matchers)) ids.push_back(ref.id);
    return ids;
  }

  SeriesIndex index_;
};

TEST_F(SeriesIndexTest, EqualityIntersectsAndResultsAreOrderedByLabels) {
  EXPECT_EQ(Ids({Match(kEq, "__name__", "power_watts")}), (std::vector<SeriesId>{3, 1, 2}));
  EXPECT_EQ(Ids({Match(kEq, "__name__", "power_watts"), Match(kEq, "phase", "b")}),
            (std::vector<SeriesId>{3, 2}));
  EXPECT_TRUE(Ids({Match(kEq, "device", "nowhere")}).empty());
}

TEST_F(SeriesIndexTest, NegativeMatchersAlsoSelectSeriesWithoutTheLabel) {
  // voltage_volts has no phase label: phase != "a" holds for it.
  EXPECT_EQ(Ids({Match(kNe, "phase", "a")}), (std::vector<SeriesId>{3, 2, 4}));
  EXPECT_EQ(Ids({Match(kNre, "phase", "a|b")}), (std::vector<SeriesId>{4}));
  // phase="" selects series without the label, as in Prometheus.
  EXPECT_EQ(Ids({Match(kEq, "phase", "")}), (std::vector<SeriesId>{4}));
  EXPECT_EQ(Ids({Match(kRe, "phase", "a|")}), (std::vector<SeriesId>{1, 4}));
}

TEST_F(SeriesIndexTest, RegexesAreAnchoredAtBothEnds) {
  EXPECT_EQ(Ids({Match(kRe, "device", "pan")}), (std::vector<SeriesId>{}));
  EXPECT_EQ(Ids({Match(kRe, "device", "pan.*"), Match(kNe, "__name__", "voltage_volts")}),
            (std::vector<SeriesId>{1, 2}));
}

TEST_F(SeriesIndexTest, NoMatchersSelectEverything) { EXPECT_EQ(Ids({}).size(), 4u); }

TEST_F(SeriesIndexTest, FindsByLabelsAndListsNamesAndValues) {
  EXPECT_EQ(index_.Find(LabelsToString(*index_.LabelsOf(2))), 2);
  EXPECT_FALSE(index_.Find("power_watts{device=\"nowhere\"}").has_value());
  EXPECT_EQ(index_.LabelNames(), (std::vector<std::string>{"__name__", "device", "phase"}));
  EXPECT_EQ(index_.LabelValues("device"), (std::vector<std::string>{"oven", "panel"}));
  EXPECT_TRUE(index_.LabelValues("missing").empty());
}

}  // namespace
}  // namespace wattline::aggregator
