// What the HTTP device simulators share besides their devices: binding and
// announcing the port, serving until SIGTERM or SIGINT, and the served log
// tests compare the agent's samples against. Their shared flags are in
// sim_flags.h.
#ifndef WATTLINE_TESTS_SIM_SIM_SERVER_H_
#define WATTLINE_TESTS_SIM_SIM_SERVER_H_

#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace httplib {
class Server;
}

namespace wattline::sim {

struct ServeOptions {
  std::string listen = "127.0.0.1";
  int port = 0;           // 0: an ephemeral port
  std::string port_file;  // where to write the bound port, or ""
};

// Milliseconds since the Unix epoch, from the system clock.
int64_t NowUnixMs();

// Writes "PORT\n" to `path` via a temporary file and rename(2), so a reader
// sees either no file or the whole of it.
bool WritePortFile(const std::string& path, int port);

// Binds `server` (routes already set), prints "listening on ADDR:PORT" to
// stdout, writes the port file, and serves until SIGTERM or SIGINT. Returns
// the exit status: 0 after a signal, 1 when binding, writing the port file or
// serving failed (the reason goes to stderr, prefixed with `name`). Idle
// keep-alive connections are closed after 1 s so that stopping is quick.
// REQUIRES: called on the main thread before any other thread exists (it
// blocks the stop signals so that only its sigwait() takes them).
int ServeUntilSignal(httplib::Server& server, const ServeOptions& options, const char* name);

// One line per answered status request, appended and flushed at once:
//   {"served_at_ms":<unix ms the values are for>,"method":"<what>","result":<body>}
// `result` is the very text sent as the body, so numbers match byte for byte.
// Thread-safe; callers that need lines in model order hold their own lock
// across computing and Append().
class ServedLog {
 public:
  // Opens `path` for appending; an empty `path` gives a log that writes
  // nothing. nullptr (and the reason on stderr) when it cannot be opened.
  static std::unique_ptr<ServedLog> Open(const std::string& path, const char* name);
  ~ServedLog();
  ServedLog(const ServedLog&) = delete;
  ServedLog& operator=(const ServedLog&) = delete;

  void Append(int64_t served_at_ms, std::string_view method, std::string_view result_text);

 private:
  ServedLog(std::FILE* file, const char* name) : file_(file), name_(name) {}

  std::mutex mu_;
  std::FILE* file_;  // GUARDED_BY(mu_); nullptr: writes nothing
  const char* name_;
};

}  // namespace wattline::sim

#endif  // WATTLINE_TESTS_SIM_SIM_SERVER_H_
