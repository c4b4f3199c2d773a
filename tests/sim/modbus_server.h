// The serving loop of modbus-meter-sim: one or more simulated meters (units)
// behind a libmodbus 3.1.6 server, over Modbus TCP (many clients, select())
// or over one RTU serial line (several unit ids on the line).
//
// Per request, in this order (DEVICES.md D.1, D.5):
//   1. no unit with that id: no answer (result "no_unit")
//   2. fault silent: no answer, the client times out ("silent")
//   3. fault exception:CODE: exception CODE ("exception:CODE")
//   4. a function the model does not answer (Eastron: only 3, 4, 16), or
//      one libmodbus does not serve (all but 1-6, 15, 16, 17, 22, 23): exc. 1
//   5. Eastron: odd start address or odd count (FC 3, 4, 16): exception 2
//   6. a read of more registers than the limit (fault max_registers:N, else
//      the model's, 80 for Eastron; FC 3, 4, 23): exception 3
//   7. libmodbus's own checks, done here first so that the log is exact:
//      a count of 0 or above 125 registers / 2000 bits: exception 3; an
//      address range outside the meter's map: exception 2
//   8. modbus_reply() answers from the meter's map ("ok"); writes change it.
//
// The served log gets one line per request, flushed at once:
//   unit=<id> fc=<function> addr=<address> count=<count> result=<result>
// with addr and count those of the request (for FC 5/6/22 count is 1, for
// FC 23 the read part, for other functions 0 and 0).
//
// Thread-safety: a server is used from one thread.
#ifndef WATTLINE_TESTS_SIM_MODBUS_SERVER_H_
#define WATTLINE_TESTS_SIM_MODBUS_SERVER_H_

#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "tests/sim/modbus_unit_config.h"

namespace wattline::sim {

struct RtuOptions {
  std::string device;
  int baud = 9600;
  char parity = 'N';  // 'N', 'E' or 'O'
  int stop_bits = 1;  // 1 or 2; 8 data bits always
};

class ModbusMeterServer {
 public:
  // `units`: at least one, distinct ids. `served_log`: not owned, may be
  // nullptr; must outlive the server.
  static Result<std::unique_ptr<ModbusMeterServer>> Create(std::vector<UnitConfig> units,
                                                           std::FILE* served_log);
  ~ModbusMeterServer();
  ModbusMeterServer(const ModbusMeterServer&) = delete;
  ModbusMeterServer& operator=(const ModbusMeterServer&) = delete;

  // Listens on `address` (dotted IPv4) and `port` (0: the kernel picks),
  // calls `on_listening` with the bound port, then serves until `stop_fd`
  // becomes readable (a signalfd, a pipe). Returns OK then, or the error
  // that ended serving (cannot bind, `on_listening` failed, select failed).
  // A client that breaks the protocol is disconnected; others go on.
  Status ServeTcp(const std::string& address, int port,
                  const std::function<Status(int port)>& on_listening, int stop_fd);

  // Opens the serial device (a tty or a pty), calls `on_ready`, then serves
  // until `stop_fd` is readable. Frames with a bad CRC are dropped; so is a
  // partial frame after 100 ms of silence. Returns an error if the device
  // cannot be opened or reports an error or end of file.
  Status ServeRtu(const RtuOptions& options, const std::function<Status()>& on_ready, int stop_fd);

 private:
  class Impl;
  explicit ModbusMeterServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace wattline::sim

#endif  // WATTLINE_TESTS_SIM_MODBUS_SERVER_H_
