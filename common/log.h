// Logging to stderr, one line per event, for journald to collect.
// Thread-safe. Repeated failures go through LogThrottle so a dead meter polled
// every second does not write a line every second.
#ifndef WATTLINE_COMMON_LOG_H_
#define WATTLINE_COMMON_LOG_H_

#include <cstdint>
#include <string_view>

#include "common/status.h"

namespace wattline {

enum class LogLevel { kDebug, kInfo, kWarning, kError };

// "debug", "info", "warning" or "error"; InvalidArgument otherwise.
Result<LogLevel> ParseLogLevel(std::string_view name);

void SetLogLevel(LogLevel level);
// Writes "<level> <component>: <message>" when `level` is enabled.
void Log(LogLevel level, std::string_view component, std::string_view message);

inline void LogInfo(std::string_view component, std::string_view message) {
  Log(LogLevel::kInfo, component, message);
}
inline void LogWarning(std::string_view component, std::string_view message) {
  Log(LogLevel::kWarning, component, message);
}
inline void LogError(std::string_view component, std::string_view message) {
  Log(LogLevel::kError, component, message);
}

// Lets one line through per `interval_ms` and counts what it held back.
// Not thread-safe: one per call site, owned by whoever logs there.
class LogThrottle {
 public:
  explicit LogThrottle(int64_t interval_ms = 60'000) : interval_ms_(interval_ms) {}
  // True when a line may be written at `now_ms`; then suppressed() tells how
  // many were held back since the last line that went through.
  bool Allow(int64_t now_ms);
  uint64_t suppressed() const { return reported_suppressed_; }

 private:
  int64_t interval_ms_;
  int64_t last_ms_ = INT64_MIN;
  uint64_t suppressed_ = 0;
  uint64_t reported_suppressed_ = 0;
};

}  // namespace wattline

#endif  // WATTLINE_COMMON_LOG_H_
