// The open batch: samples collected in memory, column per series, until the
// next seal turns them into a Batch for the outbox. What is here is what a
// power loss can take; the seal interval bounds it.
//
// Thread-safety: not thread-safe; the agent's loop thread owns it.
#ifndef WATTLINE_AGENT_BATCH_OPEN_BATCH_H_
#define WATTLINE_AGENT_BATCH_OPEN_BATCH_H_

#include <cstddef>
#include <map>

#include "agent/sources/sample.h"
#include "common/batch.h"

namespace wattline::agent {

class OpenBatch {
 public:
  void Add(const Sample& sample);
  void Add(const Samples& samples);
  // Puts a taken batch's samples back, for a seal that failed. Call it before
  // adding anything newer, so each series stays in time order.
  void Restore(const Batch& batch);

  bool empty() const { return sample_count_ == 0; }
  size_t sample_count() const { return sample_count_; }

  // Moves everything out as a Batch (no id or sequence yet: the outbox
  // assigns those) and leaves this batch empty. Series come out ordered by
  // labels; samples in the order they were added.
  Batch Take(int64_t sealed_at_ms);

 private:
  std::map<Labels, SeriesSamples> series_;
  size_t sample_count_ = 0;
};

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_BATCH_OPEN_BATCH_H_
