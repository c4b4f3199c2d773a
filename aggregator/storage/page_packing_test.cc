#include "aggregator/storage/page_packing.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace wattline::aggregator {
namespace {

// Pages the rows fill when appended in `order`, as SQLite appends: a row that
// does not fit starts a new page.
size_t PagesFilled(const std::vector<size_t>& rows, const std::vector<size_t>& order, size_t page) {
  size_t pages = 1;
  size_t room = page;
  for (size_t i : order) {
    if (rows[i] > room) {
      ++pages;
      room = page;
    }
    room -= rows[i];
  }
  return pages;
}

TEST(PagePacking, TakesTheLargestRowThatStillFits) {
  const std::vector<size_t> rows = {60, 50, 40, 30, 20};
  EXPECT_EQ(PackingOrder(rows, 100), (std::vector<size_t>{0, 2, 1, 3, 4}))
      << "60+40 fill a page, then 50+30+20";
}

TEST(PagePacking, EveryRowOnceAndFewerPagesThanInArrivalOrder) {
  std::mt19937 random(3);
  std::vector<size_t> rows(2000);
  for (size_t& row : rows) row = 200 + random() % 2300;  // a meter's hour chunks
  std::vector<size_t> order = PackingOrder(rows, 16376);
  std::vector<size_t> sorted = order;
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 0; i < sorted.size(); ++i) ASSERT_EQ(sorted[i], i);
  std::vector<size_t> arrival(rows.size());
  for (size_t i = 0; i < arrival.size(); ++i) arrival[i] = i;
  size_t total = 0;
  for (size_t row : rows) total += row;
  const size_t minimum = (total + 16375) / 16376;
  const size_t packed = PagesFilled(rows, order, 16376);
  const size_t in_arrival_order = PagesFilled(rows, arrival, 16376);
  EXPECT_LT(packed, in_arrival_order);
  // The greedy order leaves only the last pages short.
  EXPECT_LE(packed, minimum + 4) << "arrival order took " << in_arrival_order;
}

TEST(PagePacking, RowsLargerThanAPageAndNoRowsAreFine) {
  EXPECT_TRUE(PackingOrder({}, 100).empty());
  EXPECT_EQ(PackingOrder({250, 10}, 100).size(), 2u);
}

}  // namespace
}  // namespace wattline::aggregator
