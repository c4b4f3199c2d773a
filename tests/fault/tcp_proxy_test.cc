// The fault tests' proxy (tests/support/tcp_proxy.h) does to a connection
// what each mode promises, seen from a plain TCP client and an echo server.
#include "tests/support/tcp_proxy.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/child_process.h"  // WaitFor

namespace wattline::testing {
namespace {

// Echoes every byte back, one thread per connection, until destroyed.
class EchoServer {
 public:
  EchoServer() {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address = LoopbackAddress(0);
    socklen_t length = sizeof address;
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
        ::listen(listen_fd_, 16) == 0 &&
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
      port_ = ntohs(address.sin_port);
    }
    acceptor_ = std::thread([this] {
      for (;;) {
        int fd = ::accept(listen_fd_, nullptr, nullptr);
        if (fd < 0) return;
        fds_.push_back(fd);
        echoers_.emplace_back([fd] {
          char buffer[4096];
          ssize_t n;
          while ((n = ::recv(fd, buffer, sizeof buffer, 0)) > 0) {
            if (::send(fd, buffer, static_cast<size_t>(n), MSG_NOSIGNAL) != n) return;
          }
        });
      }
    });
  }
  ~EchoServer() {
    ::shutdown(listen_fd_, SHUT_RDWR);
    acceptor_.join();
    for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);
    for (std::thread& echoer : echoers_) echoer.join();
    for (int fd : fds_) ::close(fd);
    ::close(listen_fd_);
  }
  int port() const { return port_; }

 private:
  int listen_fd_ = -1;
  int port_ = 0;
  std::thread acceptor_;
  std::vector<int> fds_;
  std::vector<std::thread> echoers_;
};

