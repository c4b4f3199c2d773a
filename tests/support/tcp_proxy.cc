#include "tests/support/tcp_proxy.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace wattline::testing {

sockaddr_in LoopbackAddress(int port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}
namespace {

constexpr size_t kChunk = 64 * 1024;

// Closes with a reset rather than a FIN, as a port nobody listens on does.
void Reset(int fd) {
  linger abort{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
  ::close(fd);
}

// -1 when the target refuses (the aggregator is down).
int ConnectTarget(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in address = LoopbackAddress(port);
  // Blocking: on loopback, connect() is answered at once.
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  ::fcntl(fd, F_SETFL, O_NONBLOCK);
  return fd;
}

bool WouldBlock() { return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR; }

// Reads what `fd` has into `buffer`. False on an error; sets `eof` at the end.
bool ReadInto(int fd, std::string& buffer, bool& eof) {
  char chunk[kChunk];
  ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
  if (n > 0) buffer.append(chunk, static_cast<size_t>(n));
  if (n == 0) eof = true;
  return n >= 0 || WouldBlock();
}

// Writes what it can of `buffer` to `fd`. False on an error.
bool WriteFrom(int fd, std::string& buffer, std::atomic<int64_t>& counter) {
  ssize_t n = ::send(fd, buffer.data(), buffer.size(), MSG_NOSIGNAL);
  if (n < 0) return WouldBlock();
  buffer.erase(0, static_cast<size_t>(n));
  counter += n;
  return true;
}

}  // namespace

struct TcpProxy::Connection {
  ~Connection() {
    if (client_fd >= 0) ::close(client_fd);
    if (target_fd >= 0) ::close(target_fd);
  }
  int client_fd = -1;
  int target_fd = -1;
  bool held = false;  // black-holed: read and discard, never forward
  bool deaf = false;  // losing responses: forward to the target only
  std::string to_target;
  std::string to_client;
  bool client_eof = false;
  bool target_eof = false;
  bool target_shut = false;
  bool client_shut = false;
};

Result<std::unique_ptr<TcpProxy>> TcpProxy::Start(int target_port) {
  int listen_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (listen_fd < 0) return Status::IoError(std::string("proxy socket: ") + std::strerror(errno));
  sockaddr_in address = LoopbackAddress(0);
  socklen_t length = sizeof address;
  if (::bind(listen_fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listen_fd, 64) != 0 ||
      ::getsockname(listen_fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    Status error = Status::IoError(std::string("proxy listen: ") + std::strerror(errno));
    ::close(listen_fd);
    return error;
  }
  int wake_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd < 0) {
    ::close(listen_fd);
    return Status::IoError(std::string("proxy eventfd: ") + std::strerror(errno));
  }
  return std::unique_ptr<TcpProxy>(
      new TcpProxy(listen_fd, wake_fd, ntohs(address.sin_port), target_port));
}

TcpProxy::TcpProxy(int listen_fd, int wake_fd, int port, int target_port)
    : listen_fd_(listen_fd), wake_fd_(wake_fd), port_(port), target_port_(target_port) {
  thread_ = std::thread([this] { Run(); });
}

TcpProxy::~TcpProxy() {
  stop_ = true;
  uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof one);
  thread_.join();
  ::close(listen_fd_);
  ::close(wake_fd_);
}

void TcpProxy::SetMode(Mode mode) {
  mode_ = mode;
  uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof one);
}

void TcpProxy::Accept(std::vector<std::unique_ptr<Connection>>& connections) {
  for (;;) {
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) return;
    ++accepted_;
    auto connection = std::make_unique<Connection>();
    switch (mode_.load()) {
      case Mode::kRefuse:
        Reset(fd);
        continue;
      case Mode::kBlackhole:
        connection->client_fd = fd;
        connection->held = true;
        break;
      case Mode::kForward:
      case Mode::kLoseResponses:
        connection->target_fd = ConnectTarget(target_port_);
        if (connection->target_fd < 0) {
          Reset(fd);
          continue;
        }
        connection->client_fd = fd;
        break;
    }
    connections.push_back(std::move(connection));
  }
}

