// Plain request and response structs between the HTTP adapter
// (aggregator/http/http_server.cc, the only file that includes httplib.h)
// and the handlers, so handlers are plain functions tested without sockets.
#ifndef WATTLINE_AGGREGATOR_HTTP_HTTP_TYPES_H_
#define WATTLINE_AGGREGATOR_HTTP_HTTP_TYPES_H_

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wattline::aggregator {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // without the query string
  // URL query parameters and, for application/x-www-form-urlencoded POSTs,
  // form fields, in order; a name may repeat (match[]).
  std::vector<std::pair<std::string, std::string>> params;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  // CN of the verified client certificate on the TLS listener, else "".
  std::string peer_identity;

  // The first value of `name`, or "" when absent.
  const std::string& Param(const std::string& name) const;
  bool HasParam(const std::string& name) const;
  std::vector<std::string> Params(const std::string& name) const;
  // The header value, or "" when absent. `name` in lower case.
  const std::string& Header(const std::string& name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

// How one route takes its request, where it differs from the listener's
// (http_server.h). The callbacks run on the listener's worker threads,
// concurrently: they must be thread-safe.
struct HttpRouteOptions {
  // The largest body the route reads; 0: the listener's max_body_bytes.
  size_t max_body_bytes = 0;
  // Parses an application/x-www-form-urlencoded body into
  // HttpRequest::params (Grafana sends query parameters so). Routes that
  // take the body as data say false: the body reaches them whole, whatever
  // Content-Type the sender chose (curl --data-binary sends a form's).
  bool form_fields = true;
  // Runs on the request line and headers (HttpRequest::body empty) before
  // the body is read; an answer refuses the request with its body unread.
  // For checks, such as a token, that must not cost the sender's body.
  std::function<std::optional<HttpResponse>(const HttpRequest&)> admit;
  // Called with the status of every answer the listener gives instead of
  // the handler (its own refusals and admit's), so the route can count
  // every request it was sent.
  std::function<void(int status)> on_refusal;
};

// An error answer: `status` with `message` as one line of plain text.
HttpResponse Refuse(int status, std::string message);

// `text` with A-Z in lower case: header names, and the values compared
// case-insensitively (media types, encodings).
std::string AsciiLower(std::string_view text);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_HTTP_HTTP_TYPES_H_
