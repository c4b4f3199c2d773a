#include "aggregator/http/socket_stream.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>
#include <chrono>
#include <climits>
#include <string>

#include "aggregator/pki/openssl_error.h"
#include "aggregator/pki/x509_builder.h"

namespace wattline::aggregator {
namespace {

void SetTimeouts(int fd, int64_t timeout_ms) {
  timeval timeout{static_cast<time_t>(timeout_ms / 1000),
                  static_cast<suseconds_t>(timeout_ms % 1000 * 1000)};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
}

class PlainStream final : public SocketStream {
 public:
  using SocketStream::SocketStream;

  ssize_t Read(char* buffer, size_t size) override {
    ssize_t got;
    do {
      got = recv(fd_, buffer, size, 0);
    } while (got < 0 && errno == EINTR);
    return got;
  }

  // Sleeps in recv() itself, which SO_RCVTIMEO bounds, while a whole I/O
  // timeout of the wait is left, and in poll() for the rest: woken by the
  // request, the thread has it at once. poll() then recv() was a system
  // call more per request, and 8% of a last value's latency on a kept-alive
  // connection (docs/performance.md).
  ssize_t ReadWithin(char* buffer, size_t size, int64_t wait_ms) override {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
    while (deadline - std::chrono::steady_clock::now() >=
           std::chrono::milliseconds(io_timeout_ms_)) {
      const ssize_t got = Read(buffer, size);
      if (got >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) return got;
    }
    return SocketStream::ReadWithin(buffer, size,
                                    std::chrono::duration_cast<std::chrono::milliseconds>(
                                        deadline - std::chrono::steady_clock::now())
                                        .count());
  }

  bool Write(std::string_view head, std::string_view body) override {
    iovec parts[2] = {{const_cast<char*>(head.data()), head.size()},
                      {const_cast<char*>(body.data()), body.size()}};
    iovec* next = parts;
    int left = body.empty() ? 1 : 2;
    while (left > 0) {
      msghdr message{};
      message.msg_iov = next;
      message.msg_iovlen = static_cast<size_t>(left);
      ssize_t sent = sendmsg(fd_, &message, MSG_NOSIGNAL);
      if (sent < 0 && errno == EINTR) continue;
      if (sent <= 0) return false;
      // Past what went out: whole parts, then into the one it ended in.
      for (auto done = static_cast<size_t>(sent); left > 0 && done >= next->iov_len; --left) {
        done -= next->iov_len;
        sent = static_cast<ssize_t>(done);
        ++next;
      }
      if (left > 0) {
        next->iov_base = static_cast<char*>(next->iov_base) + sent;
        next->iov_len -= static_cast<size_t>(sent);
      }
    }
    return true;
  }
};

// The verified peer's CN, or "" (no certificate, or an ambiguous one).
std::string PeerCommonName(const SSL* ssl) {
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (cert == nullptr) return {};
  Result<std::string> name = CertificateCommonName(cert);
  X509_free(cert);
  return name.ok() ? *name : std::string();
}

class TlsStream final : public SocketStream {
 public:
  TlsStream(int fd, int64_t io_timeout_ms, SSL* ssl) : SocketStream(fd, io_timeout_ms), ssl_(ssl) {}
  ~TlsStream() override { SSL_free(ssl_); }

  Status Handshake() {
    ClearOpenSslErrors();
    SSL_set_fd(ssl_, fd_);
    if (SSL_accept(ssl_) != 1) return OpenSslError("TLS handshake", &Status::Unavailable);
    peer_identity_ = PeerCommonName(ssl_);
    return Status::Ok();
  }

  bool WaitReadable(int64_t timeout_ms) const override {
    return SSL_pending(ssl_) > 0 || SocketStream::WaitReadable(timeout_ms);
  }

  ssize_t Read(char* buffer, size_t size) override {
    const int got = SSL_read(ssl_, buffer, static_cast<int>(std::min<size_t>(size, INT_MAX)));
    if (got > 0) return got;
    ClearOpenSslErrors();
    return SSL_get_error(ssl_, got) == SSL_ERROR_ZERO_RETURN ? 0 : -1;
  }

  // One SSL_write, so head and body share records. Without
  // SSL_MODE_ENABLE_PARTIAL_WRITE it writes everything or fails.
  bool Write(std::string_view head, std::string_view body) override {
    std::string all;
    all.reserve(head.size() + body.size());
    all.append(head).append(body);
    for (std::string_view left = all; !left.empty();) {
      const int chunk = static_cast<int>(std::min<size_t>(left.size(), INT_MAX));
      const int sent = SSL_write(ssl_, left.data(), chunk);
      if (sent <= 0) {
        ClearOpenSslErrors();
        return false;
      }
      left.remove_prefix(static_cast<size_t>(sent));
    }
    return true;
  }

 private:
  SSL* const ssl_;
};

}  // namespace

Result<std::unique_ptr<SocketStream>> SocketStream::Accept(int fd, ssl_ctx_st* tls,
                                                           int64_t io_timeout_ms) {
  SetTimeouts(fd, io_timeout_ms);
  if (tls == nullptr) return std::unique_ptr<SocketStream>(new PlainStream(fd, io_timeout_ms));
  SSL* ssl = SSL_new(tls);
  if (ssl == nullptr) return OpenSslError("SSL_new");
  auto stream = std::make_unique<TlsStream>(fd, io_timeout_ms, ssl);
  if (Status shaken = stream->Handshake(); !shaken.ok()) return shaken;
  return std::unique_ptr<SocketStream>(std::move(stream));
}

SocketStream::~SocketStream() = default;

bool SocketStream::WaitReadable(int64_t timeout_ms) const {
  pollfd wait{fd_, POLLIN, 0};
  int ready;
  do {
    ready = poll(&wait, 1, static_cast<int>(std::min<int64_t>(timeout_ms, INT_MAX)));
  } while (ready < 0 && errno == EINTR);
  return ready > 0;
}

ssize_t SocketStream::ReadWithin(char* buffer, size_t size, int64_t wait_ms) {
  if (wait_ms <= 0 || !WaitReadable(wait_ms)) return -1;
  return Read(buffer, size);
}

}  // namespace wattline::aggregator
