// A real Alertmanager for tests: Debian's prometheus-alertmanager on
// 127.0.0.1 at a port chosen at run time, clustering off, its storage in a
// temporary directory, routing every alert to a receiver that sends nothing
// (the test reads what arrived through Alertmanager's own API).
//
// Not thread-safe: one test thread drives it. Every wait is bounded.
#ifndef WATTLINE_TESTS_SUPPORT_ALERTMANAGER_PROCESS_H_
#define WATTLINE_TESTS_SUPPORT_ALERTMANAGER_PROCESS_H_

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "common/status.h"
#include "common/testing/temp_dir.h"
#include "tests/support/child_process.h"

namespace wattline::testing {

class AlertmanagerProcess {
 public:
  // "" when prometheus-alertmanager is installed; otherwise why not, for
  // GTEST_SKIP().
  static std::string Missing();

  // Picks the port; Start() starts it (again, after Stop(), on that port
  // with the same storage).
  AlertmanagerProcess();
  ~AlertmanagerProcess();

  Status Start();
  void Stop();

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // The alerts Alertmanager lists whose alertname is `name` (GET
  // /api/v2/alerts), or an empty array.
  nlohmann::json AlertsNamed(const std::string& name) const;
  std::string Log() const;

 private:
  TempDir dir_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace wattline::testing

#endif  // WATTLINE_TESTS_SUPPORT_ALERTMANAGER_PROCESS_H_
