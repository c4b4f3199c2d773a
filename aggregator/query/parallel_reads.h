// Reading many series at once. A cold read waits on the disk, and a disk
// (an SSD, a virtual disk, even an SD card) answers several requests at
// once: a 30-day query over 60 series spent most of its cold time waiting
// on one page read after another.
//
// Thread-safety: `read` is called from several threads at once, each index
// once.
#ifndef WATTLINE_AGGREGATOR_QUERY_PARALLEL_READS_H_
#define WATTLINE_AGGREGATOR_QUERY_PARALLEL_READS_H_

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <system_error>
#include <thread>
#include <vector>

namespace wattline::aggregator {

// Reads per batch: what a query holds in memory before its sample limit
// is checked, beyond what it has counted.
inline constexpr size_t kReadBatchSeries = 16;

// Calls read(i) for every i in [0, count), on this thread and up to three
// more; returns when all are done.
template <typename Read>
void ReadInParallel(size_t count, Read read) {
  constexpr size_t kThreads = 4;
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < count; i = next++) read(i);
  };
  {
    std::vector<std::jthread> helpers;
    try {
      for (size_t t = 1; t < std::min(kThreads, count); ++t) helpers.emplace_back(work);
    } catch (const std::system_error&) {
      // No thread to be had: this one reads the rest.
    }
    work();
  }  // the helpers are joined here
}

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_QUERY_PARALLEL_READS_H_
