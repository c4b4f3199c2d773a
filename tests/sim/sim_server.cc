#include "tests/sim/sim_server.h"

#include <httplib.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

namespace wattline::sim {

int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool WritePortFile(const std::string& path, int port) {
  const std::string tmp = path + ".tmp";
  std::FILE* file = std::fopen(tmp.c_str(), "w");
  if (file == nullptr) return false;
  const bool written = std::fprintf(file, "%d\n", port) > 0;
  if (std::fclose(file) != 0 || !written) return false;
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

int ServeUntilSignal(httplib::Server& server, const ServeOptions& options, const char* name) {
  // Signals are taken by sigwait() in this thread only; the server's threads,
  // created by listen_after_bind() below, inherit the blocked mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  // stop() waits for workers, and a worker holding an idle keep-alive
  // connection waits out this timeout (default 5 s) before it notices.
  server.set_keep_alive_timeout(1);
  const int port = options.port == 0
                       ? server.bind_to_any_port(options.listen)
                       : (server.bind_to_port(options.listen, options.port) ? options.port : -1);
  if (port <= 0) {
    std::fprintf(stderr, "%s: cannot listen on %s:%d\n", name, options.listen.c_str(),
                 options.port);
    return 1;
  }
  std::printf("listening on %s:%d\n", options.listen.c_str(), port);
  std::fflush(stdout);
  if (!options.port_file.empty() && !WritePortFile(options.port_file, port)) {
    std::fprintf(stderr, "%s: cannot write %s: %s\n", name, options.port_file.c_str(),
                 std::strerror(errno));
    return 1;
  }

  std::atomic<bool> failed{false};
  std::atomic<bool> returned{false};
  std::thread serve([&] {
    failed = !server.listen_after_bind();
    returned = true;
    if (failed) kill(getpid(), SIGTERM);  // wakes sigwait() below
  });
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  // stop() does nothing until the accept loop runs; a signal can come first.
  while (!returned && !server.is_running()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  server.stop();
  serve.join();
  return failed ? 1 : 0;
}

std::unique_ptr<ServedLog> ServedLog::Open(const std::string& path, const char* name) {
  std::FILE* file = nullptr;
  if (!path.empty()) {
    file = std::fopen(path.c_str(), "a");
    if (file == nullptr) {
      std::fprintf(stderr, "%s: cannot open %s: %s\n", name, path.c_str(), std::strerror(errno));
      return nullptr;
    }
  }
  return std::unique_ptr<ServedLog>(new ServedLog(file, name));
}

ServedLog::~ServedLog() {
  if (file_ != nullptr) std::fclose(file_);
}

void ServedLog::Append(int64_t served_at_ms, std::string_view method,
                       std::string_view result_text) {
  std::lock_guard<std::mutex> lock(mu_);
  if (file_ == nullptr) return;
  std::string line = "{\"served_at_ms\":" + std::to_string(served_at_ms) + ",\"method\":\"";
  line += method;
  line += "\",\"result\":";
  line += result_text;
  line += "}\n";
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() || std::fflush(file_) != 0) {
    std::fprintf(stderr, "%s: cannot write served log: %s\n", name_, std::strerror(errno));
  }
}

}  // namespace wattline::sim
