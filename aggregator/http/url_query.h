// Percent-decoding of URL paths, query strings and form bodies
// (application/x-www-form-urlencoded), as Go's net/url decodes them for
// Prometheus.
#ifndef WATTLINE_AGGREGATOR_HTTP_URL_QUERY_H_
#define WATTLINE_AGGREGATOR_HTTP_URL_QUERY_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wattline::aggregator {

// `text` with each %XX replaced by its byte and, with `plus_is_space` (query
// strings and forms, not paths), each '+' by a space. A '%' not followed by
// two hex digits stays as it is.
std::string DecodeUrl(std::string_view text, bool plus_is_space);

// Appends the name=value fields of a query string or form body, in order,
// repeats kept (a repeated match[] must arrive as often as it was sent). A
// field without "=" has the value ""; empty fields are skipped.
void AppendQueryFields(std::string_view text,
                       std::vector<std::pair<std::string, std::string>>* params);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_HTTP_URL_QUERY_H_
