// A TCP proxy on loopback that fault tests put between an agent and the
// aggregator, to turn the link into what a flaky network does to it:
// forward, refuse new connections, swallow everything (a black hole, where
// TCP connects but no byte ever comes back, so TLS hangs until the client's
// timeout), or lose the answers on the connections already open (a request
// reaches the server, which acts on it, and its response never comes back).
// Plain POSIX sockets and one thread with poll().
//
// Thread-safety: SetMode() and the counters may be called from any thread;
// the forwarding itself runs on the proxy's own thread.
#ifndef WATTLINE_TESTS_SUPPORT_TCP_PROXY_H_
#define WATTLINE_TESTS_SUPPORT_TCP_PROXY_H_

#include <netinet/in.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "common/status.h"

namespace wattline::testing {

// 127.0.0.1:`port` as a socket address.
sockaddr_in LoopbackAddress(int port);

class TcpProxy {
 public:
  enum class Mode {
    kForward,        // new connections are forwarded to the target port; a
                     // refused target closes the client's connection (reset)
    kRefuse,         // new connections are reset at once
    kBlackhole,      // new connections are accepted and held without forwarding;
                     // existing ones stop forwarding too and stay held
    kLoseResponses,  // connections open when the mode is set keep forwarding
                     // client to target, but what the target sends back is
                     // discarded (its end of stream still passes); new
                     // connections are forwarded as in kForward
  };

  // Listens on 127.0.0.1 on a port of the kernel's choosing and forwards to
  // 127.0.0.1:`target_port`. Starts in kForward.
  static Result<std::unique_ptr<TcpProxy>> Start(int target_port);
  // Stops the thread and closes every socket.
  ~TcpProxy();
  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  int port() const { return port_; }
  // Takes effect for new connections at once; existing connections are held
  // when the mode becomes kBlackhole (and stay held after it changes back:
  // a real black hole does not give back what it swallowed). Likewise the
  // connections open when the mode becomes kLoseResponses lose their
  // responses for good: a byte stream with a hole in it is of no use to TLS.
  void SetMode(Mode mode);
  Mode mode() const { return mode_.load(); }

  // Connections accepted so far, whatever their fate.
  int64_t accepted() const { return accepted_.load(); }
  // Bytes passed on to the target and back to clients.
  int64_t bytes_forwarded() const { return bytes_forwarded_.load(); }
  // Bytes targets sent on connections losing responses, discarded: above
  // zero, a request got through and its answer was lost.
  int64_t bytes_lost() const { return bytes_lost_.load(); }

 private:
  struct Connection;
  TcpProxy(int listen_fd, int wake_fd, int port, int target_port);
  void Run();
  void Accept(std::vector<std::unique_ptr<Connection>>& connections);
  // Moves bytes for one connection after poll(); false when it is finished.
  bool Service(Connection& connection, short client_events, short target_events);

  const int listen_fd_;
  const int wake_fd_;  // an eventfd: SetMode() and the destructor wake poll()
  const int port_;
  const int target_port_;
  std::atomic<Mode> mode_{Mode::kForward};
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> accepted_{0};
  std::atomic<int64_t> bytes_forwarded_{0};
  std::atomic<int64_t> bytes_lost_{0};
  std::thread thread_;
};

}  // namespace wattline::testing

#endif  // WATTLINE_TESTS_SUPPORT_TCP_PROXY_H_
