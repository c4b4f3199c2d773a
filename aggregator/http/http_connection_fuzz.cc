// libFuzzer target for the listener's request handling (http_connection.h):
// the input is what a client sends on one connection, over a socket pair,
// to routes like the aggregator's (a query route with form fields, a data
// route with an admit check and a small body limit, a prefix route). Any
// input ends in answers and the connection closed, never a crash, a hang
// or a leak; no handler sees a body over its route's limit, and none of a
// request its admit check refused. Seeds: aggregator/http/fuzz_corpus/.
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <thread>

#include "aggregator/http/http_connection.h"
#include "aggregator/http/http_routes.h"
#include "aggregator/http/socket_stream.h"

namespace {

using namespace wattline::aggregator;

constexpr size_t kDataLimit = 256;

HttpRoutes MakeRoutes() {
  HttpRoutes routes;
  auto echo = [](const HttpRequest& request) {
    HttpResponse response;
    for (const auto& [name, value] : request.params) response.body += name + "=" + value + "\n";
    return response;
  };
  routes.Add("GET", "/api/v1/query", echo, {}, 1024);
  routes.Add("POST", "/api/v1/query", echo, {}, 1024);
  HttpRouteOptions data;
  data.form_fields = false;
  data.max_body_bytes = kDataLimit;
  data.admit = [](const HttpRequest& request) -> std::optional<HttpResponse> {
    if (request.Header("authorization") == "Bearer t") return std::nullopt;
    return Refuse(401, "token");
  };
  routes.Add(
      "POST", "/import",
      [](const HttpRequest& request) {
        if (request.body.size() > kDataLimit) std::abort();
        if (request.Header("authorization") != "Bearer t") std::abort();
        return HttpResponse{};
      },
      std::move(data), 1024);
  routes.Add("GET", "/api/v1/label/*", echo, {}, 1024);
  return routes;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const HttpRoutes routes = MakeRoutes();
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) std::abort();
  // The client: sends the input, closes its sending side, reads every answer.
  std::thread client([fd = pair[1], data, size] {
    for (size_t sent = 0; sent < size;) {
      const ssize_t n = send(fd, data + sent, size - sent, MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += static_cast<size_t>(n);
    }
    shutdown(fd, SHUT_WR);
    char sink[4096];
    while (read(fd, sink, sizeof(sink)) > 0) {
    }
    close(fd);
  });
  auto stream = SocketStream::Accept(pair[0], nullptr, /*io_timeout_ms=*/2000);
  if (!stream.ok()) std::abort();
  const std::atomic<bool> stopping{false};
  ServeConnection(**stream, routes, {.keep_alive_ms = 2000, .head_ms = 2000}, stopping);
  close(pair[0]);  // the server's side; the client reads to its end
  client.join();
  return 0;
}
