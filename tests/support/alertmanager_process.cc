#include "tests/support/alertmanager_process.h"

#include <httplib.h>
#include <signal.h>
#include <unistd.h>

#include <vector>

#include "tests/support/free_ports.h"

namespace wattline::testing {
namespace {

constexpr const char* kAlertmanager = "/usr/bin/prometheus-alertmanager";

}  // namespace

std::string AlertmanagerProcess::Missing() {
  if (::access(kAlertmanager, X_OK) == 0) return "";
  return std::string(kAlertmanager) + " is not installed (Debian package prometheus-alertmanager)";
}

AlertmanagerProcess::AlertmanagerProcess() {
  PickFreePorts({&port_});
  WriteFile(dir_.File("am.yml"),
            "route:\n  receiver: nowhere\n  group_wait: 1h\nreceivers:\n  - name: nowhere\n");
}

AlertmanagerProcess::~AlertmanagerProcess() { Stop(); }

Status AlertmanagerProcess::Start() {
  if (port_ == 0) return Status::Unavailable("no free port on 127.0.0.1");
  process_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{kAlertmanager, "--config.file=" + dir_.File("am.yml"),
                               "--storage.path=" + dir_.File("data"),
                               "--web.listen-address=127.0.0.1:" + std::to_string(port_),
                               "--cluster.listen-address=", "--log.level=warn"},
      dir_.File("am.log"));
  const bool ready = WaitFor(
      [&] {
        httplib::Client client("127.0.0.1", port_);
        auto answer = client.Get("/-/ready");
        return (answer && answer->status == 200) || !process_->Running();
      },
      20000);
  if (!ready || !process_->Running()) {
    return Status::Unavailable("alertmanager did not start:\n" + Log());
  }
  return Status::Ok();
}

void AlertmanagerProcess::Stop() {
  if (process_) process_->Stop(SIGTERM, 10000);
}

nlohmann::json AlertmanagerProcess::AlertsNamed(const std::string& name) const {
  httplib::Client client("127.0.0.1", port_);
  auto answer = client.Get("/api/v2/alerts?filter=alertname%3D%22" + name + "%22");
  if (!answer || answer->status != 200) return nlohmann::json::array();
  return nlohmann::json::parse(answer->body, nullptr, false);
}

std::string AlertmanagerProcess::Log() const { return ReadFileOrEmpty(dir_.File("am.log")); }

}  // namespace wattline::testing
