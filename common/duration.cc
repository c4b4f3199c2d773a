#include "common/duration.h"

#include <string>

namespace wattline {
namespace {

constexpr uint64_t kNanosPerMs = 1'000'000;

struct Unit {
  std::string_view name;
  int order;  // units must come in increasing order
  uint64_t nanos;
};

constexpr uint64_t kSecond = 1'000'000'000;
constexpr Unit kUnits[] = {
    {"y", 1, 365 * 24 * 3600 * kSecond},
    {"w", 2, 7 * 24 * 3600 * kSecond},
    {"d", 3, 24 * 3600 * kSecond},
    {"h", 4, 3600 * kSecond},
    {"m", 5, 60 * kSecond},
    {"s", 6, kSecond},
    {"ms", 7, kNanosPerMs},
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string Quote(std::string_view text) { return "\"" + std::string(text) + "\""; }

}  // namespace

Result<int64_t> ParseDurationMs(std::string_view text) {
  if (text == "0") return int64_t{0};
  if (text.empty()) return Status::InvalidArgument("empty duration string");
  const auto invalid = [&] {
    return Status::InvalidArgument("not a valid duration string: " + Quote(text));
  };
  constexpr uint64_t kLimit = uint64_t{1} << 63;  // Go's check, in nanoseconds
  uint64_t total = 0;
  int last_order = 0;
  for (size_t pos = 0; pos < text.size();) {
    if (!IsDigit(text[pos])) return invalid();
    uint64_t number = 0;
    for (; pos < text.size() && IsDigit(text[pos]); ++pos) {
      const auto digit = static_cast<uint64_t>(text[pos] - '0');
      if (number > (UINT64_MAX - digit) / 10) return invalid();  // Go's ParseUint fails too
      number = number * 10 + digit;
    }
    const size_t unit_start = pos;
    while (pos < text.size() && !IsDigit(text[pos])) ++pos;
    if (pos == unit_start) return invalid();
    const std::string_view name = text.substr(unit_start, pos - unit_start);
    const Unit* unit = nullptr;
    for (const Unit& candidate : kUnits) {
      if (candidate.name == name) unit = &candidate;
    }
    if (unit == nullptr) {
      return Status::InvalidArgument("unknown unit " + Quote(name) + " in duration " + Quote(text));
    }
    if (unit->order <= last_order) return invalid();
    last_order = unit->order;
    if (number > kLimit / unit->nanos) return Status::InvalidArgument("duration out of range");
    total += number * unit->nanos;
    if (total > kLimit) return Status::InvalidArgument("duration out of range");
  }
  return static_cast<int64_t>(total / kNanosPerMs);
}

}  // namespace wattline
