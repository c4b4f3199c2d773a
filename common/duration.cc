#include "common/duration.h"

#include <array>

namespace wattline {
namespace {

struct Unit {
  std::string_view suffix;
  int64_t ms;
};

// Largest first: the order Prometheus requires units in.
constexpr std::array<Unit, 7> kUnits = {{{"y", 365LL * 24 * 3600 * 1000},
                                         {"w", 7LL * 24 * 3600 * 1000},
                                         {"d", 24LL * 3600 * 1000},
                                         {"h", 3600LL * 1000},
                                         {"m", 60LL * 1000},
                                         {"s", 1000},
                                         {"ms", 1}}};

}  // namespace

Result<int64_t> ParseDurationMs(std::string_view text) {
  auto bad = [&] { return Status::InvalidArgument("not a valid duration: \"" + std::string(text) + "\""); };
  if (text == "0") return int64_t{0};
  if (text.empty()) return bad();
  int64_t total = 0;
  size_t next_unit = 0;  // units must appear in kUnits order, each once
  size_t pos = 0;
  while (pos < text.size()) {
    if (text[pos] < '0' || text[pos] > '9') return bad();
    int64_t number = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (__builtin_mul_overflow(number, 10, &number) ||
          __builtin_add_overflow(number, text[pos] - '0', &number)) {
        return bad();
      }
      ++pos;
    }
    size_t unit = next_unit;
    // "ms" must win over "m" followed by something else.
    while (unit < kUnits.size()) {
      std::string_view suffix = kUnits[unit].suffix;
      if (text.substr(pos, suffix.size()) == suffix &&
          !(suffix == "m" && text.substr(pos, 2) == "ms")) {
        break;
      }
      ++unit;
    }
    if (unit == kUnits.size()) return bad();
    int64_t part;
    if (__builtin_mul_overflow(number, kUnits[unit].ms, &part) ||
        __builtin_add_overflow(total, part, &total)) {
      return bad();
    }
    pos += kUnits[unit].suffix.size();
    next_unit = unit + 1;
  }
  return total;
}

std::string FormatDurationMs(int64_t ms) {
  if (ms == 0) return "0s";
  std::string out;
  if (ms < 0) {
    out = "-";
    ms = -ms;
  }
  for (const Unit& unit : kUnits) {
    if (ms >= unit.ms) {
      out += std::to_string(ms / unit.ms);
      out += unit.suffix;
      ms %= unit.ms;
    }
  }
  return out;
}

}  // namespace wattline
