// A source reads one device and hands its samples to the agent.
//
// Sources are small classes behind this interface. Each owns its timer and its
// connection; a dead or slow device delays only its own source, never the loop
// or the others (blocking I/O runs on the thread pool).
//
// Thread-safety: Start/Stop and the sink run on the loop thread.
#ifndef WATTLINE_AGENT_SOURCES_SOURCE_H_
#define WATTLINE_AGENT_SOURCES_SOURCE_H_

#include <cstdint>
#include <functional>
#include <string>

#include "agent/sources/sample.h"
#include "common/status.h"

namespace wattline::agent {

// Receives each poll's samples on the loop thread.
using SampleSink = std::function<void(Samples&&)>;

struct SourceCounters {
  uint64_t polls = 0;
  uint64_t poll_errors = 0;
  uint64_t samples = 0;
};

class Source {
 public:
  virtual ~Source() = default;
  // Begins polling; samples go to the sink given at construction.
  virtual Status Start() = 0;
  // Stops polling. A poll in flight finishes on the pool and is discarded.
  virtual void Stop() = 0;
  // The device name, as in the `device` label.
  virtual const std::string& device() const = 0;
  virtual const SourceCounters& counters() const = 0;
};

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_SOURCES_SOURCE_H_
