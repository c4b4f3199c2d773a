#include "aggregator/query/parallel_reads.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace wattline::aggregator {
namespace {

TEST(ReadInParallel, CallsEveryIndexOnce) {
  for (size_t count : {0u, 1u, 2u, 16u, 1000u}) {
    std::vector<std::atomic<int>> calls(count);
    ReadInParallel(count, [&](size_t i) { ++calls[i]; });
    for (size_t i = 0; i < count; ++i) EXPECT_EQ(calls[i].load(), 1) << i << " of " << count;
  }
}

TEST(ReadInParallel, ReadsOnMoreThanOneThread) {
  // Slow reads: a helper takes some while this thread is busy.
  std::mutex mutex;
  std::set<std::thread::id> threads;
  ReadInParallel(16, [&](size_t) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    std::lock_guard lock(mutex);
    threads.insert(std::this_thread::get_id());
  });
  EXPECT_GT(threads.size(), 1u);
}

TEST(ReadInParallel, ConcurrentCallersEachGetAllTheirReads) {
  constexpr size_t kCallers = 6;
  constexpr size_t kCount = 200;
  std::vector<std::vector<std::atomic<int>>> calls(kCallers);
  for (auto& c : calls) c = std::vector<std::atomic<int>>(kCount);
  std::vector<std::thread> callers;
  for (size_t c = 0; c < kCallers; ++c) {
    callers.emplace_back([&, c] {
      for (int round = 0; round < 20; ++round) {
        ReadInParallel(kCount, [&](size_t i) { ++calls[c][i]; });
      }
    });
  }
  for (std::thread& t : callers) t.join();
  for (size_t c = 0; c < kCallers; ++c) {
    for (size_t i = 0; i < kCount; ++i) ASSERT_EQ(calls[c][i].load(), 20) << c << "/" << i;
  }
}

TEST(ReadInParallel, ReturnsOnlyWhenEveryReadHasReturned) {
  std::atomic<int> finished{0};
  ReadInParallel(8, [&](size_t) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    ++finished;
  });
  EXPECT_EQ(finished.load(), 8);
}

}  // namespace
}  // namespace wattline::aggregator
