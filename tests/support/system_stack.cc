#include "tests/support/system_stack.h"

#include <httplib.h>
#include <signal.h>

#include <cmath>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "aggregator/pki/pki.h"
#include "aggregator/storage/sample_store.h"

namespace wattline::testing {

std::string Binaries::Aggregator() { return WATTLINE_AGGREGATOR_BIN; }
std::string Binaries::Agent() { return WATTLINE_AGENT_BIN; }
std::string Binaries::ShellySim() { return WATTLINE_SHELLY_SIM_BIN; }
std::string Binaries::ShellyGen1Sim() { return WATTLINE_SHELLY_GEN1_SIM_BIN; }
std::string Binaries::ShellySwitchSim() { return WATTLINE_SHELLY_SWITCH_SIM_BIN; }
std::string Binaries::ModbusSim() { return WATTLINE_MODBUS_SIM_BIN; }
std::string Binaries::ArmelAgent() { return WATTLINE_ARMEL_AGENT_BIN; }

SystemStack::SystemStack() {
  // The tests' own TLS clients write to sockets the aggregator may close.
  signal(SIGPIPE, SIG_IGN);
}

SystemStack::~SystemStack() {
  StopAgent();
  StopSimulator();
  StopAggregator();
}

Status SystemStack::StartAggregator() { return StartAggregatorOn(0, 0); }

Status SystemStack::RestartAggregator() {
  if (ingest_port_ == 0) return Status::Internal("the aggregator was never started");
  return StartAggregatorOn(ingest_port_, api_port_);
}

Status SystemStack::StartAggregatorOn(int ingest_port, int api_port) {
  if (!ReadFileOrEmpty(aggregator::PkiLayout::CaCert(pki_dir())).empty()) {
    // PKI already made by an earlier start: a restart keeps it.
  } else {
    aggregator::PkiInitOptions pki;
    pki.dir = pki_dir();
    WATTLINE_RETURN_IF_ERROR(aggregator::InitPki(pki));
  }
  std::string config = dir_.File("aggregator.yaml");
  WriteFile(config, "data_dir: " + AggregatorDataDir() +
                        "\ningest:\n  listen: 127.0.0.1:" + std::to_string(ingest_port) +
                        "\n  pki_dir: " + pki_dir() + "\napi:\n  listen: 127.0.0.1:" +
                        std::to_string(api_port) + "\n" + aggregator_yaml_);
  std::string ready = dir_.File("aggregator.ready");
  std::remove(ready.c_str());
  aggregator_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{Binaries::Aggregator(), "--config", config, "--ready-file", ready},
      dir_.File("aggregator.log"));
  if (!WaitFor([&] { return !ReadFileOrEmpty(ready).empty() || !aggregator_->Running(); }, 20000) ||
      ReadFileOrEmpty(ready).empty()) {
    return Status::Unavailable("aggregator did not start:\n" + aggregator_->Log());
  }
  auto ports = nlohmann::json::parse(ReadFileOrEmpty(ready));
  ingest_port_ = ports["ingest_port"];
  api_port_ = ports["api_port"];
  return Status::Ok();
}

void SystemStack::StopAggregator() {
  if (aggregator_) aggregator_->Stop(SIGTERM, 10000);
}

void SystemStack::KillAggregator() {
  if (aggregator_) aggregator_->Stop(SIGKILL, 10000);
}

void SystemStack::SignalAggregator(int signal) {
  if (aggregator_) aggregator_->Signal(signal);
}

bool SystemStack::AggregatorRunning() { return aggregator_ && aggregator_->Running(); }

int64_t MetricValue(const std::string& metrics, const std::string& name) {
  const size_t at = metrics.find("\n" + name + " ");
  if (at == std::string::npos) return -1;
  return std::atoll(metrics.c_str() + at + name.size() + 2);
}

int64_t SystemStack::AggregatorMetric(const std::string& name) {
  Result<std::string> text = ApiGet("/metrics");
  return text.ok() ? MetricValue(*text, name) : -1;
}

std::string SystemStack::AggregatorDataDir() const {
  return aggregator_data_dir_.empty() ? dir_.File("aggregator-data") : aggregator_data_dir_;
}

std::string SystemStack::AggregatorStoragePath() const {
  return aggregator::StoragePathIn(AggregatorDataDir());
}

Status SystemStack::StartSimulator() {
  simulator_ = std::make_unique<SimulatorProcess>(Binaries::ShellySim(),
                                                  std::vector<std::string>{"--seed", "7"});
  if (!simulator_->WaitReady()) {
    return Status::Unavailable("simulator did not start:\n" + simulator_->Log());
  }
  return Status::Ok();
}

void SystemStack::StopSimulator() {
  if (simulator_) simulator_->Stop();
}

Status SystemStack::StartAgent(const std::string& agent_binary,
                               const std::vector<std::string>& launcher,
                               const std::string& agent_name, int poll_ms, int seal_ms) {
  return StartAgentWithSources(
      agent_binary, launcher, agent_name, seal_ms,
      "  - type: shelly_gen2_http\n    device: panel\n    url: " + simulator_->url() +
          "\n    interval: " + std::to_string(poll_ms) + "ms\n    timeout: 2s\n",
      // The simulator stamps what it serves with this machine's wall clock;
      // the agent's stamps are compared with those, so it uses that clock
      // too. Under the default (sync: kernel) a machine whose kernel says
      // "unsynchronised" gives the aggregator's time, a millisecond apart.
      "clock:\n  sync: system\n");
}

