#include "aggregator/storage/block_cache.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

namespace wattline::aggregator {
namespace {

using Cache = BlockCache<int64_t>;

Cache::Rows RowsOf(std::vector<int64_t> values) {
  return std::make_shared<const std::vector<int64_t>>(std::move(values));
}

TEST(BlockCache, KeepsWhatItIsGivenAndCountsHitsAndMisses) {
  Cache cache(1 << 20);
  EXPECT_EQ(cache.Find(7), nullptr);
  cache.Keep(7, RowsOf({1, 2, 3}), cache.Ticket());
  Cache::Rows found = cache.Find(7);
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(*found, (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(cache.hits(), 1u);
  EXPECT_EQ(cache.misses(), 1u);
  // No rows there is an answer too.
  cache.Keep(8, RowsOf({}), cache.Ticket());
  ASSERT_NE(cache.Find(8), nullptr);
  EXPECT_TRUE(cache.Find(8)->empty());
}

TEST(BlockCache, RowsReadBeforeAForgetAreNotKept) {
  Cache cache(1 << 20);
  const uint64_t ticket = cache.Ticket();  // a reader starts reading row 7
  const int64_t rewritten[] = {7};
  cache.Forget(rewritten);  // the writer replaced it meanwhile
  cache.Keep(7, RowsOf({1}), ticket);
  EXPECT_EQ(cache.Find(7), nullptr) << "the reader's copy may be the old row";
  cache.Keep(7, RowsOf({2}), cache.Ticket());
  ASSERT_NE(cache.Find(7), nullptr);
  EXPECT_EQ(cache.Find(7)->front(), 2);
}

TEST(BlockCache, ForgetDropsTheKeysGivenAndForgetAllEverything) {
  Cache cache(1 << 20);
  for (int64_t key = 0; key < 4; ++key) cache.Keep(key, RowsOf({key}), cache.Ticket());
  const int64_t gone[] = {1, 3};
  cache.Forget(gone);
  EXPECT_NE(cache.Find(0), nullptr);
  EXPECT_EQ(cache.Find(1), nullptr);
  EXPECT_NE(cache.Find(2), nullptr);
  EXPECT_EQ(cache.Find(3), nullptr);
  cache.ForgetAll();
  EXPECT_EQ(cache.Find(0), nullptr);
  EXPECT_EQ(cache.bytes(), 0u);
}

TEST(BlockCache, BeyondItsBudgetTheLeastRecentlyUsedGo) {
  // Each entry: 100 rows of 8 bytes and its overhead.
  const size_t entry = 100 * sizeof(int64_t) + 128;
  Cache cache(3 * entry);
  const std::vector<int64_t> hundred(100, 1);
  for (int64_t key = 0; key < 3; ++key) cache.Keep(key, RowsOf(hundred), cache.Ticket());
  EXPECT_EQ(cache.bytes(), 3 * entry);
  ASSERT_NE(cache.Find(0), nullptr);  // 0 is now the most recent; 1 the least
  cache.Keep(3, RowsOf(hundred), cache.Ticket());
  EXPECT_EQ(cache.Find(1), nullptr);
  EXPECT_NE(cache.Find(0), nullptr);
  EXPECT_NE(cache.Find(2), nullptr);
  EXPECT_NE(cache.Find(3), nullptr);
  EXPECT_LE(cache.bytes(), 3 * entry);
  // Rows larger than the whole budget are not kept, and push nothing out.
  cache.Keep(9, RowsOf(std::vector<int64_t>(1000, 1)), cache.Ticket());
  EXPECT_EQ(cache.Find(9), nullptr);
  EXPECT_NE(cache.Find(3), nullptr);
}

TEST(BlockCache, AZeroBudgetKeepsNothing) {
  Cache cache(0);
  cache.Keep(1, RowsOf({}), cache.Ticket());
  EXPECT_EQ(cache.Find(1), nullptr);
}

}  // namespace
}  // namespace wattline::aggregator
