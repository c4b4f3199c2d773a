// Reading many series at once. A cold read waits on the disk, and a disk
// (an SSD, a virtual disk, even an SD card) answers several requests at
// once: a 30-day query over 60 series spent most of its cold time waiting
// on one page read after another.
//
// The helper threads are started once, with the first parallel read, and
// shared by all queries: starting three threads per batch cost a warm
// 30-day query a tenth of its time.
//
// Thread-safety: `read` is called from several threads at once, each index
// once.
#ifndef WATTLINE_AGGREGATOR_QUERY_PARALLEL_READS_H_
#define WATTLINE_AGGREGATOR_QUERY_PARALLEL_READS_H_

#include <cstddef>
#include <functional>

namespace wattline::aggregator {

// Reads per batch: what a query holds in memory before its sample limit
// is checked, beyond what it has counted.
inline constexpr size_t kReadBatchSeries = 16;

// Calls read(i) for every i in [0, count), on this thread and on up to
// three shared helpers that are idle; returns when all calls have returned.
void ReadInParallel(size_t count, const std::function<void(size_t)>& read);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_QUERY_PARALLEL_READS_H_
