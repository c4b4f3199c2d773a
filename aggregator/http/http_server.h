// The aggregator's HTTP(S) listener. Handlers see plain
// HttpRequest/HttpResponse (http_types.h).
//
// Each connection has a thread of its own (http_connection.h), which reads
// its requests, runs their handlers and writes each answer, head and body,
// in one send. Connections are kept alive between requests for
// `keep_alive_timeout_ms`; up to 256 are served at once, and one more is
// answered 503. (cpp-httplib, which served before, took eleven system calls
// and two TCP segments an answer, and queued the ninth kept-alive
// connection behind the first eight: docs/performance.md.)
//
// With TLS, the listener requires a client certificate signed by
// `client_ca_file` (mutual TLS) and passes the certificate's CN to handlers
// as HttpRequest::peer_identity; a client without one fails the handshake.
// Every request is screened on its request line and headers before any of
// its body is read (with Expect: 100-continue, before the client sends it):
// 404 for a method and path with no route; 400 for a body on a method other
// than POST; 415 for a compressed Content-Encoding (gzip, deflate, br...) or
// multipart/form-data; 413 for a Content-Length over the route's limit
// (HttpRouteOptions::max_body_bytes, else `max_body_bytes`); then the
// route's admit check. A refused body of at most 64 MiB with a
// Content-Length is dropped as it arrives, never buffered, so the client
// reads the answer; any other refused body is left unread and the
// connection closed, so the rest cannot be taken for another request. A
// chunked body is counted as it is read and refused with 413 at the limit.
// A POST with neither Content-Length nor chunks has an empty body. What the
// request parser refuses is answered 400 (431 for headers over 80 KiB, 501
// for a Transfer-Encoding other than chunked) and the connection closed.
//
// Thread-safety: Handle() before Bind(); handlers then run concurrently on
// the connections' threads and must be thread-safe.
#ifndef WATTLINE_AGGREGATOR_HTTP_HTTP_SERVER_H_
#define WATTLINE_AGGREGATOR_HTTP_HTTP_SERVER_H_

#include <memory>
#include <string>
#include <thread>

#include "aggregator/http/http_types.h"
#include "common/status.h"

namespace wattline::aggregator {

struct HttpServerOptions {
  std::string name;  // for log lines: "ingest", "api"
  std::string host = "127.0.0.1";
  int port = 0;  // 0: an ephemeral port, see Bind()
  // TLS: all three or none. TLS 1.2 is the oldest version accepted.
  std::string cert_file;
  std::string key_file;
  std::string client_ca_file;
  size_t max_body_bytes = 1 << 20;
  int64_t keep_alive_timeout_ms = 60'000;
  // Each read and write of a request and answer; and a request's head
  // (request line and headers) as a whole, from its first byte.
  int64_t io_timeout_ms = 30'000;
};

class HttpServer {
 public:
  // Fails when the TLS files cannot be loaded or do not match.
  static Result<std::unique_ptr<HttpServer>> Create(const HttpServerOptions& options);
  virtual ~HttpServer() = default;

  // Routes `method` ("GET" or "POST") `path` to `handler`. A path matches
  // exactly, except one ending in "/*", which takes every path under it
  // (e.g. "/api/v1/label/*" takes "/api/v1/label/job/values") that no
  // exact route and no longer such prefix takes; the handler reads
  // HttpRequest::path.
  virtual void Handle(const std::string& method, const std::string& path, HttpHandler handler,
                      HttpRouteOptions options = {}) = 0;
  // Binds the listening socket; returns the bound port.
  virtual Result<int> Bind() = 0;
  // Serves on a thread of its own until Stop().
  virtual void StartServing() = 0;
  virtual void Stop() = 0;
};

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_HTTP_HTTP_SERVER_H_
