#include "aggregator/query/number.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

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

void AppendGoFloat(double value, std::string* out) {
  if (std::isnan(value)) {
    *out += "NaN";
    return;
  }
  if (std::isinf(value)) {
    *out += value > 0 ? "+Inf" : "-Inf";
    return;
  }
  // Below 1e15 a shortest form without an exponent is Go's: every digit
  // before the point is exact, and the fewest after it that read back.
  char buffer[64];
  if (std::abs(value) < 1e15) {
    const std::to_chars_result shortest = std::to_chars(buffer, buffer + sizeof(buffer), value);
    const std::string_view text(buffer, static_cast<size_t>(shortest.ptr - buffer));
    if (text.find('e') == std::string_view::npos) {
      *out += text;
      return;
    }
  }
  // The shortest round-trip digits come from scientific form; they are laid
  // out in fixed form here, as Go does. (to_chars in fixed form would print
  // every digit of a large double's exact value instead: 1e23 as
  // 99999999999999991611392.)
  const std::to_chars_result printed =
      std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::scientific);
  const std::string_view scientific(buffer, static_cast<size_t>(printed.ptr - buffer));
  const size_t e = scientific.find('e');
  char digits[32];  // at most 17 significant digits
  int count = 0;
  for (char c : scientific.substr(0, e)) {
    if (c == '-') {
      *out += '-';
    } else if (c != '.') {
      digits[count++] = c;
    }
  }
  std::string_view exponent_text = scientific.substr(e + 1);
  if (!exponent_text.empty() && exponent_text.front() == '+') exponent_text.remove_prefix(1);
  int exponent = 0;
  std::from_chars(exponent_text.data(), exponent_text.data() + exponent_text.size(), exponent);
  const int point = exponent + 1;  // digits before the decimal point
  const std::string_view all(digits, static_cast<size_t>(count));
  if (point <= 0) {
    *out += "0.";
    out->append(static_cast<size_t>(-point), '0');
    *out += all;
  } else if (point >= count) {
    *out += all;
    out->append(static_cast<size_t>(point - count), '0');
  } else {
    *out += all.substr(0, static_cast<size_t>(point));
    *out += '.';
    *out += all.substr(static_cast<size_t>(point));
  }
}

std::string FormatGoFloat(double value) {
  std::string out;
  AppendGoFloat(value, &out);
  return out;
}

}  // namespace wattline::aggregator
