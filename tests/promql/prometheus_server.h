// A real Prometheus for the PromQL compatibility test: Debian's
// /usr/bin/prometheus (2.42 in Debian 12) serving a TSDB backfilled from an
// OpenMetrics file with `promtool tsdb create-blocks-from openmetrics`, on a
// loopback port chosen at run time, in a temporary directory. It scrapes
// nothing (its config is empty) and keeps its blocks for 100 years, so data
// stamped in the past stays queryable.
//
// Not thread-safe: one test thread drives it. Every wait is bounded.
#ifndef WATTLINE_TESTS_PROMQL_PROMETHEUS_SERVER_H_
#define WATTLINE_TESTS_PROMQL_PROMETHEUS_SERVER_H_

#include <memory>
#include <string>

#include "common/status.h"
#include "common/testing/temp_dir.h"
#include "tests/support/child_process.h"

namespace wattline::testing {

class PrometheusServer {
 public:
  // "" when prometheus and promtool are installed; otherwise which program
  // is missing, for GTEST_SKIP().
  static std::string Missing();

  PrometheusServer() = default;
  ~PrometheusServer();  // stops the server
  PrometheusServer(const PrometheusServer&) = delete;
  PrometheusServer& operator=(const PrometheusServer&) = delete;

  // Backfills a fresh TSDB from `openmetrics` (the file's text), then starts
  // Prometheus on it and returns once /-/ready answers 200. A port taken by
  // someone else between choosing and binding is retried, a few times.
  Status Start(const std::string& openmetrics);
  void Stop();

  int port() const { return port_; }
  // promtool's and Prometheus's output, for failure messages.
  std::string Log() const;

 private:
  Status Launch();

  TempDir dir_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace wattline::testing

#endif  // WATTLINE_TESTS_PROMQL_PROMETHEUS_SERVER_H_
