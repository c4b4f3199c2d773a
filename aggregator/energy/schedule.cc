#include "aggregator/energy/schedule.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <span>
#include <string>

namespace wattline::aggregator {
namespace {

constexpr std::array<std::string_view, 12> kMonthNames = {"jan", "feb", "mar", "apr", "may", "jun",
                                                          "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<std::string_view, 7> kWeekdayNames = {"mon", "tue", "wed", "thu",
                                                           "fri", "sat", "sun"};

std::string_view Trim(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

// A bit set over a cycle of `names` from "a-b,c" (ranges wrap: "oct-mar").
Result<uint32_t> ParseCycleSet(std::string_view text, std::span<const std::string_view> names,
                               std::string_view what) {
  const auto index_of = [&](std::string_view name) -> int {
    std::string lower(Trim(name));
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto found = std::find(names.begin(), names.end(), lower);
    return found == names.end() ? -1 : static_cast<int>(found - names.begin());
  };
  if (Trim(text) == "all") return (uint32_t{1} << names.size()) - 1;
  uint32_t bits = 0;
  while (true) {
    const size_t comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    const size_t dash = item.find('-');
    const int first = index_of(item.substr(0, dash));
    const int last = dash == std::string_view::npos ? first : index_of(item.substr(dash + 1));
    if (first < 0 || last < 0) {
      return Status::InvalidArgument("cannot read " + std::string(what) + " \"" +
                                     std::string(Trim(item)) + "\" (e.g. \"" +
                                     std::string(names[0]) + "-" + std::string(names[4]) + "\")");
    }
    for (int i = first;; i = (i + 1) % static_cast<int>(names.size())) {
      bits |= uint32_t{1} << i;
      if (i == last) break;
    }
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return bits;
}

Result<int> ParseClock(std::string_view text) {
  text = Trim(text);
  int hours = -1;
  int minutes = -1;
  const size_t colon = text.find(':');
  if (colon != std::string_view::npos) {
    const auto h = std::from_chars(text.data(), text.data() + colon, hours);
    const auto m = std::from_chars(text.data() + colon + 1, text.data() + text.size(), minutes);
    if (h.ptr != text.data() + colon || m.ptr != text.data() + text.size() ||
        text.size() - colon != 3) {
      hours = -1;
    }
  }
  if (hours < 0 || minutes < 0 || minutes > 59 || hours > 24 || (hours == 24 && minutes != 0)) {
    return Status::InvalidArgument("\"" + std::string(text) +
                                   "\" is not a time of day (HH:MM, 00:00 to 24:00)");
  }
  return hours * 60 + minutes;
}

}  // namespace

bool TimeWindow::Contains(const LocalDateTime& local) const {
  const auto on_day = [&](int month, int weekday) {
    return (months >> (month - 1) & 1) != 0 && (weekdays >> weekday & 1) != 0;
  };
  const int minute = local.minute_of_day;
  if (start_minute <= end_minute) {
    return minute >= start_minute && minute < end_minute && on_day(local.month, local.weekday);
  }
  if (minute >= start_minute) return on_day(local.month, local.weekday);
  if (minute >= end_minute) return false;
  // The small hours of a window that began the evening before.
  const int yesterday_month = local.day == 1 ? (local.month + 10) % 12 + 1 : local.month;
  return on_day(yesterday_month, (local.weekday + 6) % 7);
}

Schedule::Schedule(std::vector<SchedulePeriod> periods) : periods_(std::move(periods)) {}

int64_t Schedule::first_ms() const { return periods_.front().from_ms; }

std::optional<double> Schedule::ValueAt(const TimeZone& zone, int64_t unix_ms) const {
  auto after =
      std::upper_bound(periods_.begin(), periods_.end(), unix_ms,
                       [](int64_t t, const SchedulePeriod& period) { return t < period.from_ms; });
  if (after == periods_.begin()) return std::nullopt;
  const SchedulePeriod& period = *(after - 1);
  if (period.windows.empty()) return period.value;
  const LocalDateTime local = zone.ToLocal(unix_ms);
  for (const TimeWindow& window : period.windows) {
    if (window.Contains(local)) return window.value;
  }
  return period.value;
}

Result<uint16_t> ParseMonths(std::string_view text) {
  Result<uint32_t> bits = ParseCycleSet(text, kMonthNames, "months");
  if (!bits.ok()) return bits.status();
  return static_cast<uint16_t>(*bits);
}

Result<uint8_t> ParseWeekdays(std::string_view text) {
  Result<uint32_t> bits = ParseCycleSet(text, kWeekdayNames, "days");
  if (!bits.ok()) return bits.status();
  return static_cast<uint8_t>(*bits);
}

Status ParseHours(std::string_view text, TimeWindow* window) {
  const size_t dash = text.find('-');
  if (dash == std::string_view::npos) {
    return Status::InvalidArgument("cannot read hours \"" + std::string(text) +
                                   "\" (e.g. \"16:00-19:00\")");
  }
  const std::string what = "cannot read hours \"" + std::string(text) + "\": ";
  Result<int> start = ParseClock(text.substr(0, dash));
  if (!start.ok()) return Status::InvalidArgument(what + start.status().message());
  Result<int> end = ParseClock(text.substr(dash + 1));
  if (!end.ok()) return Status::InvalidArgument(what + end.status().message());
  if (*start == *end || *start == 1440) {
    return Status::InvalidArgument("hours \"" + std::string(text) + "\" are empty");
  }
  window->start_minute = *start;
  window->end_minute = *end;
  return Status::Ok();
}

}  // namespace wattline::aggregator
