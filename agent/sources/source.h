// A source reads one device, or one bus or topic tree of devices, and hands
// its samples to the agent.
//
// Sources are small classes behind this interface. Each owns its timers and
// connections; a dead or slow device delays only its own source, never the
// loop or the others (blocking I/O runs on the thread pool or a worker
// thread of the source's own).
//
// Thread-safety: every method, and the sink, run on the loop thread.
#ifndef WATTLINE_AGENT_SOURCES_SOURCE_H_
#define WATTLINE_AGENT_SOURCES_SOURCE_H_

#include <functional>
#include <string>
#include <vector>

#include "agent/sources/device_health.h"
#include "agent/sources/sample.h"
#include "common/status.h"

namespace wattline::agent {

// Receives samples on the loop thread.
using SampleSink = std::function<void(Samples&&)>;

class Source {
 public:
  virtual ~Source() = default;
  // Begins reading; samples go to the sink given at construction.
  virtual Status Start() = 0;
  // Stops reading. Work in flight on other threads finishes and is discarded.
  virtual void Stop() = 0;
  // For logs: the device, bus or topic this source reads.
  virtual const std::string& name() const = 0;
  // Appends one entry per device this source reads (or has seen).
  virtual void AppendHealth(std::vector<DeviceHealth>* out) const = 0;
};

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_SOURCES_SOURCE_H_
