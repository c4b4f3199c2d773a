// The listener's routes, and the checks a request passes on its request
// line and headers before any of its body is read (http_server.h lists
// them). Written before the listener starts, then only read, from every
// connection's thread.
#ifndef WATTLINE_AGGREGATOR_HTTP_HTTP_ROUTES_H_
#define WATTLINE_AGGREGATOR_HTTP_HTTP_ROUTES_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "aggregator/http/http_types.h"

namespace wattline::aggregator {

struct HttpRoute {
  HttpHandler handler;
  HttpRouteOptions options;
};

// What the headers say of the body.
struct BodyFraming {
  bool chunked = false;
  // A Transfer-Encoding other than chunked: where the body ends is unknown.
  bool other_transfer_encoding = false;
  uint64_t length = 0;  // Content-Length, when not chunked
  bool has_body() const { return chunked || other_transfer_encoding || length > 0; }
};

class HttpRoutes {
 public:
  // See HttpServer::Handle. A route without a body limit takes
  // `default_max_body_bytes`.
  void Add(const std::string& method, const std::string& path, HttpHandler handler,
           HttpRouteOptions options, size_t default_max_body_bytes);
  // The route for `method` ("HEAD" takes GET's) and `path`, or null.
  const HttpRoute* Find(const std::string& method, const std::string& path) const;

  // The answer that refuses `head` (HttpRequest::body empty) on its request
  // line and headers, or nullopt with `*route` set. A route's own refusals
  // are reported to its on_refusal.
  std::optional<HttpResponse> Screen(const HttpRequest& head, const BodyFraming& framing,
                                     const HttpRoute** route) const;

 private:
  std::map<std::pair<std::string, std::string>, HttpRoute> exact_;
  // Keyed by (method, prefix ending in "/").
  std::map<std::pair<std::string, std::string>, HttpRoute> prefixes_;
};

// The refusal of a body over `route`'s limit.
HttpResponse BodyTooLarge(const HttpRoute& route);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_HTTP_HTTP_ROUTES_H_
