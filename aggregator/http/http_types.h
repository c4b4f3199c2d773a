// Plain request and response structs between the HTTP adapter
// (aggregator/http/http_server.cc, the only file that includes httplib.h)
// and the handlers, so handlers are plain functions tested without sockets.
#ifndef WATTLINE_AGGREGATOR_HTTP_HTTP_TYPES_H_
#define WATTLINE_AGGREGATOR_HTTP_HTTP_TYPES_H_

#include <functional>
#include <map>
#include <string>
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

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_HTTP_HTTP_TYPES_H_
