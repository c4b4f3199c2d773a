// wattline-http-floor: the least an HTTP server can do, the baseline of
// query_latency_vs_peers.sh. It listens on 127.0.0.1:PORT and answers every
// request on a kept-alive connection with the same 200 and a body the size
// of a last value's answer: a thread a connection, blocked in recv() until
// the request's head has come, then one send(). Asked in the same rounds as
// the three systems, its median is the part of theirs that is the machine's
// round trip (client, loopback TCP, waking the server's thread), which no
// server can go below.
//
//   wattline-http-floor PORT
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>

namespace {

// The aggregator's answer to the bench's last-value query, in size and shape.
constexpr std::string_view kBody =
    R"({"status":"success","data":{"resultType":"vector","result":[{"metric":)"
    R"({"__name__":"power_watts","agent":"home-001","device":"panel","phase":"a"},)"
    R"("value":[1796292301,"-378.2"]}]}})";

void Serve(int fd) {
  const std::string answer =
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
      std::to_string(kBody.size()) + "\r\n\r\n" + std::string(kBody);
  std::string request;
  char buffer[16384];
  while (true) {
    const ssize_t got = recv(fd, buffer, sizeof(buffer), 0);
    if (got <= 0) break;
    request.append(buffer, static_cast<size_t>(got));
    // GETs only: a head without a body, and no pipelining from curl.
    if (request.find("\r\n\r\n") == std::string::npos) continue;
    request.clear();
    if (send(fd, answer.data(), answer.size(), MSG_NOSIGNAL) < 0) break;
  }
  close(fd);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: wattline-http-floor PORT\n");
    return 2;
  }
  const int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int yes = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(std::atoi(argv[1])));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(listener, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0 ||
      listen(listener, SOMAXCONN) != 0) {
    std::perror("wattline-http-floor: listen");
    return 1;
  }
  while (true) {
    const int fd = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    // As the aggregator's listener does: the answer goes out at once.
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
    std::thread(Serve, fd).detach();
  }
}
