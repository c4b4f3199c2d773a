// The real processes of a system test: an aggregator with a fresh PKI, a
// Shelly Pro 3EM simulator and an agent, on loopback ports picked at run time
// (each binds port 0 and reports the port it got), in a temporary directory.
#ifndef WATTLINE_TESTS_SUPPORT_SYSTEM_STACK_H_
#define WATTLINE_TESTS_SUPPORT_SYSTEM_STACK_H_

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/testing/temp_dir.h"
#include "tests/support/child_process.h"
#include "tests/support/simulator_process.h"

namespace wattline::testing {

// Binaries under test, compiled in by CMake.
struct Binaries {
  static std::string Aggregator();
  static std::string Agent();
  static std::string ShellySim();  // the Pro 3EM
  static std::string ShellyGen1Sim();
  static std::string ShellySwitchSim();
  static std::string ModbusSim();
  // The armel agent and the emulator that runs it, or "" when not built.
  static std::string ArmelAgent();
};

// The value of the unlabelled series `name` in the Prometheus text
// exposition `metrics` (a /metrics body); -1 when it is not there.
int64_t MetricValue(const std::string& metrics, const std::string& name);

class SystemStack {
 public:
  SystemStack();
  ~SystemStack();

  const TempDir& dir() const { return dir_; }
  std::string pki_dir() const { return dir_.File("pki"); }

  // Creates the PKI and starts the aggregator; waits until it listens.
  Status StartAggregator();
  void StopAggregator();
  Status StartSimulator();
  void StopSimulator();
  // Issues a certificate for `agent_name` and starts an agent polling the
  // simulator every `poll_ms`, sealing every `seal_ms`. `launcher` runs the
  // binary (e.g. {"/usr/bin/qemu-arm", "-cpu", "arm1176"}); empty: directly.
  Status StartAgent(const std::string& agent_binary, const std::vector<std::string>& launcher,
                    const std::string& agent_name, int poll_ms, int seal_ms);
  // Issues a certificate for `agent_name` and writes an agent config at
  // AgentConfigPath() with the given `sources:` entries (YAML, indented as
  // list items) and extra top-level sections (e.g. an `mqtt:` section).
  Status WriteAgentConfig(const std::string& agent_name, int seal_ms,
                          const std::string& sources_yaml, const std::string& extra_yaml);
  // WriteAgentConfig, then starts the agent (under `launcher`, as above).
  Status StartAgentWithSources(const std::string& agent_binary,
                               const std::vector<std::string>& launcher,
                               const std::string& agent_name, int seal_ms,
                               const std::string& sources_yaml, const std::string& extra_yaml);
  // Where the agent's config was written.
  std::string AgentConfigPath() const;
  void StopAgent();

  // For fault tests. The agent's config: where it keeps its data (default
  // <dir>/agent-data), the port its upload URL names (a TcpProxy's, say; 0,
  // the default: the aggregator's ingest port) and extra keys of its
  // `agent:` section (lines indented two spaces). Each applies to the next
  // WriteAgentConfig.
  void SetAgentDataDir(const std::string& path) { agent_data_dir_ = path; }
  std::string AgentDataDir() const;
  void SetAgentUploadPort(int port) { agent_upload_port_ = port; }
  void SetAgentSectionYaml(const std::string& yaml) { agent_section_yaml_ = yaml; }
  // Starts (again) the agent with the config already written at
  // AgentConfigPath(); its log goes on in the same file.
  Status StartWrittenAgent(const std::string& agent_binary,
                           const std::vector<std::string>& launcher);
  // SIGKILL, as a power cut or the OOM killer would; waits for the exit.
  void KillAgent();
  bool AgentRunning();
  // Extra top-level sections of the aggregator's config (e.g. "storage:\n
  // flush_quiet: 0s\n"), for the next StartAggregator or RestartAggregator.
  void SetAggregatorYaml(const std::string& yaml) { aggregator_yaml_ = yaml; }
  // Where the aggregator keeps its data (default <dir>/aggregator-data), for
  // the next StartAggregator or RestartAggregator.
  void SetAggregatorDataDir(const std::string& path) { aggregator_data_dir_ = path; }
  void KillAggregator();
  // Sends `signal` to the running aggregator (SIGHUP reloads its rules).
  void SignalAggregator(int signal);
  // Starts the aggregator again, after StopAggregator or KillAggregator, on
  // the ports it had before, with the same storage and PKI.
  Status RestartAggregator();
  bool AggregatorRunning();
  // The aggregator's storage file (SQLite; a reader, between its writes or
  // after it stopped, does not disturb it).
  std::string AggregatorStoragePath() const;
  std::string AggregatorDataDir() const;

  int ingest_port() const { return ingest_port_; }
  int api_port() const { return api_port_; }
  // The Pro 3EM simulator's served log so far (final once it is stopped).
  std::string ServedLogText() const { return simulator_ ? simulator_->ServedLogText() : ""; }

  // GET on the API listener with URL-encoded `params`; the body of a 200
  // answer, or the error.
  Result<std::string> ApiGet(const std::string& path,
                             const std::vector<std::pair<std::string, std::string>>& params = {});
  // The raw samples (ms, value) of the one series `selector` names, read
  // with the range-vector query selector[window] at time now.
  Result<std::vector<std::pair<int64_t, double>>> RawSamples(const std::string& selector);
  // The value of the unlabelled series `name` on the aggregator's /metrics;
  // -1 when it is not there or the aggregator does not answer.
  int64_t AggregatorMetric(const std::string& name);
  // Everything the processes logged, for failure messages.
  std::string Logs() const;

 private:
  // Starts the aggregator listening on these ports (0: any).
  Status StartAggregatorOn(int ingest_port, int api_port);

  TempDir dir_;
  std::string agent_data_dir_;
  int agent_upload_port_ = 0;
  std::string agent_section_yaml_;
  std::string aggregator_yaml_;
  std::string aggregator_data_dir_;
  std::unique_ptr<ChildProcess> aggregator_;
  std::unique_ptr<SimulatorProcess> simulator_;
  std::unique_ptr<ChildProcess> agent_;
  int ingest_port_ = 0;
  int api_port_ = 0;
};

}  // namespace wattline::testing

#endif  // WATTLINE_TESTS_SUPPORT_SYSTEM_STACK_H_
