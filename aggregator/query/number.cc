#include "aggregator/query/number.h"

#include <charconv>
#include <limits>

namespace wattline::aggregator {
namespace {

bool EqualsLower(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

bool IsHexDigitOrDot(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '.';
}

}  // namespace

std::optional<double> ParseGoFloat(std::string_view text) {
  bool negative = false;
  if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  if (text.empty()) return std::nullopt;
  if (EqualsLower(text, "inf") || EqualsLower(text, "infinity")) {
    const double inf = std::numeric_limits<double>::infinity();
    return negative ? -inf : inf;
  }
  if (EqualsLower(text, "nan")) return std::numeric_limits<double>::quiet_NaN();

  std::chars_format format = std::chars_format::general;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    text.remove_prefix(2);
    // Go requires the binary exponent of a hex float.
    if (text.find_first_of("pP") == std::string_view::npos) return std::nullopt;
    format = std::chars_format::hex;
    if (!IsHexDigitOrDot(text.front())) return std::nullopt;
  } else if (text.find_first_not_of("0123456789.eE+-") != std::string_view::npos ||
             text.front() == '+' || text.front() == '-') {
    return std::nullopt;  // from_chars would take "nan(...)" or a second sign
  }
  double value = 0;
  const char* end = text.data() + text.size();
  const std::from_chars_result result = std::from_chars(text.data(), end, value, format);
  if (result.ec != std::errc() || result.ptr != end) return std::nullopt;
  return negative ? -value : value;
}

}  // namespace wattline::aggregator
