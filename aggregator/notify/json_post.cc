#include "aggregator/notify/json_post.h"

#include <httplib.h>

namespace wattline::aggregator {

Status PostJson(const std::string& url, const std::string& body, int64_t timeout_ms) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos || url.compare(0, scheme_end, "http") != 0) {
    return Status::InvalidArgument("URL \"" + url + "\" is not http://host:port/path");
  }
  const size_t path_start = url.find('/', scheme_end + 3);
  const std::string origin = url.substr(0, path_start);
  const std::string path = path_start == std::string::npos ? "/" : url.substr(path_start);
  httplib::Client client(origin);
  const time_t seconds = static_cast<time_t>(timeout_ms / 1000);
  const time_t micros = static_cast<time_t>(timeout_ms % 1000 * 1000);
  client.set_connection_timeout(seconds, micros);
  client.set_read_timeout(seconds, micros);
  client.set_write_timeout(seconds, micros);
  httplib::Result result = client.Post(path, body, "application/json");
  if (!result) {
    return Status::Unavailable("cannot post to " + url + ": " + httplib::to_string(result.error()));
  }
  if (result->status / 100 == 2) return Status::Ok();
  const std::string answer =
      "POST " + url + " answered " + std::to_string(result->status) + ": " + result->body;
  if (result->status / 100 == 5 || result->status == 429) return Status::Unavailable(answer);
  // The body itself is refused: sending it again cannot help.
  if (result->status == 400 || result->status == 413 || result->status == 422) {
    return Status::FailedPrecondition(answer);
  }
  return Status::InvalidArgument(answer);
}

std::string EscapeQueryParam(const std::string& text) {
  return httplib::detail::encode_query_param(text);
}

}  // namespace wattline::aggregator
