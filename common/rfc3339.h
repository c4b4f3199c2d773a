// Times as RFC 3339 text in UTC, as Go's time.Time marshals to JSON: the
// fraction's trailing zeros dropped, "Z" for UTC ("2026-01-01T00:00:00.25Z").
// Prometheus's and Alertmanager's APIs write and read them so.
//
// Thread-safety: pure function.
#ifndef WATTLINE_COMMON_RFC3339_H_
#define WATTLINE_COMMON_RFC3339_H_

#include <cstdint>
#include <string>

namespace wattline {

// `unix_ms`: milliseconds since the epoch (before it too).
std::string FormatRfc3339(int64_t unix_ms);

}  // namespace wattline

#endif  // WATTLINE_COMMON_RFC3339_H_