std::string SystemStack::AgentConfigPath() const { return dir_.File("agent.yaml"); }

std::string SystemStack::AgentDataDir() const {
  return agent_data_dir_.empty() ? dir_.File("agent-data") : agent_data_dir_;
}

Status SystemStack::WriteAgentConfig(const std::string& agent_name, int seal_ms,
                                     const std::string& sources_yaml,
                                     const std::string& extra_yaml) {
  aggregator::AgentIssueOptions issue;
  issue.dir = pki_dir();
  issue.name = agent_name;
  issue.force = true;
  WATTLINE_RETURN_IF_ERROR(aggregator::IssueAgent(issue));
  // "localhost", not 127.0.0.1: the agent must resolve a host name and the
  // server certificate must name it.
  WriteFile(AgentConfigPath(),
            "agent:\n  name: " + agent_name + "\n  data_dir: " + AgentDataDir() +
                "\n  seal_interval: " + std::to_string(seal_ms) + "ms\n" + agent_section_yaml_ +
                "upload:\n  url: https://localhost:" +
                std::to_string(agent_upload_port_ != 0 ? agent_upload_port_ : ingest_port_) +
                "\n  ca: " + aggregator::PkiLayout::AgentCa(pki_dir(), agent_name) +
                "\n  cert: " + aggregator::PkiLayout::AgentCert(pki_dir(), agent_name) +
                "\n  key: " + aggregator::PkiLayout::AgentKey(pki_dir(), agent_name) +
                "\n  backoff_initial: 100ms\n  backoff_max: 1s\n" + extra_yaml +
                "sources:\n" + sources_yaml);
  return Status::Ok();
}

Status SystemStack::StartAgentWithSources(const std::string& agent_binary,
                                          const std::vector<std::string>& launcher,
                                          const std::string& agent_name, int seal_ms,
                                          const std::string& sources_yaml,
                                          const std::string& extra_yaml) {
  WATTLINE_RETURN_IF_ERROR(WriteAgentConfig(agent_name, seal_ms, sources_yaml, extra_yaml));
  return StartWrittenAgent(agent_binary, launcher);
}

Status SystemStack::StartWrittenAgent(const std::string& agent_binary,
                                      const std::vector<std::string>& launcher) {
  std::vector<std::string> argv = launcher;
  argv.push_back(agent_binary);
  argv.push_back("--config");
  argv.push_back(AgentConfigPath());
  agent_ = std::make_unique<ChildProcess>(argv, dir_.File("agent.log"));
  if (!agent_->started()) return Status::Unavailable("cannot start the agent");
  return Status::Ok();
}

void SystemStack::StopAgent() {
  if (agent_) agent_->Stop(SIGTERM, 15000);
}

void SystemStack::KillAgent() {
  if (agent_) agent_->Stop(SIGKILL, 15000);
}

bool SystemStack::AgentRunning() { return agent_ && agent_->Running(); }

Result<std::string> SystemStack::ApiGet(
    const std::string& path, const std::vector<std::pair<std::string, std::string>>& params) {
  httplib::Client client("127.0.0.1", api_port_);
  client.set_read_timeout(std::chrono::seconds(10));
  httplib::Params query(params.begin(), params.end());
  auto result = client.Get(path, query, httplib::Headers{});
  if (!result) return Status::Unavailable("GET " + path + ": " + httplib::to_string(result.error()));
  if (result->status != 200) {
    return Status::Unavailable("GET " + path + ": HTTP " + std::to_string(result->status) + ": " +
                               result->body);
  }
  return result->body;
}

Result<std::vector<std::pair<int64_t, double>>> SystemStack::RawSamples(
    const std::string& selector) {
  Result<std::string> body = ApiGet("/api/v1/query", {{"query", selector + "[1h]"}});
  if (!body.ok()) return body.status();
  auto json = nlohmann::json::parse(*body, nullptr, false);
  if (json.is_discarded() || json["status"] != "success" ||
      json["data"]["resultType"] != "matrix") {
    return Status::Internal("unexpected answer: " + *body);
  }
  std::vector<std::pair<int64_t, double>> out;
  const auto& result = json["data"]["result"];
  if (result.empty()) return out;
  if (result.size() != 1) return Status::Internal("selector matched several series: " + *body);
  for (const auto& point : result[0]["values"]) {
    double seconds = point[0].get<double>();
    out.emplace_back(static_cast<int64_t>(std::llround(seconds * 1000)),
                     std::stod(point[1].get<std::string>()));
  }
  return out;
}

std::string SystemStack::Logs() const {
  std::string out;
  out += "---- aggregator.log\n" + ReadFileOrEmpty(dir_.File("aggregator.log"));
  out += "---- sim.log\n" + (simulator_ ? simulator_->Log() : "");
  out += "---- agent.log\n" + ReadFileOrEmpty(dir_.File("agent.log"));
  return out;
}

}  // namespace wattline::testing
