// modbus-meter-sim: Modbus meters served by libmodbus, for tests. The meters
// and their values are in modbus_register_maps.h; how a request is answered
// is in modbus_server.h.
//
//   modbus-meter-sim --tcp 127.0.0.1:0 --port-file FILE  --unit ... [options]
//   modbus-meter-sim --rtu /path/to/pty --baud 9600 --parity N|E|O
//                    [--stop-bits 1|2]                 --unit ... [options]
//
//   --tcp ADDR:PORT     Modbus TCP on a dotted IPv4 address; port 0 lets the
//                       kernel choose. Any number of clients (select()).
//   --port-file FILE    with --tcp: once listening, the port number and a
//                       newline are written to FILE atomically (temporary
//                       file, rename), so a test can wait for the file.
//   --rtu DEVICE        Modbus RTU on a serial device or pty, 8 data bits;
//   --baud N            default 9600;
//   --parity N|E|O      default N;
//   --stop-bits 1|2     default 1.
//   --ready-file FILE   optional, TCP or RTU: "ready" and a newline are
//                       written to FILE atomically once serving (for RTU, once
//                       the device is open).
//   --unit ID:MODEL[:OPTIONS]   repeatable; unit id ID (1..255) answers as
//                       MODEL: sdm120, sdm630, sdm72, sunspec203,
//                       shelly_pro3em or pattern. OPTIONS, comma-separated:
//                       sunspec203 takes base=40000|50000|0 (where "SunS"
//                       sits; default 40000).
//   --fault ID:exception:CODE   unit ID answers every request with Modbus
//                       exception CODE (1..11).
//   --fault ID:silent   unit ID never answers; the client times out.
//   --fault ID:max_registers:N  reads of more than N registers get exception
//                       3 (illegal data value), like an SDM630 refusing more
//                       than 80 (its default here).
//   --served-log FILE   append one line per request:
//                       "unit=1 fc=4 addr=0 count=76 result=ok"
//                       (result: ok, exception:N, silent, no_unit).
//
// Requests to unit ids that no --unit names are not answered. Several units
// on one RTU line each answer their own id.
//
// Output: "listening on ADDR:PORT" or "serving rtu on DEVICE" on stdout once
// ready. SIGTERM or SIGINT stop it with exit status 0; bad flags exit 2;
// failures (cannot bind, cannot open the device, device gone) exit 1.
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "tests/sim/modbus_server.h"

namespace wattline::sim {
namespace {

constexpr char kUsage[] =
    "usage: modbus-meter-sim (--tcp ADDR:PORT [--port-file FILE] |\n"
    "                         --rtu DEVICE [--baud N] [--parity N|E|O] [--stop-bits 1|2])\n"
    "                        --unit ID:MODEL[:OPTIONS]... [--fault ID:KIND[:VALUE]]...\n"
    "                        [--served-log FILE] [--ready-file FILE]\n"
    "models: sdm120 sdm630 sdm72 sunspec203 shelly_pro3em pattern\n"
    "faults: ID:exception:CODE  ID:silent  ID:max_registers:N\n";

struct Options {
  std::string tcp;  // ADDR:PORT
  std::string port_file;
  RtuOptions rtu;
  std::string ready_file;
  std::string served_log;
  std::vector<UnitConfig> units;
};

[[noreturn]] void Usage(const std::string& problem) {
  std::fprintf(stderr, "modbus-meter-sim: %s\n%s", problem.c_str(), kUsage);
  std::exit(2);
}

int ParseNumber(const std::string& flag, const std::string& value) {
  char* end = nullptr;
  errno = 0;
  const long number = std::strtol(value.c_str(), &end, 10);
  if (value.empty() || *end != '\0' || errno != 0 || number < 0 || number > 4000000) {
    Usage("bad " + flag + " \"" + value + "\"");
  }
  return static_cast<int>(number);
}

Options ParseArgs(int argc, char** argv) {
  Options options;
  std::vector<std::string> faults;  // applied once every --unit is known
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::printf("modbus-meter-sim: simulated Modbus meters\n%s", kUsage);
      std::exit(0);
    }
    if (i + 1 >= argc) Usage("missing value for " + flag);
    const std::string value = argv[++i];
    if (flag == "--tcp") {
      options.tcp = value;
    } else if (flag == "--port-file") {
      options.port_file = value;
    } else if (flag == "--rtu") {
      options.rtu.device = value;
    } else if (flag == "--baud") {
      options.rtu.baud = ParseNumber(flag, value);
    } else if (flag == "--parity") {
      if (value != "N" && value != "E" && value != "O") Usage("--parity is N, E or O");
      options.rtu.parity = value[0];
    } else if (flag == "--stop-bits") {
      if (value != "1" && value != "2") Usage("--stop-bits is 1 or 2");
      options.rtu.stop_bits = value[0] - '0';
    } else if (flag == "--ready-file") {
      options.ready_file = value;
    } else if (flag == "--served-log") {
      options.served_log = value;
    } else if (flag == "--unit") {
      Result<UnitConfig> unit = ParseUnitFlag(value);
      if (!unit.ok()) Usage(unit.status().message());
      options.units.push_back(*unit);
    } else if (flag == "--fault") {
      faults.push_back(value);
    } else {
      Usage("unknown flag " + flag);
    }
  }
  if (options.tcp.empty() == options.rtu.device.empty()) Usage("give one of --tcp and --rtu");
  if (!options.port_file.empty() && options.tcp.empty()) Usage("--port-file goes with --tcp");
  if (options.units.empty()) Usage("give at least one --unit");
  for (const std::string& fault : faults) {
    const Status status = ApplyFaultFlag(fault, &options.units);
    if (!status.ok()) Usage(status.message());
  }
  return options;
}

