// The OpenSSL adapter: the one place that turns OpenSSL's error queue into a
// Status. Nothing else in the aggregator calls ERR_get_error().
//
// OpenSSL keeps its error queue per thread, so OpenSslError() must run on the
// thread that made the failed call, before any other OpenSSL call on it.
#ifndef WATTLINE_AGGREGATOR_PKI_OPENSSL_ERROR_H_
#define WATTLINE_AGGREGATOR_PKI_OPENSSL_ERROR_H_

#include <string>
#include <string_view>

#include "common/status.h"

namespace wattline::aggregator {

// A failed Status reading "<what>: <OpenSSL's reasons, oldest first>", made by
// `make` (Internal unless the caller knows better, e.g. Corruption for a PEM
// file that does not parse). Drains this thread's error queue, so the next
// failure does not report this one's reasons. Works on an empty queue too.
[[nodiscard]] Status OpenSslError(std::string_view what,
                                  Status (*make)(std::string) = &Status::Internal);

// Empties this thread's error queue. Call before a sequence of OpenSSL calls
// whose failure will be reported, so stale reasons from earlier, unrelated
// calls do not end up in the message.
void ClearOpenSslErrors();

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_PKI_OPENSSL_ERROR_H_
