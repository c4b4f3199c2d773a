// Small pieces every ingest handler needs from a request and for its answer.
//
// Thread-safety: pure functions.
#ifndef WATTLINE_AGGREGATOR_INGEST_REQUEST_HELPERS_H_
#define WATTLINE_AGGREGATOR_INGEST_REQUEST_HELPERS_H_

#include <string>
#include <string_view>

#include "aggregator/http/http_types.h"

namespace wattline::aggregator {

// A Content-Type's media type without parameters, in lower case:
// "Application/X-Protobuf; proto=x" gives "application/x-protobuf".
std::string MediaType(std::string_view content_type);

// An error answer: `status` with `message` as one line of plain text.
HttpResponse Refuse(int status, std::string message);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_INGEST_REQUEST_HELPERS_H_
