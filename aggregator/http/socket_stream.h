// One accepted connection's bytes, plain or TLS, with timeouts: what the
// HTTP listener (http_connection.cc) reads requests from and writes answers
// to. Blocking calls on the connection's own thread; the socket's
// SO_RCVTIMEO/SO_SNDTIMEO bound every wait, so a peer that stops sending or
// reading costs a thread for at most the I/O timeout.
//
// The stream does not own its socket: the listener accepts it, shuts it
// down from another thread to stop (a waiting Read() then reports the end
// of the stream), and closes it once the stream is gone.
#ifndef WATTLINE_AGGREGATOR_HTTP_SOCKET_STREAM_H_
#define WATTLINE_AGGREGATOR_HTTP_SOCKET_STREAM_H_

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

struct ssl_ctx_st;  // SSL_CTX, kept out of this header's includers

namespace wattline::aggregator {

class SocketStream {
 public:
  // Sets `fd`'s I/O timeouts. With `tls`, runs the server side of the
  // handshake first; the handshake fails without a client certificate the
  // context verifies. `fd` stays open either way.
  static Result<std::unique_ptr<SocketStream>> Accept(int fd, ssl_ctx_st* tls,
                                                      int64_t io_timeout_ms);
  virtual ~SocketStream();
  SocketStream(const SocketStream&) = delete;
  SocketStream& operator=(const SocketStream&) = delete;

  // Whether bytes arrive (or the peer closes) within `timeout_ms`; true at
  // once when some are already buffered (TLS).
  virtual bool WaitReadable(int64_t timeout_ms) const;
  // Reads what is there, up to `size`: > 0 bytes, 0 at the end of the
  // stream, < 0 on an error or the I/O timeout.
  virtual ssize_t Read(char* buffer, size_t size) = 0;
  // Read(), waiting up to `wait_ms` for the first bytes (which may be
  // longer or shorter than the I/O timeout): a kept-alive connection's wait
  // for its next request. < 0 also when nothing came within `wait_ms`.
  virtual ssize_t ReadWithin(char* buffer, size_t size, int64_t wait_ms);
  // Writes `head` then `body`, all of both, as one send where it can.
  virtual bool Write(std::string_view head, std::string_view body) = 0;
  // The verified client certificate's common name on TLS, else "".
  const std::string& peer_identity() const { return peer_identity_; }

 protected:
  SocketStream(int fd, int64_t io_timeout_ms) : fd_(fd), io_timeout_ms_(io_timeout_ms) {}
  const int fd_;
  const int64_t io_timeout_ms_;  // SO_RCVTIMEO and SO_SNDTIMEO
  std::string peer_identity_;
};

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_HTTP_SOCKET_STREAM_H_