// Writes `contents` to `path` via a temporary file and rename(2), so a
// reader sees either no file or all of it.
Status WriteFileAtomically(const std::string& path, const std::string& contents) {
  const std::string tmp = path + ".tmp";
  std::FILE* file = std::fopen(tmp.c_str(), "w");
  if (file == nullptr) return Status::IoError("cannot write " + tmp + ": " + std::strerror(errno));
  const bool written = std::fwrite(contents.data(), 1, contents.size(), file) == contents.size();
  if (std::fclose(file) != 0 || !written || std::rename(tmp.c_str(), path.c_str()) != 0) {
    return Status::IoError("cannot write " + path + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

Status AnnounceReady(const Options& options, const std::string& line) {
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
  if (options.ready_file.empty()) return Status::Ok();
  return WriteFileAtomically(options.ready_file, "ready\n");
}

int Run(int argc, char** argv) {
  const Options options = ParseArgs(argc, argv);

  // The stop signals arrive through a signalfd that the serving loop selects on.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  sigprocmask(SIG_BLOCK, &stop_signals, nullptr);
  const int stop_fd = signalfd(-1, &stop_signals, SFD_CLOEXEC);
  if (stop_fd == -1) {
    std::fprintf(stderr, "modbus-meter-sim: signalfd: %s\n", std::strerror(errno));
    return 1;
  }

  std::FILE* served_log = nullptr;
  if (!options.served_log.empty()) {
    served_log = std::fopen(options.served_log.c_str(), "a");
    if (served_log == nullptr) {
      std::fprintf(stderr, "modbus-meter-sim: cannot open %s: %s\n", options.served_log.c_str(),
                   std::strerror(errno));
      return 1;
    }
  }
  Result<std::unique_ptr<ModbusMeterServer>> server =
      ModbusMeterServer::Create(options.units, served_log);
  if (!server.ok()) Usage(server.status().message());

  Status status;
  if (!options.tcp.empty()) {
    const size_t colon = options.tcp.rfind(':');
    if (colon == std::string::npos) Usage("--tcp wants ADDR:PORT");
    const std::string address = options.tcp.substr(0, colon);
    const int port = ParseNumber("--tcp port", options.tcp.substr(colon + 1));
    if (port > 65535) Usage("--tcp port above 65535");
    status = (*server)->ServeTcp(
        address, port,
        [&](int bound) {
          if (!options.port_file.empty()) {
            WATTLINE_RETURN_IF_ERROR(
                WriteFileAtomically(options.port_file, std::to_string(bound) + "\n"));
          }
          return AnnounceReady(options, "listening on " + address + ":" + std::to_string(bound));
        },
        stop_fd);
  } else {
    status = (*server)->ServeRtu(
        options.rtu, [&] { return AnnounceReady(options, "serving rtu on " + options.rtu.device); },
        stop_fd);
  }
  server->reset();
  if (served_log != nullptr) std::fclose(served_log);
  ::close(stop_fd);
  if (!status.ok()) {
    std::fprintf(stderr, "modbus-meter-sim: %s\n", status.ToString().c_str());
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace wattline::sim

int main(int argc, char** argv) { return wattline::sim::Run(argc, argv); }
