#include "common/rfc3339.h"

#include <time.h>

#include <cstdio>

namespace wattline {

std::string FormatRfc3339(int64_t unix_ms) {
  const int64_t seconds = unix_ms >= 0 ? unix_ms / 1000 : (unix_ms - 999) / 1000;
  const int millis = static_cast<int>(unix_ms - seconds * 1000);
  const time_t t = static_cast<time_t>(seconds);
  struct tm utc {};
  gmtime_r(&t, &utc);
  char buffer[64];
  std::string text(buffer, strftime(buffer, sizeof(buffer), "%Y-%m-%dT%H:%M:%S", &utc));
  if (millis != 0) {
    char fraction[8];
    std::snprintf(fraction, sizeof(fraction), ".%03d", millis);
    std::string digits = fraction;
    while (digits.back() == '0') digits.pop_back();
    text += digits;
  }
  return text + "Z";
}

}  // namespace wattline
