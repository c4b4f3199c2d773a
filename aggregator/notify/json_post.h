// POSTs a JSON body to an http:// URL: the one HTTP client of the
// notifications (cpp-httplib, included in json_post.cc only).
//
// Thread-safety: a pure function; blocks on the network up to the timeout.
#ifndef WATTLINE_AGGREGATOR_NOTIFY_JSON_POST_H_
#define WATTLINE_AGGREGATOR_NOTIFY_JSON_POST_H_

#include <cstdint>
#include <string>

#include "common/status.h"

namespace wattline::aggregator {

// POSTs `body` (application/json) to `url` ("http://host:port/path").
// Errors, each naming the URL and the answer: Unavailable (no connection, a
// timeout, a 5xx or 429: worth a retry), FailedPrecondition (400, 413, 422:
// the receiver refuses this body, and would again), InvalidArgument (a bad
// URL, another 4xx such as 401 or 404: the configuration is wrong, and the
// notifier retries until someone fixes it).
Status PostJson(const std::string& url, const std::string& body, int64_t timeout_ms);

// `text` with URL query escaping (RFC 3986 unreserved kept).
std::string EscapeQueryParam(const std::string& text);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_NOTIFY_JSON_POST_H_
