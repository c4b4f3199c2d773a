#include "aggregator/http/http_server.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <system_error>
#include <thread>
#include <utility>

#include "aggregator/http/http_connection.h"
#include "aggregator/http/http_routes.h"
#include "aggregator/http/socket_stream.h"
#include "aggregator/pki/openssl_error.h"
#include "common/log.h"

namespace wattline::aggregator {
namespace {

// Connections served at once; one more is answered 503 and closed. Each has
// a thread, mostly asleep in poll() between requests: a home has a few
// agents and a few Grafana users.
constexpr size_t kMaxConnections = 256;

struct SslCtxFree {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;

// Our certificate, and a client certificate required and verified against
// the client CA.
Result<SslCtxPtr> TlsContext(const HttpServerOptions& options) {
  ClearOpenSslErrors();
  SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx) return OpenSslError(options.name + ": SSL_CTX_new");
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  SSL_CTX_set_options(ctx.get(), SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  if (SSL_CTX_use_certificate_chain_file(ctx.get(), options.cert_file.c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(ctx.get(), options.key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(ctx.get()) != 1) {
    return OpenSslError(
        options.name + ": cannot load " + options.cert_file + " / " + options.key_file,
        &Status::InvalidArgument);
  }
  if (SSL_CTX_load_verify_locations(ctx.get(), options.client_ca_file.c_str(), nullptr) != 1) {
    return OpenSslError(options.name + ": cannot load client CA " + options.client_ca_file,
                        &Status::InvalidArgument);
  }
  STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(options.client_ca_file.c_str());
  if (names != nullptr) SSL_CTX_set_client_CA_list(ctx.get(), names);
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  return ctx;
}

// A listening socket on `host`:`port` (0: an ephemeral port), or -1.
int Listen(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &found) != 0) {
    return -1;
  }
  int fd = -1;
  for (addrinfo* one = found; one != nullptr && fd < 0; one = one->ai_next) {
    fd = socket(one->ai_family, one->ai_socktype | SOCK_CLOEXEC, one->ai_protocol);
    if (fd < 0) continue;
    const int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    if (bind(fd, one->ai_addr, one->ai_addrlen) != 0 || listen(fd, SOMAXCONN) != 0) {
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(found);
  return fd;
}

int BoundPort(int fd) {
  sockaddr_storage address{};
  socklen_t size = sizeof(address);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) return -1;
  if (address.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&address)->sin6_port);
  }
  return ntohs(reinterpret_cast<const sockaddr_in*>(&address)->sin_port);
}

class Listener final : public HttpServer {
 public:
  Listener(HttpServerOptions options, SslCtxPtr tls)
      : options_(std::move(options)), tls_(std::move(tls)) {}

  ~Listener() override {
    Stop();
    if (listen_fd_ >= 0) close(listen_fd_);
  }

  void Handle(const std::string& method, const std::string& path, HttpHandler handler,
              HttpRouteOptions options) override {
    routes_.Add(method, path, std::move(handler), std::move(options), options_.max_body_bytes);
  }

  Result<int> Bind() override {
    listen_fd_ = Listen(options_.host, options_.port);
    const int port = listen_fd_ < 0 ? -1 : BoundPort(listen_fd_);
    if (port <= 0) {
      return Status::Unavailable(options_.name + ": cannot listen on " + options_.host + ":" +
                                 std::to_string(options_.port) + ": " + std::strerror(errno));
    }
    return port;
  }

  void StartServing() override {
    accept_thread_ = std::thread([this] { AcceptLoop(); });
  }

  // Stops accepting, wakes every connection (one inside a handler finishes
  // it and answers first) and waits for their threads.
  void Stop() override {
    if (stopping_.exchange(true)) return;
    if (listen_fd_ >= 0) shutdown(listen_fd_, SHUT_RDWR);  // wakes accept()
    if (accept_thread_.joinable()) accept_thread_.join();
    std::unique_lock<std::mutex> lock(mutex_);
    for (int fd : connections_) shutdown(fd, SHUT_RDWR);  // wakes their reads
    connections_done_.wait(lock, [this] { return connections_.empty(); });
  }

