// Test support for the Shelly HTTP sources: a libuv loop that runs a real
// source built from YAML through its SourceType, and a scripted HTTP server
// for answers no simulator gives. For agent_unit_tests only.
#ifndef WATTLINE_AGENT_SHELLY_SHELLY_SOURCE_TESTING_H_
#define WATTLINE_AGENT_SHELLY_SHELLY_SOURCE_TESTING_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "agent/sources/source.h"
#include "agent/sources/source_type.h"
#include "common/clock.h"
#include "common/testing/temp_dir.h"
#include "tests/support/simulator_process.h"

namespace wattline::agent::testing {

// The simulators are started by tests/support's SimulatorProcess.
using wattline::testing::ServedEntry;
using wattline::testing::SimulatorProcess;

// A libuv loop with a source on it. Every callback runs on the test's
// thread, inside RunUntil().
class SourceLoop {
 public:
  SourceLoop();
  // Destroys the source and runs the loop until its work in flight is done.
  ~SourceLoop();

  // Builds the source of one `sources:` entry written as a YAML mapping
  // (its `type` included) through `type`, and starts it. Samples go to
  // batches(), one entry per sink call.
  Status Start(const SourceType& type, const std::string& yaml_entry);
  // Runs the loop until `done` returns true (checked every 10 ms) or
  // `timeout_ms` passes; returns done().
  bool RunUntil(const std::function<bool()>& done, int timeout_ms);
  // Stops the source and lets a poll in flight finish (it is discarded).
  void StopSource();

  const std::vector<Samples>& batches() const { return batches_; }
  DeviceHealth Health() const;

 private:
  SystemClock clock_;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::unique_ptr<Source> source_;
  std::vector<Samples> batches_;
};

// A loopback HTTP server that answers the i-th connection's request with
// responses[i % size] (raw bytes, status line first) and closes it.
class ScriptedHttpServer {
 public:
  explicit ScriptedHttpServer(std::vector<std::string> responses);
  ~ScriptedHttpServer();
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int requests() const { return requests_.load(); }

 private:
  void Serve();

  std::vector<std::string> responses_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::thread thread_;
};

// The series of `samples` keyed by their text form, e.g.
// power_watts{device="d",phase="a"} -> 12.5.
std::map<std::string, double> ByName(const Samples& samples);

}  // namespace wattline::agent::testing

#endif  // WATTLINE_AGENT_SHELLY_SHELLY_SOURCE_TESTING_H_
