// A device simulator (tests/sim) as a child process on an ephemeral loopback
// port, with its served log, in a temporary directory of its own; stopped with
// SIGTERM when destroyed. One class for every simulator, so that each test
// does not start, wait for and read them its own way.
#ifndef WATTLINE_TESTS_SUPPORT_SIMULATOR_PROCESS_H_
#define WATTLINE_TESTS_SUPPORT_SIMULATOR_PROCESS_H_

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/testing/temp_dir.h"
#include "tests/support/child_process.h"

namespace wattline::testing {

// One line of an HTTP simulator's served log (tests/sim/sim_server.h).
struct ServedEntry {
  int64_t served_at_ms = 0;
  std::string method;
  nlohmann::json result;
};

// How a simulator is told to listen on a port of the kernel's choosing.
enum class SimulatorListen {
  kHttp,       // the Shelly simulators: --port 0
  kModbusTcp,  // modbus-meter-sim: --tcp 127.0.0.1:0
  kModbusRtu,  // modbus-meter-sim on a serial line (`args` name it: --rtu DEVICE):
               // no port; ready once it writes --ready-file
};

class SimulatorProcess {
 public:
  // Starts `binary` with `args`, the listen flags, --port-file (--ready-file
  // for kModbusRtu) and --served-log.
  SimulatorProcess(const std::string& binary, std::vector<std::string> args,
                   SimulatorListen listen = SimulatorListen::kHttp);
  // True once the simulator has written its port, or that it is ready (up to
  // 10 s).
  bool WaitReady();
  int port() const { return port_; }  // 0 for kModbusRtu
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // Stops the simulator, so that its served log is final.
  void Stop();
  // Stops the simulator and parses its served log (HTTP simulators).
  std::vector<ServedEntry> StopAndReadServed();
  // The served log as it is now (modbus-meter-sim's is text lines).
  std::string ServedLogText() const;
  std::string Log() const { return process_->Log(); }

 private:
  TempDir dir_;
  std::unique_ptr<ChildProcess> process_;
  bool has_port_;
  int port_ = 0;
};

}  // namespace wattline::testing

#endif  // WATTLINE_TESTS_SUPPORT_SIMULATOR_PROCESS_H_