// A client connection with a receive timeout, so that silence is observable.
class Client {
 public:
  explicit Client(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    timeval timeout{0, 400'000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    sockaddr_in address = LoopbackAddress(port);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  }
  ~Client() { ::close(fd_); }
  bool connected() const { return connected_; }
  bool Send(const std::string& text) {
    const ssize_t n = ::send(fd_, text.data(), text.size(), MSG_NOSIGNAL);
    send_errno = n < 0 ? errno : 0;
    return n == static_cast<ssize_t>(text.size());
  }
  // Up to `size` bytes; what arrived before the timeout, end of stream or
  // an error. `last_errno` tells silence (EAGAIN) from a reset.
  std::string Receive(size_t size) {
    std::string out;
    last_errno = 0;
    while (out.size() < size) {
      char buffer[4096];
      ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n < 0) last_errno = errno;
      if (n <= 0) {
        end_of_stream = n == 0;
        break;
      }
      out.append(buffer, static_cast<size_t>(n));
    }
    return out;
  }
  // Whether the peer closed or reset the connection. A reset that arrived
  // before a send is reported to the send (ECONNRESET or EPIPE), and the
  // receive after it finds the socket closed (ENOTCONN).
  bool WasClosedOrReset() const {
    return end_of_stream || last_errno == ECONNRESET ||
           (last_errno == ENOTCONN && (send_errno == ECONNRESET || send_errno == EPIPE));
  }
  int last_errno = 0;
  int send_errno = 0;
  bool end_of_stream = false;

 private:
  int fd_ = -1;
  bool connected_ = false;
};

TEST(TcpProxy, ForwardsBothWays) {
  EchoServer echo;
  ASSERT_GT(echo.port(), 0);
  auto proxy = TcpProxy::Start(echo.port());
  ASSERT_TRUE(proxy.ok()) << proxy.status().ToString();
  Client client((*proxy)->port());
  ASSERT_TRUE(client.connected());
  const std::string big(200'000, 'x');  // more than one buffer's worth
  ASSERT_TRUE(client.Send("hello"));
  EXPECT_EQ(client.Receive(5), "hello");
  ASSERT_TRUE(client.Send(big));
  EXPECT_EQ(client.Receive(big.size()).size(), big.size());
  EXPECT_EQ((*proxy)->accepted(), 1);
  EXPECT_GE((*proxy)->bytes_forwarded(), static_cast<int64_t>(2 * (5 + big.size())));
}

TEST(TcpProxy, RefusingResetsNewConnections) {
  EchoServer echo;
  auto proxy = TcpProxy::Start(echo.port());
  ASSERT_TRUE(proxy.ok()) << proxy.status().ToString();
  (*proxy)->SetMode(TcpProxy::Mode::kRefuse);
  Client client((*proxy)->port());
  client.Send("hello");
  EXPECT_EQ(client.Receive(5), "");
  EXPECT_TRUE(client.WasClosedOrReset()) << client.last_errno << " " << client.send_errno;
}

TEST(TcpProxy, ForwardingToADownTargetResets) {
  int down_port = 0;
  {
    EchoServer gone;
    down_port = gone.port();
  }
  auto proxy = TcpProxy::Start(down_port);
  ASSERT_TRUE(proxy.ok()) << proxy.status().ToString();
  Client client((*proxy)->port());
  client.Send("hello");
  EXPECT_EQ(client.Receive(5), "");
  EXPECT_TRUE(client.WasClosedOrReset()) << client.last_errno << " " << client.send_errno;
}

TEST(TcpProxy, BlackHoleHoldsNewAndExistingConnectionsSilently) {
  EchoServer echo;
  auto proxy = TcpProxy::Start(echo.port());
  ASSERT_TRUE(proxy.ok()) << proxy.status().ToString();
  Client before((*proxy)->port());
  ASSERT_TRUE(before.Send("one"));
  ASSERT_EQ(before.Receive(3), "one");

  (*proxy)->SetMode(TcpProxy::Mode::kBlackhole);
  Client during((*proxy)->port());
  ASSERT_TRUE(during.connected());
  ASSERT_TRUE(during.Send("two"));
  EXPECT_EQ(during.Receive(3), "");
  EXPECT_EQ(during.last_errno, EAGAIN) << "the connection must stay open, silent";
  ASSERT_TRUE(before.Send("three"));
  EXPECT_EQ(before.Receive(5), "");
  EXPECT_EQ(before.last_errno, EAGAIN);

  // Back to forwarding: new connections work again; held ones stay held.
  (*proxy)->SetMode(TcpProxy::Mode::kForward);
  Client after((*proxy)->port());
  ASSERT_TRUE(after.Send("four"));
  EXPECT_EQ(after.Receive(4), "four");
  ASSERT_TRUE(during.Send("five"));
  EXPECT_EQ(during.Receive(4), "");
  EXPECT_EQ(during.last_errno, EAGAIN);
}

// Sends `text` on `client`: the echo comes back to the proxy, which counts it
// lost (`lost_in_all` bytes so far) and keeps the connection open, silent.
void ExpectAnswerLost(Client& client, TcpProxy& proxy, const std::string& text,
                      int64_t lost_in_all) {
  ASSERT_TRUE(client.Send(text));
  EXPECT_TRUE(WaitFor([&] { return proxy.bytes_lost() == lost_in_all; }, 10'000))
      << proxy.bytes_lost();
  EXPECT_EQ(client.Receive(text.size()), "");
  EXPECT_EQ(client.last_errno, EAGAIN) << "the connection must stay open, silent";
}

TEST(TcpProxy, LosingResponsesForwardsRequestsButNotAnswersOnOpenConnections) {
  EchoServer echo;
  auto proxy = TcpProxy::Start(echo.port());
  ASSERT_TRUE(proxy.ok()) << proxy.status().ToString();
  Client before((*proxy)->port());
  ASSERT_TRUE(before.Send("one"));
  ASSERT_EQ(before.Receive(3), "one");

  (*proxy)->SetMode(TcpProxy::Mode::kLoseResponses);
  // The echo server's answer reaches the proxy (so the request reached the
  // server) and goes no further.
  ExpectAnswerLost(before, **proxy, "two", 3);
  // A connection opened in this mode is forwarded both ways.
  Client during((*proxy)->port());
  ASSERT_TRUE(during.Send("three"));
  EXPECT_EQ(during.Receive(5), "three");

  // Back to forwarding: the connection that lost an answer keeps losing them.
  (*proxy)->SetMode(TcpProxy::Mode::kForward);
  ExpectAnswerLost(before, **proxy, "four", 7);
  Client after((*proxy)->port());
  ASSERT_TRUE(after.Send("five"));
  EXPECT_EQ(after.Receive(4), "five");
  EXPECT_EQ((*proxy)->bytes_lost(), 7);
}

}  // namespace
}  // namespace wattline::testing
