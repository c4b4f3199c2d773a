#include "aggregator/rules/go_strconv.h"

#include <locale.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <string>

#include "aggregator/query/number.h"
#include "aggregator/query/quote.h"

namespace wattline::aggregator::alert_template {
namespace {

char Lower(char c) { return static_cast<char>(c | 0x20); }

// strconv's underscoreOK: '_' only between digits, or after a base prefix.
bool UnderscoresOk(std::string_view s) {
  char saw = '^';
  size_t i = 0;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  bool hex = false;
  if (s.size() >= 2 && s[0] == '0' &&
      (Lower(s[1]) == 'b' || Lower(s[1]) == 'o' || Lower(s[1]) == 'x')) {
    i = 2;
    saw = '0';
    hex = Lower(s[1]) == 'x';
  }
  for (; i < s.size(); ++i) {
    if ((s[i] >= '0' && s[i] <= '9') || (hex && Lower(s[i]) >= 'a' && Lower(s[i]) <= 'f')) {
      saw = '0';
      continue;
    }
    if (s[i] == '_') {
      if (saw != '0') return false;
      saw = '_';
      continue;
    }
    if (saw == '_') return false;
    saw = '!';
  }
  return saw != '_';
}

}  // namespace

Result<double> ParseFloat(std::string_view text) {
  const std::string prefix = "strconv.ParseFloat: parsing " + Quote(text) + ": ";
  std::string clean(text);
  if (clean.find('_') != std::string::npos) {
    if (!UnderscoresOk(text)) return Status::InvalidArgument(prefix + "invalid syntax");
    std::erase(clean, '_');
  }
  if (std::optional<double> value = ParseGoFloat(clean)) return *value;
  // ParseGoFloat also refuses a well-formed number beyond a double's range.
  // Go calls an overflow "value out of range" and rounds an underflow.
  const bool hex = clean.find_first_of("xX") != std::string::npos;
  const bool plain = !clean.empty() && clean.find_first_of(" \t\n\r\f\v(") == std::string::npos &&
                     clean.find_first_of("0123456789") != std::string::npos &&
                     (!hex || clean.find_first_of("pP") != std::string::npos);
  if (plain) {
    static const locale_t kC = newlocale(LC_ALL_MASK, "C", static_cast<locale_t>(nullptr));
    char* end = nullptr;
    errno = 0;
    const double value = strtod_l(clean.c_str(), &end, kC);
    if (end == clean.c_str() + clean.size() && errno == ERANGE) {
      if (std::isinf(value)) return Status::InvalidArgument(prefix + "value out of range");
      return value;
    }
  }
  return Status::InvalidArgument(prefix + "invalid syntax");
}

bool ParseUint0(std::string_view text, uint64_t* value) {
  std::string_view s = text;
  if (s.empty()) return false;
  uint64_t base = 10;
  if (s[0] == '0') {
    if (s.size() >= 3 && Lower(s[1]) == 'b') {
      base = 2;
      s.remove_prefix(2);
    } else if (s.size() >= 3 && Lower(s[1]) == 'o') {
      base = 8;
      s.remove_prefix(2);
    } else if (s.size() >= 3 && Lower(s[1]) == 'x') {
      base = 16;
      s.remove_prefix(2);
    } else {
      base = 8;
      s.remove_prefix(1);
    }
  }
  uint64_t n = 0;
  bool underscores = false;
  for (char c : s) {
    uint64_t digit = 0;
    if (c == '_') {
      underscores = true;
      continue;
    } else if (c >= '0' && c <= '9') {
      digit = static_cast<uint64_t>(c - '0');
    } else if (Lower(c) >= 'a' && Lower(c) <= 'z') {
      digit = static_cast<uint64_t>(Lower(c) - 'a' + 10);
    } else {
      return false;
    }
    if (digit >= base) return false;
    if (n > (UINT64_MAX - digit) / base) return false;  // overflow
    n = n * base + digit;
  }
  if (underscores && !UnderscoresOk(text)) return false;
  *value = n;
  return true;
}

bool ParseInt0(std::string_view text, int64_t* value) {
  bool negative = false;
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  uint64_t magnitude = 0;
  if (!ParseUint0(text, &magnitude)) return false;
  constexpr uint64_t kLimit = uint64_t{1} << 63;
  if (negative ? magnitude > kLimit : magnitude >= kLimit) return false;
  *value = negative ? static_cast<int64_t>(0 - magnitude) : static_cast<int64_t>(magnitude);
  return true;
}

}  // namespace wattline::aggregator::alert_template
