#include "agent/shelly/shelly_source_testing.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include <chrono>

#include "common/config/config_tree.h"

namespace wattline::agent::testing {

struct SourceLoop::Impl {
  uv_loop_t loop;
  uv_timer_t wake;  // keeps uv_run(UV_RUN_ONCE) returning while the test waits
};

SourceLoop::SourceLoop() : impl_(std::make_unique<Impl>()) {
  uv_loop_init(&impl_->loop);
  uv_timer_init(&impl_->loop, &impl_->wake);
}

SourceLoop::~SourceLoop() {
  source_.reset();
  uv_close(reinterpret_cast<uv_handle_t*>(&impl_->wake), nullptr);
  // Until the source's timer is closed and its pool work has come back.
  uv_run(&impl_->loop, UV_RUN_DEFAULT);
  uv_loop_close(&impl_->loop);
}

Status SourceLoop::Start(const SourceType& type, const std::string& yaml_entry) {
  Result<ConfigNode> entry = ParseYamlConfig(yaml_entry, "test.yaml");
  if (!entry.ok()) return entry.status();
  Result<SourceConfig> config = type.read(*entry, SourceConfigContext{});
  if (!config.ok()) return config.status();
  SourceEnv env;
  env.loop = &impl_->loop;
  env.clock = &clock_;
  env.sink = [this](Samples&& samples) { batches_.push_back(std::move(samples)); };
  Result<std::unique_ptr<Source>> source = config->create(env);
  if (!source.ok()) return source.status();
  source_ = std::move(*source);
  return source_->Start();
}

bool SourceLoop::RunUntil(const std::function<bool()>& done, int timeout_ms) {
  uv_timer_start(
      &impl_->wake, [](uv_timer_t*) {}, 10, 10);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    uv_run(&impl_->loop, UV_RUN_ONCE);
  }
  uv_timer_stop(&impl_->wake);
  return done();
}

void SourceLoop::StopSource() {
  if (source_ == nullptr) return;
  source_->Stop();
  // A poll in flight keeps the loop alive until it has come back (within the
  // source's timeout); nothing else is active once the timers are stopped.
  while (uv_loop_alive(&impl_->loop) != 0) uv_run(&impl_->loop, UV_RUN_ONCE);
}

DeviceHealth SourceLoop::Health() const {
  std::vector<DeviceHealth> health;
  if (source_ != nullptr) source_->AppendHealth(&health);
  return health.empty() ? DeviceHealth{} : health.front();
}

ScriptedHttpServer::ScriptedHttpServer(std::vector<std::string> responses)
    : responses_(std::move(responses)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listen_fd_, 16) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    return;  // port_ stays 0; the test's requests then fail to connect
  }
  port_ = ntohs(address.sin_port);
  thread_ = std::thread([this] { Serve(); });
}

ScriptedHttpServer::~ScriptedHttpServer() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

void ScriptedHttpServer::Serve() {
  while (!stop_) {
    pollfd listening{listen_fd_, POLLIN, 0};
    if (::poll(&listening, 1, 50) <= 0) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    // Reads the request head (no request of the sources has a body).
    std::string request;
    char buffer[4096];
    while (request.find("\r\n\r\n") == std::string::npos) {
      pollfd readable{fd, POLLIN, 0};
      if (::poll(&readable, 1, 2000) <= 0) break;
      const ssize_t n = ::read(fd, buffer, sizeof buffer);
      if (n <= 0) break;
      request.append(buffer, static_cast<size_t>(n));
    }
    const int index = requests_++;
    const std::string& response = responses_[static_cast<size_t>(index) % responses_.size()];
    size_t written = 0;
    while (written < response.size()) {
      const ssize_t n =
          ::send(fd, response.data() + written, response.size() - written, MSG_NOSIGNAL);
      if (n <= 0) break;
      written += static_cast<size_t>(n);
    }
    ::shutdown(fd, SHUT_RDWR);
    ::close(fd);
  }
}

std::map<std::string, double> ByName(const Samples& samples) {
  std::map<std::string, double> out;
  for (const Sample& sample : samples) out[LabelsToString(sample.labels)] = sample.value;
  return out;
}

}  // namespace wattline::agent::testing
