#include "aggregator/query/time_param.h"

#include <cmath>
#include <optional>
#include <string>

#include "common/duration.h"
#include "aggregator/query/number.h"
#include "aggregator/query/quote.h"

namespace wattline::aggregator {
namespace {

constexpr int64_t kNanosPerSecond = 1'000'000'000;
constexpr int64_t kNanosPerMs = 1'000'000;
// Whole seconds whose milliseconds, plus a fraction, still fit in int64.
constexpr double kMaxSeconds = 9'223'372'036'854'774.0;

Status CannotParseTimestamp(std::string_view text) {
  return Status::InvalidArgument("cannot parse " + Quote(text) + " to a valid timestamp");
}

// Prometheus: s, ns := math.Modf(t); ns = math.Round(ns*1000) / 1000;
// time.Unix(int64(s), int64(ns*1e9)), then milliseconds of that. Done in the
// same steps so the same input gives the same millisecond.
std::optional<int64_t> UnixSecondsToMs(double seconds) {
  if (!std::isfinite(seconds) || std::fabs(seconds) > kMaxSeconds) return std::nullopt;
  double whole = 0;
  double fraction = std::modf(seconds, &whole);
  fraction = std::round(fraction * 1000) / 1000;
  auto sec = static_cast<int64_t>(whole);
  auto nsec = static_cast<int64_t>(fraction * static_cast<double>(kNanosPerSecond));
  if (nsec < 0) {
    nsec += kNanosPerSecond;
    --sec;
  } else if (nsec >= kNanosPerSecond) {
    nsec -= kNanosPerSecond;
    ++sec;
  }
  return sec * 1000 + nsec / kNanosPerMs;
}

bool ReadDigits(std::string_view text, size_t pos, size_t count, int* value) {
  if (pos + count > text.size()) return false;
  int result = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    result = result * 10 + (text[i] - '0');
  }
  *value = result;
  return true;
}

bool IsLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
// days_from_civil).
int64_t DaysFromCivil(int64_t year, int month, int day) {
  year -= month <= 2 ? 1 : 0;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const int64_t year_of_era = year - era * 400;
  const int64_t day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

// Go's time.Parse(time.RFC3339Nano, text):
// YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM), fields range-checked.
std::optional<int64_t> ParseRfc3339(std::string_view text) {
  int year, month, day, hour, minute, second;
  if (text.size() < 20 || !ReadDigits(text, 0, 4, &year) || text[4] != '-' ||
      !ReadDigits(text, 5, 2, &month) || text[7] != '-' || !ReadDigits(text, 8, 2, &day) ||
      text[10] != 'T' || !ReadDigits(text, 11, 2, &hour) || text[13] != ':' ||
      !ReadDigits(text, 14, 2, &minute) || text[16] != ':' || !ReadDigits(text, 17, 2, &second)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month) || hour > 23 ||
      minute > 59 || second > 59) {
    return std::nullopt;
  }
  size_t pos = 19;
  int64_t nanos = 0;
  if (text[pos] == '.' && pos + 1 < text.size() && text[pos + 1] >= '0' && text[pos + 1] <= '9') {
    int64_t scale = kNanosPerSecond;
    for (++pos; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos) {
      scale /= 10;  // digits past the nanosecond are dropped, as Go drops them
      nanos += (text[pos] - '0') * scale;
    }
  }
  int64_t offset_seconds = 0;
  const std::string_view zone = text.substr(pos);
  if (zone != "Z") {
    int zone_hours, zone_minutes;
    if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') ||
        !ReadDigits(zone, 1, 2, &zone_hours) || zone[3] != ':' ||
        !ReadDigits(zone, 4, 2, &zone_minutes) || zone_hours > 23 || zone_minutes > 59) {
      return std::nullopt;
    }
    offset_seconds = (zone_hours * 3600 + zone_minutes * 60) * (zone[0] == '-' ? -1 : 1);
  }
  const int64_t seconds =
      DaysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset_seconds;
  return seconds * 1000 + nanos / kNanosPerMs;
}

}  // namespace

Result<int64_t> ParseTimeParam(std::string_view text) {
  if (std::optional<double> seconds = ParseGoFloat(text)) {
    if (std::optional<int64_t> ms = UnixSecondsToMs(*seconds)) return *ms;
    return CannotParseTimestamp(text);
  }
  if (std::optional<int64_t> ms = ParseRfc3339(text)) return *ms;
  return CannotParseTimestamp(text);
}

Result<int64_t> ParseDurationParam(std::string_view text) {
  if (std::optional<double> seconds = ParseGoFloat(text)) {
    const double nanos = *seconds * static_cast<double>(kNanosPerSecond);
    // 2^63 itself does not fit; Go lets it through and wraps, we refuse it.
    if (nanos >= 9'223'372'036'854'775'808.0 || nanos < -9'223'372'036'854'775'808.0) {
      return Status::InvalidArgument("cannot parse " + Quote(text) +
                                     " to a valid duration. It overflows int64");
    }
    if (std::isnan(nanos)) {
      return Status::InvalidArgument("cannot parse " + Quote(text) + " to a valid duration");
    }
    return static_cast<int64_t>(nanos) / kNanosPerMs;
  }
  Result<int64_t> duration = ParseDurationMs(text);
  if (duration.ok()) return *duration;
  return Status::InvalidArgument("cannot parse " + Quote(text) + " to a valid duration");
}

}  // namespace wattline::aggregator
