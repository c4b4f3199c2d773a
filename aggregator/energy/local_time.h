// Local (civil) time in one IANA time zone, for tariff windows, contract
// dates and "today": the one place that reads the system's time zone
// database (/usr/share/zoneinfo, Debian's tzdata) through Howard Hinnant's
// date library, whose heavy header stays in local_time.cc.
//
// Thread-safety: a TimeZone is immutable; every method is thread-safe.
#ifndef WATTLINE_AGGREGATOR_ENERGY_LOCAL_TIME_H_
#define WATTLINE_AGGREGATOR_ENERGY_LOCAL_TIME_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace wattline::aggregator {

// A civil date and time, as a wall clock in the zone shows it.
struct LocalDateTime {
  int year = 1970;
  int month = 1;          // 1..12
  int day = 1;            // 1..31
  int weekday = 3;        // 0 Monday .. 6 Sunday (1970-01-01 was a Thursday)
  int minute_of_day = 0;  // 0..1439
};

// The zone's offset from UTC at an instant, and until when it holds.
struct UtcOffset {
  int64_t offset_ms = 0;  // local = UTC + offset
  int64_t until_ms = 0;   // the next change (daylight saving), exclusive
};

class TimeZone {
 public:
  // `name` as in the tz database ("Europe/London", "UTC"); "" is the
  // system's zone (/etc/localtime), or UTC when it cannot be told.
  // NotFound for a name the database does not have.
  static Result<TimeZone> Load(std::string_view name);

  const std::string& name() const { return name_; }

  UtcOffset OffsetAt(int64_t unix_ms) const;
  LocalDateTime ToLocal(int64_t unix_ms) const;

  // The instant a local date and time happens. A time skipped by a clock
  // change (02:30 on a spring-forward night) is the instant the clocks
  // moved; one that happens twice (autumn) is its first occurrence.
  int64_t ToUnixMs(int year, int month, int day, int minute_of_day = 0) const;

 private:
  TimeZone(const void* zone, std::string name) : zone_(zone), name_(std::move(name)) {}

  const void* zone_;  // a date::time_zone, owned by the library's database
  std::string name_;
};

// Civil-calendar helpers, zone-free.
bool IsValidDate(int year, int month, int day);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_ENERGY_LOCAL_TIME_H_