 private:
  void AcceptLoop() {
    while (!stopping_.load()) {
      const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if (stopping_.load()) return;
        LogError(options_.name, std::string("accept: ") + std::strerror(errno));
        // Out of descriptors, say: wait, rather than spin on the error.
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        continue;
      }
      // Answers are written whole, head and body in one send: Nagle would
      // only hold the last segment back for the client's delayed ACK.
      const int yes = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (connections_.size() >= kMaxConnections) {
          static constexpr char kBusy[] =
              "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
          [[maybe_unused]] ssize_t ignored = send(fd, kBusy, sizeof(kBusy) - 1, MSG_NOSIGNAL);
          close(fd);
          continue;
        }
        connections_.insert(fd);
      }
      try {
        std::thread([this, fd] { Connection(fd); }).detach();
      } catch (const std::system_error& error) {
        // Out of threads (EAGAIN): this connection goes, the listener stays.
        LogError(options_.name, std::string("cannot start a connection's thread: ") + error.what());
        Close(fd);
      }
    }
  }

  // A connection's thread: the TLS handshake, then its requests.
  void Connection(int fd) {
    // SSL_write to a peer that has gone raises SIGPIPE, which would end
    // the process; blocked here, it stays pending on this thread.
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
    {
      Result<std::unique_ptr<SocketStream>> stream =
          SocketStream::Accept(fd, tls_.get(), options_.io_timeout_ms);
      if (!stream.ok()) {
        LogRefusedConnection(stream.status());
      } else if (!stopping_.load()) {
        ServeConnection(
            **stream, routes_,
            {.keep_alive_ms = options_.keep_alive_timeout_ms, .head_ms = options_.io_timeout_ms},
            stopping_);
      }
    }
    Close(fd);
  }

  // A failed TLS handshake: a misconfigured agent retries every few
  // seconds and a scanner tries many times, so one line a minute, with how
  // many were held back.
  void LogRefusedConnection(const Status& status) {
    const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::steady_clock::now().time_since_epoch())
                               .count();
    std::lock_guard<std::mutex> lock(refused_log_mutex_);
    if (!refused_log_.Allow(now_ms)) return;
    const uint64_t held_back = refused_log_.suppressed();
    LogWarning(options_.name,
               status.message() + (held_back == 0 ? std::string()
                                                  : " (and " + std::to_string(held_back) +
                                                        " more refused since the last such line)"));
  }

  // Closes a connection's socket, its stream gone. Under the lock, so that
  // Stop() never shuts down a number the kernel has given to another socket.
  void Close(int fd) {
    std::lock_guard<std::mutex> lock(mutex_);
    connections_.erase(fd);
    close(fd);
    if (connections_.empty()) connections_done_.notify_all();
  }

  const HttpServerOptions options_;
  const SslCtxPtr tls_;
  HttpRoutes routes_;  // written before StartServing, then only read
  int listen_fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::thread accept_thread_;
  std::mutex mutex_;
  std::condition_variable connections_done_;
  std::set<int> connections_;  // guarded by mutex_: their sockets, open until Close()
  std::mutex refused_log_mutex_;
  LogThrottle refused_log_;  // under refused_log_mutex_
};

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::Create(const HttpServerOptions& options) {
  const bool tls = !options.cert_file.empty();
  if (tls != !options.key_file.empty() || tls != !options.client_ca_file.empty()) {
    return Status::InvalidArgument(options.name + ": TLS needs cert, key and client CA together");
  }
  SslCtxPtr context;
  if (tls) {
    Result<SslCtxPtr> made = TlsContext(options);
    if (!made.ok()) return made.status();
    context = std::move(*made);
  }
  return std::unique_ptr<HttpServer>(new Listener(options, std::move(context)));
}

}  // namespace wattline::aggregator
