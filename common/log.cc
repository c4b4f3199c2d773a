#include "common/log.h"

#include <atomic>
#include <cstdio>
#include <mutex>
#include <string>

namespace wattline {
namespace {

std::atomic<LogLevel> g_level{LogLevel::kInfo};
std::mutex g_write_mutex;

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarning: return "warning";
    case LogLevel::kError: return "error";
  }
  return "?";
}

}  // namespace

Result<LogLevel> ParseLogLevel(std::string_view name) {
  for (LogLevel level : {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarning, LogLevel::kError}) {
    if (name == LevelName(level)) return level;
  }
  return Status::InvalidArgument("log level must be one of debug, info, warning, error, not \"" +
                                 std::string(name) + "\"");
}

void SetLogLevel(LogLevel level) { g_level = level; }

void Log(LogLevel level, std::string_view component, std::string_view message) {
  if (level < g_level.load()) return;
  std::string line = LevelName(level);
  line += ' ';
  line += component;
  line += ": ";
  line += message;
  line += '\n';
  std::lock_guard<std::mutex> lock(g_write_mutex);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

bool LogThrottle::Allow(int64_t now_ms) {
  if (last_ms_ != INT64_MIN && now_ms - last_ms_ < interval_ms_) {
    ++suppressed_;
    return false;
  }
  last_ms_ = now_ms;
  reported_suppressed_ = suppressed_;
  suppressed_ = 0;
  return true;
}

}  // namespace wattline
