#include "aggregator/ingest/series_grouper.h"

#include <gtest/gtest.h>

namespace wattline::aggregator {
namespace {

TEST(SeriesGrouper, SameLabelsInAnyOrderAreOneSeries) {
  SeriesGrouper grouper;
  Result<size_t> a = grouper.SeriesFor({{"b", "2"}, {"__name__", "m"}, {"a", "1"}});
  Result<size_t> b = grouper.SeriesFor({{"a", "1"}, {"b", "2"}, {"__name__", "m"}});
  Result<size_t> c = grouper.SeriesFor({{"a", "1"}, {"__name__", "m"}});
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_NE(*a, *c);
}

TEST(SeriesGrouper, SortsStablyAndKeepsTheLastOfEqualTimestamps) {
  SeriesGrouper grouper;
  size_t id = *grouper.SeriesFor({{"__name__", "m"}});
  for (auto [ts, value] :
       std::vector<std::pair<int64_t, double>>{{5, 1}, {3, 2}, {5, 3}, {1, 4}, {3, 5}, {5, 6}}) {
    grouper.Add(id, ts, value);
  }
  EXPECT_EQ(grouper.sample_count(), 6u);
  std::vector<SeriesSamples> series = grouper.Take();
  ASSERT_EQ(series.size(), 1u);
  EXPECT_EQ(series[0].timestamps_ms, (std::vector<int64_t>{1, 3, 5}));
  EXPECT_EQ(series[0].values, (std::vector<double>{4, 5, 6}));
}

TEST(SeriesGrouper, DropsEmptyValuedLabelsAndRefusesInvalidOnes) {
  SeriesGrouper grouper;
  Result<size_t> with_empty = grouper.SeriesFor({{"__name__", "m"}, {"gone", ""}});
  Result<size_t> without = grouper.SeriesFor({{"__name__", "m"}});
  ASSERT_TRUE(with_empty.ok() && without.ok());
  EXPECT_EQ(*with_empty, *without);
  EXPECT_FALSE(grouper.SeriesFor({{"__name__", ""}, {"a", "1"}}).ok());  // name dropped: none left
  EXPECT_FALSE(grouper.SeriesFor({{"__name__", "1m"}}).ok());
}

}  // namespace
}  // namespace wattline::aggregator
