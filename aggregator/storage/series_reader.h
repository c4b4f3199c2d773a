// What the query engine reads from storage. The storage engine behind it may
// change (its own issue); this interface is what queries depend on.
//
// Thread-safety: implementations allow concurrent calls, concurrent with
// ingest.
#ifndef WATTLINE_AGGREGATOR_STORAGE_SERIES_READER_H_
#define WATTLINE_AGGREGATOR_STORAGE_SERIES_READER_H_

#include <bit>
#include <cstdint>
#include <memory>
#include <vector>

#include "aggregator/storage/label_matcher.h"
#include "common/labels.h"
#include "common/status.h"

namespace wattline::aggregator {

struct Rollup;  // rollup.h, which includes this header

using SeriesId = int64_t;

struct SeriesRef {
  SeriesId id = 0;
  Labels labels;
};

// The NaN Prometheus writes to mark a series stale (model/value.StaleNaN).
// A stale sample is never returned by a query, nor counted in a rollup: the
// series ends there until a newer sample arrives.
inline constexpr uint64_t kStaleNaNBits = 0x7ff0000000000002;

inline bool IsStaleNaN(double value) { return std::bit_cast<uint64_t>(value) == kStaleNaNBits; }

struct SamplePoint {
  int64_t timestamp_ms = 0;
  double value = 0;

  friend bool operator==(const SamplePoint&, const SamplePoint&) = default;
};

// What HoldReads returns: reads share their setup while it lives.
class HeldReads {
 public:
  virtual ~HeldReads() = default;
};

class SeriesReader {
 public:
  virtual ~SeriesReader() = default;

  // Until the returned object is destroyed, the calling thread's reads may
  // share work an engine otherwise does per read (a query's many small
  // reads then cost less); each still returns every sample stored before
  // it. The object belongs to the calling thread. nullptr: nothing to share.
  virtual std::unique_ptr<HeldReads> HoldReads() { return nullptr; }

  // Every series whose labels satisfy all `matchers`, ordered by labels.
  virtual Result<std::vector<SeriesRef>> Select(const LabelMatchers& matchers) = 0;

  // Samples of `id` with mint_ms <= timestamp <= maxt_ms, by timestamp.
  virtual Result<std::vector<SamplePoint>> ReadSamples(SeriesId id, int64_t mint_ms,
                                                       int64_t maxt_ms) = 0;

  // Whether `id` has a sample with mint_ms <= timestamp <= maxt_ms: for
  // listing series and labels by time, without their samples. This default
  // reads them all; an engine overrides it where it can answer cheaper.
  virtual Result<bool> HasSamples(SeriesId id, int64_t mint_ms, int64_t maxt_ms) {
    Result<std::vector<SamplePoint>> samples = ReadSamples(id, mint_ms, maxt_ms);
    if (!samples.ok()) return samples.status();
    return !samples->empty();
  }

  // Whether AppendRollups answers: the query engine then reads windows
  // aligned to minutes or hours from rollups instead of raw samples.
  virtual bool HasRollups() const { return false; }

  // Appends the rollups (rollup.h) of `resolution_ms` (kMinuteResolutionMs,
  // kHourResolutionMs) of `id` whose buckets overlap [mint_ms, maxt_ms], by
  // start; every bucket equals what the raw samples give. InvalidArgument
  // unless HasRollups().
  virtual Status AppendRollups(SeriesId /*id*/, int64_t /*resolution_ms*/, int64_t /*mint_ms*/,
                               int64_t /*maxt_ms*/, std::vector<Rollup>* /*out*/) {
    return Status::InvalidArgument("this reader keeps no rollups");
  }
};

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_STORAGE_SERIES_READER_H_