bool TcpProxy::Service(Connection& c, short client_events, short target_events) {
  if (c.held) {
    // Swallow what the client sends; notice only that it went away.
    if (client_events != 0) {
      std::string discard;
      bool eof = false;
      if (!ReadInto(c.client_fd, discard, eof) || eof) return false;
    }
    return true;
  }
  if ((client_events & POLLIN) && !ReadInto(c.client_fd, c.to_target, c.client_eof)) return false;
  if ((target_events & POLLIN) && !ReadInto(c.target_fd, c.to_client, c.target_eof)) return false;
  if (c.deaf) {
    bytes_lost_ += static_cast<int64_t>(c.to_client.size());
    c.to_client.clear();
  }
  if ((target_events & POLLOUT) && !WriteFrom(c.target_fd, c.to_target, bytes_forwarded_)) {
    return false;
  }
  if ((client_events & POLLOUT) && !WriteFrom(c.client_fd, c.to_client, bytes_forwarded_)) {
    return false;
  }
  // A peer's end of stream is passed on once what it sent before is through.
  if (c.client_eof && c.to_target.empty() && !c.target_shut) {
    ::shutdown(c.target_fd, SHUT_WR);
    c.target_shut = true;
  }
  if (c.target_eof && c.to_client.empty() && !c.client_shut) {
    ::shutdown(c.client_fd, SHUT_WR);
    c.client_shut = true;
  }
  if (c.target_shut && c.client_shut) return false;
  // A reset, or a hang-up while this side's buffer was full.
  constexpr short kBroken = POLLERR | POLLHUP | POLLNVAL;
  return !((client_events & kBroken) || (target_events & kBroken));
}

void TcpProxy::Run() {
  std::vector<std::unique_ptr<Connection>> connections;
  std::vector<pollfd> fds;
  // Connections lose responses when the mode becomes kLoseResponses, not
  // when it merely is: those opened since are forwarded.
  Mode applied = Mode::kForward;
  while (!stop_) {
    fds.clear();
    fds.push_back({listen_fd_, POLLIN, 0});
    fds.push_back({wake_fd_, POLLIN, 0});
    for (const auto& c : connections) {
      short client = POLLIN;
      short target = 0;
      if (!c->held) {
        client = static_cast<short>((c->to_target.empty() && !c->client_eof ? POLLIN : 0) |
                                    (c->to_client.empty() ? 0 : POLLOUT));
        target = static_cast<short>((c->to_client.empty() && !c->target_eof ? POLLIN : 0) |
                                    (c->to_target.empty() ? 0 : POLLOUT));
      }
      fds.push_back({c->client_fd, client, 0});
      // A held connection's target is kept open but no longer watched.
      fds.push_back({c->held ? -1 : c->target_fd, target, 0});
    }
    if (::poll(fds.data(), fds.size(), 1000) < 0 && errno != EINTR) return;
    if (fds[1].revents != 0) {
      uint64_t count = 0;
      (void)!::read(wake_fd_, &count, sizeof count);
      const Mode mode = mode_.load();
      if (mode == Mode::kBlackhole) {
        for (auto& c : connections) c->held = true;
        // What poll() saw for them belongs to forwarding, now over.
        for (size_t i = 2; i < fds.size(); ++i) fds[i].revents = 0;
      }
      if (mode == Mode::kLoseResponses && applied != Mode::kLoseResponses) {
        for (auto& c : connections) c->deaf = true;
      }
      applied = mode;
    }
    std::vector<std::unique_ptr<Connection>> kept;
    for (size_t i = 0; i < connections.size(); ++i) {
      if (Service(*connections[i], fds[2 + 2 * i].revents, fds[3 + 2 * i].revents)) {
        kept.push_back(std::move(connections[i]));
      }
    }
    connections = std::move(kept);
    if (fds[0].revents & POLLIN) Accept(connections);
  }
}

}  // namespace wattline::testing
