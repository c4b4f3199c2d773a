// One connection of the HTTP listener: its requests read, screened,
// routed and answered in turn, on the calling thread, with HTTP/1.1
// keep-alive. The request line and headers are parsed by http-parser (the
// Debian package libhttp-parser), which also decodes chunked bodies.
#ifndef WATTLINE_AGGREGATOR_HTTP_HTTP_CONNECTION_H_
#define WATTLINE_AGGREGATOR_HTTP_HTTP_CONNECTION_H_

#include <atomic>
#include <cstdint>

#include "aggregator/http/http_routes.h"
#include "aggregator/http/socket_stream.h"

namespace wattline::aggregator {

struct ConnectionTimeouts {
  int64_t keep_alive_ms = 60'000;  // silence between requests
  int64_t head_ms = 30'000;        // a request line and headers, from their first byte
};

// Returns when the client closes the connection or stays silent between
// requests for `keep_alive_ms`, takes longer than `head_ms` to send a
// request's head, on an I/O error or timeout, after an answer that closes
// the connection, or once `stopping` is set and the stream shut down.
void ServeConnection(SocketStream& stream, const HttpRoutes& routes,
                     const ConnectionTimeouts& timeouts, const std::atomic<bool>& stopping);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_HTTP_HTTP_CONNECTION_H_
