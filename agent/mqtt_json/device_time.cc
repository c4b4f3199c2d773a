#include "agent/mqtt_json/device_time.h"

#include <cstdio>
#include <ctime>

namespace wattline::agent {
namespace {

// Reads exactly `count` decimal digits at `*pos`.
bool Digits(std::string_view text, size_t* pos, int count, int* value) {
  if (*pos + static_cast<size_t>(count) > text.size()) return false;
  int v = 0;
  for (int i = 0; i < count; ++i) {
    char c = text[*pos + static_cast<size_t>(i)];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *pos += static_cast<size_t>(count);
  *value = v;
  return true;
}

bool Expect(std::string_view text, size_t* pos, char c) {
  if (*pos >= text.size() || text[*pos] != c) return false;
  ++*pos;
  return true;
}

bool IsLeap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeap(year) ? 29 : kDays[month - 1];
}

// Days from 1970-01-01 to the civil date (proleptic Gregorian), after
// H. Hinnant's days_from_civil.
int64_t DaysFromCivil(int year, int month, int day) {
  year -= month <= 2 ? 1 : 0;
  const int64_t era = year / 400;
  const int64_t yoe = year - era * 400;
  const int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// "+hh:mm", "+hhmm", "+hh" at `*pos` (sign included) as minutes east of UTC.
bool Offset(std::string_view text, size_t* pos, int* minutes) {
  if (*pos >= text.size() || (text[*pos] != '+' && text[*pos] != '-')) return false;
  const int sign = text[*pos] == '-' ? -1 : 1;
  ++*pos;
  int hours = 0, mins = 0;
  if (!Digits(text, pos, 2, &hours)) return false;
  if (*pos < text.size()) {
    if (text[*pos] == ':') ++*pos;
    if (!Digits(text, pos, 2, &mins)) return false;
  }
  if (hours > 23 || mins > 59) return false;
  *minutes = sign * (hours * 60 + mins);
  return true;
}

}  // namespace

Result<DeviceTimeZone> ParseDeviceTimeZone(std::string_view text) {
  DeviceTimeZone zone;
  if (text == "local") return zone;
  if (text == "utc" || text == "UTC") {
    zone.kind = DeviceTimeZone::Kind::kUtc;
    return zone;
  }
  size_t pos = 0;
  int minutes = 0;
  if (Offset(text, &pos, &minutes) && pos == text.size()) {
    zone.kind = DeviceTimeZone::Kind::kFixed;
    zone.offset_minutes = minutes;
    return zone;
  }
  return Status::InvalidArgument("time zone \"" + std::string(text) +
                                 "\" is not local, utc or an offset like +01:00");
}

std::string DeviceTimeZoneName(const DeviceTimeZone& zone) {
  switch (zone.kind) {
    case DeviceTimeZone::Kind::kLocal:
      return "local";
    case DeviceTimeZone::Kind::kUtc:
      return "utc";
    case DeviceTimeZone::Kind::kFixed: {
      int m = zone.offset_minutes < 0 ? -zone.offset_minutes : zone.offset_minutes;
      char buffer[16];
      std::snprintf(buffer, sizeof(buffer), "%c%02d:%02d", zone.offset_minutes < 0 ? '-' : '+',
                    m / 60, m % 60);
      return buffer;
    }
  }
  return "local";
}

Result<int64_t> ParseIso8601Ms(std::string_view text, const DeviceTimeZone& zone_if_none) {
  auto invalid = [&] {
    return Status::InvalidArgument("\"" + std::string(text.substr(0, 64)) +
                                   "\" is not an ISO 8601 date and time");
  };
  size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!Digits(text, &pos, 4, &year) || !Expect(text, &pos, '-') || !Digits(text, &pos, 2, &month) ||
      !Expect(text, &pos, '-') || !Digits(text, &pos, 2, &day)) {
    return invalid();
  }
  if (pos >= text.size() || (text[pos] != 'T' && text[pos] != ' ')) return invalid();
  ++pos;
  if (!Digits(text, &pos, 2, &hour) || !Expect(text, &pos, ':') ||
      !Digits(text, &pos, 2, &minute) || !Expect(text, &pos, ':') ||
      !Digits(text, &pos, 2, &second)) {
    return invalid();
  }
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month) ||
      hour > 23 || minute > 59 || second > 59) {
    return invalid();
  }
  int64_t ms = 0;
  if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
    ++pos;
    int digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 3) ms = ms * 10 + (text[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return invalid();
    for (int i = digits; i < 3; ++i) ms *= 10;
  }
  DeviceTimeZone zone = zone_if_none;
  if (pos < text.size()) {
    if (text[pos] == 'Z' && pos + 1 == text.size()) {
      zone.kind = DeviceTimeZone::Kind::kUtc;
      pos = text.size();
    } else {
      int minutes = 0;
      if (!Offset(text, &pos, &minutes) || pos != text.size()) return invalid();
      zone.kind = DeviceTimeZone::Kind::kFixed;
      zone.offset_minutes = minutes;
    }
  }
  const int64_t utc_seconds =
      DaysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
  switch (zone.kind) {
    case DeviceTimeZone::Kind::kUtc:
      return utc_seconds * 1000 + ms;
    case DeviceTimeZone::Kind::kFixed:
      return (utc_seconds - int64_t{zone.offset_minutes} * 60) * 1000 + ms;
    case DeviceTimeZone::Kind::kLocal: {
      std::tm tm{};
      tm.tm_year = year - 1900;
      tm.tm_mon = month - 1;
      tm.tm_mday = day;
      tm.tm_hour = hour;
      tm.tm_min = minute;
      tm.tm_sec = second;
      tm.tm_isdst = -1;  // let the zone's rules decide
      const std::time_t t = std::mktime(&tm);
      if (t == static_cast<std::time_t>(-1)) return invalid();
      return static_cast<int64_t>(t) * 1000 + ms;
    }
  }
  return invalid();
}

}  // namespace wattline::agent
