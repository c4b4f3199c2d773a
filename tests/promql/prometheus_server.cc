#include "tests/promql/prometheus_server.h"

#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <vector>

#include "tests/support/free_ports.h"

namespace wattline::testing {
namespace {

constexpr const char* kPrometheus = "/usr/bin/prometheus";
constexpr const char* kPromtool = "/usr/bin/promtool";
constexpr int kStartAttempts = 3;
constexpr int kBackfillTimeoutMs = 120'000;
constexpr int kReadyTimeoutMs = 60'000;

}  // namespace

std::string PrometheusServer::Missing() {
  for (const char* program : {kPrometheus, kPromtool}) {
    if (::access(program, X_OK) != 0) {
      return std::string(program) + " is not installed (Debian package prometheus)";
    }
  }
  return "";
}

PrometheusServer::~PrometheusServer() { Stop(); }

Status PrometheusServer::Start(const std::string& openmetrics) {
  WriteFile(dir_.File("data.om"), openmetrics);
  // An empty config: no scrapes, no rules; only the backfilled blocks.
  WriteFile(dir_.File("prometheus.yml"), "global: {}\n");
  const std::string log = dir_.File("promtool.log");
  ChildProcess promtool({kPromtool, "tsdb", "create-blocks-from", "openmetrics",
                         dir_.File("data.om"), dir_.File("tsdb")},
                        log);
  if (!promtool.started()) return Status::Internal("cannot start promtool");
  const bool exited = WaitFor([&] { return !promtool.Running(); }, kBackfillTimeoutMs);
  const int status = promtool.Stop(SIGKILL, 0);
  if (!exited || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return Status::Internal("promtool tsdb create-blocks-from openmetrics failed:\n" +
                            ReadFileOrEmpty(log));
  }
  Status started = Status::Internal("Prometheus was not started");
  for (int attempt = 0; attempt < kStartAttempts && !started.ok(); ++attempt) {
    started = Launch();
  }
  return started;
}

Status PrometheusServer::Launch() {
  port_ = 0;
  PickFreePorts({&port_});
  if (port_ == 0) return Status::Unavailable("no free port on 127.0.0.1");
  process_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{
          kPrometheus, "--config.file=" + dir_.File("prometheus.yml"),
          "--storage.tsdb.path=" + dir_.File("tsdb"), "--storage.tsdb.retention.time=100y",
          "--web.listen-address=127.0.0.1:" + std::to_string(port_), "--log.level=warn"},
      dir_.File("prometheus.log"));
  if (!process_->started()) return Status::Internal("cannot start " + std::string(kPrometheus));
  httplib::Client client("127.0.0.1", port_);
  client.set_connection_timeout(std::chrono::seconds(1));
  const bool ready = WaitFor(
      [&] {
        if (!process_->Running()) return true;
        auto answer = client.Get("/-/ready");
        return answer && answer->status == 200;
      },
      kReadyTimeoutMs);
  if (!ready || !process_->Running()) {
    process_->Stop(SIGKILL, 5000);
    return Status::Unavailable("Prometheus did not become ready:\n" + Log());
  }
  return Status::Ok();
}

void PrometheusServer::Stop() {
  if (process_) process_->Stop(SIGTERM, 10'000);
}

std::string PrometheusServer::Log() const {
  return "---- promtool.log\n" + ReadFileOrEmpty(dir_.File("promtool.log")) +
         "---- prometheus.log\n" + ReadFileOrEmpty(dir_.File("prometheus.log"));
}

}  // namespace wattline::testing
