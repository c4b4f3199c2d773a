#include "aggregator/http/http_routes.h"

namespace wattline::aggregator {
namespace {

// The encodings a client may compress a body in that no route reads: each
// route takes its body as sent (remote write's snappy is the route's own
// framing, which it names in Content-Encoding itself).
bool IsCompressed(const std::string& encoding) {
  const std::string lower = AsciiLower(encoding);
  return lower == "gzip" || lower == "x-gzip" || lower == "deflate" || lower == "br" ||
         lower == "compress" || lower == "zstd";
}

std::optional<HttpResponse> ScreenRoute(const HttpRequest& head, const BodyFraming& framing,
                                        const HttpRoute& route) {
  if (framing.other_transfer_encoding) {
    return Refuse(501, "Transfer-Encoding " + head.Header("transfer-encoding") +
                           " is not supported; send chunked or a Content-Length");
  }
  if (head.method != "POST") {
    if (framing.has_body()) return Refuse(400, head.method + " takes no body");
    return std::nullopt;
  }
  if (const std::string& encoding = head.Header("content-encoding"); IsCompressed(encoding)) {
    return Refuse(415,
                  "Content-Encoding " + encoding + " is not accepted; send the body uncompressed");
  }
  if (AsciiLower(head.Header("content-type")).starts_with("multipart/form-data")) {
    return Refuse(415, "multipart/form-data is not accepted");
  }
  if (!framing.chunked && framing.length > route.options.max_body_bytes) {
    return BodyTooLarge(route);
  }
  if (route.options.admit) return route.options.admit(head);
  return std::nullopt;
}

}  // namespace

void HttpRoutes::Add(const std::string& method, const std::string& path, HttpHandler handler,
                     HttpRouteOptions options, size_t default_max_body_bytes) {
  if (options.max_body_bytes == 0) options.max_body_bytes = default_max_body_bytes;
  HttpRoute route{std::move(handler), std::move(options)};
  if (path.ends_with("/*")) {
    prefixes_[{method, path.substr(0, path.size() - 1)}] = std::move(route);
  } else {
    exact_[{method, path}] = std::move(route);
  }
}

const HttpRoute* HttpRoutes::Find(const std::string& method, const std::string& path) const {
  const std::string routed = method == "HEAD" ? "GET" : method;
  if (auto it = exact_.find({routed, path}); it != exact_.end()) return &it->second;
  // The longest prefix first: the map orders a prefix before its
  // extensions, so the last match going forward is the longest.
  const HttpRoute* found = nullptr;
  for (const auto& [key, route] : prefixes_) {
    if (key.first == routed && path.starts_with(key.second)) found = &route;
  }
  return found;
}

std::optional<HttpResponse> HttpRoutes::Screen(const HttpRequest& head, const BodyFraming& framing,
                                               const HttpRoute** route) const {
  *route = Find(head.method, head.path);
  if (*route == nullptr) return Refuse(404, "no route for " + head.method + " " + head.path);
  std::optional<HttpResponse> refused = ScreenRoute(head, framing, **route);
  if (refused && (*route)->options.on_refusal) (*route)->options.on_refusal(refused->status);
  return refused;
}

HttpResponse BodyTooLarge(const HttpRoute& route) {
  return Refuse(413, "the body is over this path's limit of " +
                         std::to_string(route.options.max_body_bytes) + " bytes");
}

}  // namespace wattline::aggregator
