// A value that follows the calendar: a price or a carbon intensity that
// changes with contracts (periods, each from a local date on), and within a
// period with the local time of day, the weekday and the season (windows).
// The step function behind the tariff and carbon series (schedule_series.h).
//
// Every change falls on a whole local minute, so a value sampled once a
// minute, on the minute, is exact at every instant.
//
// Thread-safety: immutable once built; every method is thread-safe.
#ifndef WATTLINE_AGGREGATOR_ENERGY_SCHEDULE_H_
#define WATTLINE_AGGREGATOR_ENERGY_SCHEDULE_H_

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "aggregator/energy/local_time.h"
#include "common/status.h"

namespace wattline::aggregator {

// When a window applies, in local time. A window whose minutes wrap past
// midnight ("22:00-06:00") belongs to the day (and month) it starts on: the
// Saturday morning hours of a Friday-night window are Friday's.
struct TimeWindow {
  uint16_t months = 0xfff;  // bit m-1 for month m
  uint8_t weekdays = 0x7f;  // bit 0 Monday .. bit 6 Sunday
  int start_minute = 0;     // [start, end) minutes of the day; end may be 1440
  int end_minute = 1440;    // end < start: wraps past midnight
  double value = 0;

  bool Contains(const LocalDateTime& local) const;
};

struct SchedulePeriod {
  int64_t from_ms = 0;              // in effect from here until the next period's from
  double value = 0;                 // outside every window
  std::vector<TimeWindow> windows;  // the first that contains the time wins
};

class Schedule {
 public:
  // `periods` sorted by from_ms, without two at one instant.
  explicit Schedule(std::vector<SchedulePeriod> periods);

  // The value at `unix_ms`, or nullopt before the first period.
  std::optional<double> ValueAt(const TimeZone& zone, int64_t unix_ms) const;
  int64_t first_ms() const;  // REQUIRES: at least one period

 private:
  std::vector<SchedulePeriod> periods_;
};

// Window fields as written in the config (docs/energy.md). Each returns
// InvalidArgument naming what it could not read.
//   months "oct-mar", "jun,jul,aug", "all"; weekdays "mon-fri", "sat,sun",
//   "all"; hours "16:00-19:00", "22:00-06:00", "00:00-24:00".
Result<uint16_t> ParseMonths(std::string_view text);
Result<uint8_t> ParseWeekdays(std::string_view text);
Status ParseHours(std::string_view text, TimeWindow* window);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_ENERGY_SCHEDULE_H_
