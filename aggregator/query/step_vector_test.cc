#include "aggregator/query/step_vector.h"

#include <gtest/gtest.h>

#include <memory>

namespace wattline::aggregator {
namespace {

TEST(DerivedLabels, EachInputIsDerivedOnceAndKeepsItsAddress) {
  DerivedLabels without_name;
  auto power =
      std::make_shared<const Labels>(Labels{{"__name__", "power_watts"}, {"device", "panel"}});
  const LabelsRef& first = without_name.WithoutMetricName(power);
  EXPECT_EQ(*first, (Labels{{"device", "panel"}}));
  // The next step's sample gets the same label set, not a new one.
  EXPECT_EQ(without_name.WithoutMetricName(power).get(), first.get());

  int derived = 0;
  DerivedLabels renamed;
  auto rename = [&](const Labels& labels) {
    ++derived;
    Labels out = labels;
    out.back().value = "heatpump";
    return out;
  };
  const Labels* once = renamed.Get(power, rename).get();
  EXPECT_EQ(renamed.Get(power, rename).get(), once);
  EXPECT_EQ(derived, 1);
}

TEST(DerivedLabels, ALabelSetWithoutANameIsItsOwnResult) {
  DerivedLabels without_name;
  auto bare = std::make_shared<const Labels>(Labels{{"device", "panel"}});
  EXPECT_EQ(without_name.WithoutMetricName(bare).get(), bare.get());
}

}  // namespace
}  // namespace wattline::aggregator
