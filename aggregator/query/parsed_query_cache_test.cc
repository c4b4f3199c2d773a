#include "aggregator/query/parsed_query_cache.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace wattline::aggregator {
namespace {

TEST(ParsedQueryCache, TheSameTextGivesTheSameTree) {
  ParsedQueryCache cache(4);
  auto first = cache.Parse("sum by (agent) (power_watts)");
  auto again = cache.Parse("sum by (agent) (power_watts)");
  ASSERT_TRUE(first.ok() && again.ok());
  EXPECT_EQ(first->get(), again->get());
  EXPECT_EQ((*first)->kind, Expr::Kind::kAggregate);
  auto other = cache.Parse("sum by (agent)(power_watts)");  // another text, parsed anew
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->get(), first->get());
  EXPECT_EQ(cache.size(), 2u);
}

TEST(ParsedQueryCache, KeepsTheMostRecentlyUsed) {
  ParsedQueryCache cache(2);
  auto a = cache.Parse("a");
  auto b = cache.Parse("b");
  ASSERT_TRUE(cache.Parse("a").ok());  // a is now the more recent
  ASSERT_TRUE(cache.Parse("c").ok());  // b goes
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.Parse("a")->get(), a->get());
  EXPECT_NE(cache.Parse("b")->get(), b->get());
}

TEST(ParsedQueryCache, ErrorsAndLongQueriesAreParsedEveryTime) {
  ParsedQueryCache cache(4);
  auto bad = cache.Parse("sum(");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(cache.size(), 0u);
  // A long query: one selector with enough matchers to pass the limit.
  std::string longer = "power_watts{";
  while (longer.size() <= kMaxCachedQueryBytes) longer += "phase!=\"x\",";
  longer += "phase!=\"y\"}";
  auto first = cache.Parse(longer);
  auto again = cache.Parse(longer);
  ASSERT_TRUE(first.ok() && again.ok());
  EXPECT_NE(first->get(), again->get());
  EXPECT_EQ(cache.size(), 0u);
}

TEST(ParsedQueryCache, NothingIsKeptAtCapacityZero) {
  ParsedQueryCache cache(0);
  auto first = cache.Parse("1+1");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_NE(cache.Parse("1+1")->get(), first->get());
}

TEST(ParsedQueryCache, ManyThreadsAskingAtOnceAllGetTheirTree) {
  ParsedQueryCache cache(3);
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        const std::string query = "power_watts{phase=\"" + std::to_string((i + t) % 5) + "\"}";
        auto expr = cache.Parse(query);
        if (!expr.ok() || (*expr)->kind != Expr::Kind::kVectorSelector) ++failures[t];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures, (std::vector<int>{0, 0, 0, 0}));
  EXPECT_EQ(cache.size(), 3u);
}

}  // namespace
}  // namespace wattline::aggregator
