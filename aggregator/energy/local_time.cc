#include "aggregator/energy/local_time.h"

#include <date/tz.h>

#include <chrono>
#include <exception>

namespace wattline::aggregator {
namespace {

using Milliseconds = std::chrono::milliseconds;
using SysMs = date::sys_time<Milliseconds>;

const date::time_zone* Zone(const void* zone) { return static_cast<const date::time_zone*>(zone); }

int64_t ToMs(SysMs t) { return t.time_since_epoch().count(); }

}  // namespace

Result<TimeZone> TimeZone::Load(std::string_view name) {
  // date throws std::runtime_error for an unknown zone or a missing
  // database; nothing else of ours throws, so it stops here.
  try {
    if (name.empty()) {
      try {
        const date::time_zone* zone = date::current_zone();
        return TimeZone(zone, std::string(zone->name()));
      } catch (const std::exception&) {
        name = "UTC";
      }
    }
    const date::time_zone* zone = date::locate_zone(name);
    return TimeZone(zone, std::string(zone->name()));
  } catch (const std::exception& e) {
    return Status::NotFound("unknown time zone \"" + std::string(name) + "\" (" + e.what() +
                            "); is tzdata installed?");
  }
}

UtcOffset TimeZone::OffsetAt(int64_t unix_ms) const {
  const date::sys_info info = Zone(zone_)->get_info(SysMs(Milliseconds(unix_ms)));
  const int64_t until = ToMs(date::floor<Milliseconds>(info.end));
  return UtcOffset{std::chrono::duration_cast<Milliseconds>(info.offset).count(), until};
}

LocalDateTime TimeZone::ToLocal(int64_t unix_ms) const {
  const int64_t local_ms = unix_ms + OffsetAt(unix_ms).offset_ms;
  const date::local_time<Milliseconds> local{Milliseconds(local_ms)};
  const date::local_days day = date::floor<date::days>(local);
  const date::year_month_day ymd{day};
  LocalDateTime out;
  out.year = static_cast<int>(ymd.year());
  out.month = static_cast<int>(static_cast<unsigned>(ymd.month()));
  out.day = static_cast<int>(static_cast<unsigned>(ymd.day()));
  out.weekday = static_cast<int>(date::weekday{day}.iso_encoding()) - 1;
  out.minute_of_day =
      static_cast<int>(std::chrono::duration_cast<std::chrono::minutes>(local - day).count());
  return out;
}

int64_t TimeZone::ToUnixMs(int year, int month, int day, int minute_of_day) const {
  const date::local_days days{date::year{year} / month / day};
  const date::local_time<Milliseconds> local = days + std::chrono::minutes(minute_of_day);
  const date::local_info info = Zone(zone_)->get_info(local);
  int64_t offset_ms = std::chrono::duration_cast<Milliseconds>(info.first.offset).count();
  if (info.result == date::local_info::nonexistent) {
    // The clocks jumped over it: the instant they moved.
    return ToMs(date::floor<Milliseconds>(info.first.end));
  }
  return local.time_since_epoch().count() - offset_ms;
}

bool IsValidDate(int year, int month, int day) {
  if (month < 1 || month > 12 || day < 1 || day > 31) return false;
  return date::year_month_day{date::year{year} / month / day}.ok();
}

}  // namespace wattline::aggregator
