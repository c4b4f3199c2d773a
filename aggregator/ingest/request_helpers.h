// Small pieces every ingest handler needs from a request (its answers are
// made with Refuse() of http_types.h).
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

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_INGEST_REQUEST_HELPERS_H_
