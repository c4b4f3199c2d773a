#include "common/labels.h"

#include <gtest/gtest.h>

namespace wattline {
namespace {

TEST(Labels, CanonicalizeSortsByName) {
  Labels labels = {{"phase", "a"}, {"__name__", "power_watts"}, {"device", "panel"}};
  ASSERT_TRUE(Canonicalize(labels).ok());
  EXPECT_EQ(labels[0].name, "__name__");
  EXPECT_EQ(labels[1].name, "device");
  EXPECT_EQ(LabelsToString(labels), "power_watts{device=\"panel\",phase=\"a\"}");
}

TEST(Labels, RefusesRepeatedNames) {
  Labels labels = {{"__name__", "x"}, {"a", "1"}, {"a", "2"}};
  EXPECT_FALSE(Canonicalize(labels).ok());
}

TEST(Labels, RefusesMissingOrInvalidMetricName) {
  Labels no_name = {{"a", "1"}};
  EXPECT_FALSE(Canonicalize(no_name).ok());
  Labels bad_name = {{"__name__", "1abc"}};
  EXPECT_FALSE(Canonicalize(bad_name).ok());
  Labels bad_label = {{"__name__", "x"}, {"a-b", "1"}};
  EXPECT_FALSE(Canonicalize(bad_label).ok());
}

TEST(Labels, EscapesValuesInTextForm) {
  Labels labels = {{"__name__", "x"}, {"note", "a\"b\\c\nd"}};
  EXPECT_EQ(LabelsToString(labels), "x{note=\"a\\\"b\\\\c\\nd\"}");
}

TEST(Labels, AbsentLabelReadsAsEmpty) {
  Labels labels = {{"__name__", "x"}};
  EXPECT_EQ(LabelValue(labels, "phase"), "");
  EXPECT_EQ(MetricName(labels), "x");
}

TEST(Labels, SetLabelKeepsNameOrderAndAnEmptyValueRemoves) {
  Labels labels = {{"__name__", "up"}, {"job", "agent"}};
  SetLabel(labels, "instance", "pi-1");
  SetLabel(labels, "job", "meter");
  SetLabel(labels, "zone", "garage");
  EXPECT_EQ(
      labels,
      (Labels{{"__name__", "up"}, {"instance", "pi-1"}, {"job", "meter"}, {"zone", "garage"}}));
  SetLabel(labels, "__name__", "");
  SetLabel(labels, "absent", "");
  EXPECT_EQ(labels, (Labels{{"instance", "pi-1"}, {"job", "meter"}, {"zone", "garage"}}));
}

}  // namespace
}  // namespace wattline
