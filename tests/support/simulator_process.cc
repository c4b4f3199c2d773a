#include "tests/support/simulator_process.h"

#include <signal.h>

#include <sstream>

namespace wattline::testing {

SimulatorProcess::SimulatorProcess(const std::string& binary, std::vector<std::string> args,
                                   SimulatorListen listen)
    : has_port_(listen != SimulatorListen::kModbusRtu) {
  std::vector<std::string> argv = {binary};
  argv.insert(argv.end(), args.begin(), args.end());
  switch (listen) {
    case SimulatorListen::kHttp:
      argv.insert(argv.end(), {"--port", "0", "--port-file"});
      break;
    case SimulatorListen::kModbusTcp:
      argv.insert(argv.end(), {"--tcp", "127.0.0.1:0", "--port-file"});
      break;
    case SimulatorListen::kModbusRtu:
      argv.push_back("--ready-file");
      break;
  }
  // The port, or "ready" on a serial line.
  argv.insert(argv.end(), {dir_.File("ready"), "--served-log", dir_.File("served")});
  process_ = std::make_unique<ChildProcess>(argv, dir_.File("sim.log"));
}

bool SimulatorProcess::WaitReady() {
  const bool ready = WaitFor(
      [&] { return !ReadFileOrEmpty(dir_.File("ready")).empty() || !process_->Running(); },
      10'000);
  const std::string written = ReadFileOrEmpty(dir_.File("ready"));
  if (!ready || written.empty()) return false;
  if (!has_port_) return true;
  port_ = std::stoi(written);
  return port_ > 0;
}

void SimulatorProcess::Stop() { process_->Stop(SIGTERM, 5000); }

std::vector<ServedEntry> SimulatorProcess::StopAndReadServed() {
  Stop();
  std::vector<ServedEntry> entries;
  std::istringstream lines(ServedLogText());
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    nlohmann::json entry = nlohmann::json::parse(line);
    entries.push_back({entry["served_at_ms"].get<int64_t>(), entry["method"].get<std::string>(),
                       entry["result"]});
  }
  return entries;
}

std::string SimulatorProcess::ServedLogText() const { return ReadFileOrEmpty(dir_.File("served")); }

}  // namespace wattline::testing
