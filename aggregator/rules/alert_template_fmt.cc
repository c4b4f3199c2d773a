#include "aggregator/rules/alert_template_fmt.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "aggregator/query/quote.h"
#include "aggregator/rules/alert_template_funcs.h"

namespace wattline::aggregator {

std::string FormatGoFloatG(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  // The shortest digits that read back, laid out as strconv's 'g' with
  // precision -1: an exponent below -4 or from 6 on (the "precision" Go
  // uses for shortest) takes e-notation.
  char buffer[64];
  const std::to_chars_result printed =
      std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::scientific);
  const std::string_view scientific(buffer, static_cast<size_t>(printed.ptr - buffer));
  const size_t e = scientific.find('e');
  std::string out;
  std::string digits;
  for (char c : scientific.substr(0, e)) {
    if (c == '-') {
      out += '-';
    } else if (c != '.') {
      digits += c;
    }
  }
  int exponent = 0;
  std::string_view exponent_text = scientific.substr(e + 1);
  if (exponent_text.front() == '+') exponent_text.remove_prefix(1);
  std::from_chars(exponent_text.data(), exponent_text.data() + exponent_text.size(), exponent);
  if (exponent < -4 || exponent >= 6) {
    out += digits[0];
    if (digits.size() > 1) {
      out += '.';
      out.append(digits, 1);
    }
    char tail[16];
    std::snprintf(tail, sizeof(tail), "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    return out + tail;
  }
  if (exponent < 0) {
    out += "0.";
    out.append(static_cast<size_t>(-exponent - 1), '0');
    return out + digits;
  }
  const size_t point = static_cast<size_t>(exponent) + 1;
  if (digits.size() <= point) return out + digits + std::string(point - digits.size(), '0');
  return out + digits.substr(0, point) + "." + digits.substr(point);
}

}  // namespace wattline::aggregator

namespace wattline::aggregator::alert_template {
namespace {

bool TooLarge(int64_t x) { return x > 1000000 || x < -1000000; }

// strconv.AppendFloat(v, verb, prec, 64), signed: "-1.5", "+Inf", "NaN".
std::string StrconvFloat(double v, char verb, int prec) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if ((verb == 'g' || verb == 'G') && prec < 0) {
    std::string out = FormatGoFloatG(v);
    if (verb == 'G') {
      for (char& c : out) c = c == 'e' ? 'E' : c;
    }
    return out;
  }
  if (verb == 'b') {  // mantissa p binary exponent, as Go's %b
    uint64_t bits = 0;
    std::memcpy(&bits, &v, sizeof(bits));
    int64_t exponent = static_cast<int64_t>((bits >> 52) & 0x7FF);
    uint64_t mantissa = bits & ((uint64_t{1} << 52) - 1);
    if (exponent == 0) {
      ++exponent;
    } else {
      mantissa |= uint64_t{1} << 52;
    }
    exponent += -1023 - 52;
    return std::string(bits >> 63 ? "-" : "") + std::to_string(mantissa) + "p" +
           (exponent >= 0 ? "+" : "") + std::to_string(exponent);
  }
  char format[8];
  const char c_verb = verb == 'x' ? 'a' : verb == 'X' ? 'A' : verb;
  if (prec < 0) {
    std::snprintf(format, sizeof(format), "%%%c", c_verb);
  } else {
    std::snprintf(format, sizeof(format), "%%.*%c", c_verb);
  }
  char buffer[512];
  const int length = prec < 0 ? std::snprintf(buffer, sizeof(buffer), format, v)
                              : std::snprintf(buffer, sizeof(buffer), format, prec, v);
  std::string out;
  if (length < static_cast<int>(sizeof(buffer))) {
    out.assign(buffer, static_cast<size_t>(length));
  } else {  // %f of a huge number at a large precision
    out.resize(static_cast<size_t>(length) + 1);
    std::snprintf(out.data(), out.size(), format, prec, v);
    out.resize(static_cast<size_t>(length));
  }
  if (c_verb == 'a' || c_verb == 'A') {  // Go writes at least two exponent digits
    const size_t p = out.find_last_of("pP");
    if (p != std::string::npos && out.size() - p == 3) out.insert(p + 2, "0");
  }
  return out;
}

// strconv.QuoteToASCII from Quote's result: the printable non-ASCII runes
// Quote keeps become \u or \U escapes.
std::string AsciiOnly(std::string_view quoted) {
  std::string out;
  for (size_t i = 0; i < quoted.size();) {
    size_t width = 1;
    const char32_t r = DecodeRune(quoted, i, &width);
    if (r < 0x80) {
      out += quoted[i];
    } else {
      char escaped[16];
      std::snprintf(escaped, sizeof(escaped), r > 0xFFFF ? "\\U%08x" : "\\u%04x",
                    static_cast<unsigned>(r));
      out += escaped;
    }
    i += width;
  }
  return out;
}

struct Flags {
  bool plus = false, minus = false, sharp = false, space = false, zero = false;
  bool plus_v = false;
  bool wid_present = false, prec_present = false;
  int wid = 0, prec = 0;
};

class Printer {
 public:
  std::string out;
  Flags f;

  void PrintArg(const Value& arg, char32_t verb) {
    if (arg.kind == Value::Kind::kNil || arg.kind == Value::Kind::kInvalid) {
      if (verb == 'T' || verb == 'v') {
        PadString(arg.kind == Value::Kind::kNil ? "<nil>" : "<invalid reflect.Value>");
      } else {
        BadVerb(arg, verb);
      }
      return;
    }
    if (verb == 'T') {
      FmtS(TypeName(arg));
      return;
    }
    switch (arg.kind) {
      case Value::Kind::kBool:
        if (verb == 't' || verb == 'v') {
          PadString(arg.boolean ? "true" : "false");
        } else {
          BadVerb(arg, verb);
        }
        return;
      case Value::Kind::kInt:
      case Value::Kind::kByte:
        FmtInteger(arg, verb);
        return;
      case Value::Kind::kFloat:
        FmtFloat(arg, verb);
        return;
      case Value::Kind::kString:
      case Value::Kind::kHtml:
        FmtString(arg, verb);
        return;
      case Value::Kind::kMap:
        out += "map[";
        for (size_t i = 0; i < arg.map->size(); ++i) {
          if (i > 0) out += ' ';
          PrintArg(Value::String((*arg.map)[i].name), verb);
          out += ':';
          PrintArg(Value::String((*arg.map)[i].value), verb);
        }
        out += ']';
        return;
      case Value::Kind::kData: {
        const AlertTemplateData& data = *arg.data;
        const Value fields[] = {
            Value::Map(data.labels != nullptr ? data.labels : &NoLabels()),
            Value::Map(data.external_labels != nullptr ? data.external_labels : &NoLabels()),
            Value::String(data.external_url), Value::Float(data.value)};
        static constexpr std::string_view kNames[] = {"Labels", "ExternalLabels", "ExternalURL",
                                                      "Value"};
        out += '{';
        for (size_t i = 0; i < 4; ++i) {
          if (i > 0) out += ' ';
          if (f.plus_v) {
            out += kNames[i];
            out += ':';
          }
          PrintArg(fields[i], verb);
        }
        out += '}';
        return;
      }
      case Value::Kind::kInvalid:
      case Value::Kind::kNil:
        return;
    }
  }

  void WritePadding(int n) {
    if (n > 0) out.append(static_cast<size_t>(n), f.zero ? '0' : ' ');
  }

  void Pad(std::string_view text) {
    if (!f.wid_present || f.wid == 0) {
      out += text;
      return;
    }
    size_t runes = 0;
    for (size_t i = 0; i < text.size();) {
      size_t width = 1;
      DecodeRune(text, i, &width);
      i += width;
      ++runes;
    }
    const int padding = f.wid - static_cast<int>(runes);
    if (!f.minus) {
      WritePadding(padding);
      out += text;
    } else {
      out += text;
      WritePadding(padding);
    }
  }

  void PadString(std::string_view text) { Pad(text); }

 private:
  void BadVerb(const Value& arg, char32_t verb) {
    out += "%!";
    AppendRune(out, verb);
    out += '(';
    if (arg.kind == Value::Kind::kNil || arg.kind == Value::Kind::kInvalid) {
      out += "<nil>";
    } else {
      out += TypeName(arg);
      out += '=';
      PrintArg(arg, 'v');
    }
    out += ')';
  }

  // The first f.prec runes of `text` when a precision is given.
  std::string_view Truncate(std::string_view text) const {
    if (!f.prec_present) return text;
    size_t end = 0;
    for (int n = 0; end < text.size() && n < f.prec; ++n) {
      size_t width = 1;
      DecodeRune(text, end, &width);
      end += width;
    }
    return text.substr(0, end);
  }

  void FmtS(std::string_view text) { Pad(Truncate(text)); }

  void FmtString(const Value& arg, char32_t verb) {
    const std::string_view text = arg.text;
    switch (verb) {
      case 'v':
      case 's':
        FmtS(text);
        return;
      case 'q': {
        const std::string_view shown = Truncate(text);
        if (f.sharp && CanBackquote(shown)) {
          Pad("`" + std::string(shown) + "`");
        } else {
          Pad(f.plus ? AsciiOnly(Quote(shown)) : Quote(shown));
        }
        return;
      }
      case 'x':
      case 'X': {
        const char* digits = verb == 'x' ? "0123456789abcdef" : "0123456789ABCDEF";
        size_t length = text.size();
        if (f.prec_present && static_cast<size_t>(f.prec) < length)
          length = static_cast<size_t>(f.prec);
        std::string hex;
        for (size_t i = 0; i < length; ++i) {
          if (f.space && i > 0) hex += ' ';
          if (f.sharp && (f.space || i == 0)) hex += verb == 'x' ? "0x" : "0X";
          const auto byte = static_cast<unsigned char>(text[i]);
          hex += digits[byte >> 4];
          hex += digits[byte & 0xF];
        }
        Pad(hex);
        return;
      }
      default:
        BadVerb(arg, verb);
    }
  }

  void FmtInteger(const Value& arg, char32_t verb) {
    const bool is_signed = arg.kind == Value::Kind::kInt;
    switch (verb) {
      case 'v':
      case 'd':
        return FmtIntegerBase(arg.integer, is_signed, 10, verb, false);
      case 'b':
        return FmtIntegerBase(arg.integer, is_signed, 2, verb, false);
      case 'o':
      case 'O':
        return FmtIntegerBase(arg.integer, is_signed, 8, verb, false);
      case 'x':
      case 'X':
        return FmtIntegerBase(arg.integer, is_signed, 16, verb, verb == 'X');
      case 'c': {
        std::string text;
        const uint64_t u = static_cast<uint64_t>(arg.integer);
        AppendRune(text, u > 0x10FFFF ? kRuneError : static_cast<char32_t>(u));
        Pad(text);
        return;
      }
      case 'q': {
        const uint64_t u = static_cast<uint64_t>(arg.integer);
        const std::string quoted = QuoteRune(u > 0x10FFFF ? kRuneError : static_cast<char32_t>(u));
        Pad(f.plus ? AsciiOnly(quoted) : quoted);
        return;
      }
      case 'U': {
        char text[32];
        std::snprintf(text, sizeof(text), "U+%04llX",
                      static_cast<unsigned long long>(arg.integer));  // NOLINT(runtime/int)
        Pad(text);
        return;
      }
      default:
        BadVerb(arg, verb);
    }
  }

  // Go's fmt.fmtInteger: precision and '0' give leading zeros, '#' a prefix.
  void FmtIntegerBase(int64_t value, bool is_signed, int base, char32_t verb, bool upper) {
    const bool negative = is_signed && value < 0;
    uint64_t u = static_cast<uint64_t>(value);
    if (negative) u = 0 - u;
    int prec = 0;
    if (f.prec_present) {
      prec = f.prec;
      if (prec == 0 && u == 0) {
        const bool zero = f.zero;
        f.zero = false;
        WritePadding(f.wid);
        f.zero = zero;
        return;
      }
    } else if (f.zero && f.wid_present) {
      prec = f.wid;
      if (negative || f.plus || f.space) --prec;
    }
    const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    std::string text;
    do {
      text.insert(text.begin(), digits[u % static_cast<uint64_t>(base)]);
      u /= static_cast<uint64_t>(base);
    } while (u != 0);
    if (static_cast<int>(text.size()) < prec)
      text.insert(0, static_cast<size_t>(prec) - text.size(), '0');
    if (f.sharp) {
      if (base == 2) text.insert(0, "0b");
      if (base == 8 && text[0] != '0') text.insert(0, "0");
      if (base == 16) text.insert(0, upper ? "0X" : "0x");
    }
    if (verb == 'O') text.insert(0, "0o");
    if (negative) {
      text.insert(0, "-");
    } else if (f.plus) {
      text.insert(0, "+");
    } else if (f.space) {
      text.insert(0, " ");
    }
    const bool zero = f.zero;
    f.zero = false;  // zeros, if asked for, are in `text` already
    Pad(text);
    f.zero = zero;
  }

  void FmtFloat(const Value& arg, char32_t verb) {
    int prec = -1;
    char strconv_verb = 'g';
    switch (verb) {
      case 'v':
        break;
      case 'b':
      case 'g':
      case 'G':
      case 'x':
      case 'X':
        strconv_verb = static_cast<char>(verb);
        break;
      case 'f':
      case 'e':
      case 'E':
      case 'F':
        strconv_verb = verb == 'F' ? 'f' : static_cast<char>(verb);
        prec = 6;
        break;
      default:
        BadVerb(arg, verb);
        return;
    }
    if (f.prec_present) prec = f.prec;
    std::string num = StrconvFloat(arg.number, strconv_verb, prec);
    if (num[0] != '-' && num[0] != '+') num.insert(0, "+");
    if (f.space && num[0] == '+' && !f.plus) num[0] = ' ';
    if (num[1] == 'I' || num[1] == 'N') {  // no zero padding for Inf and NaN
      const bool zero = f.zero;
      f.zero = false;
      if (num[1] == 'N' && !f.space && !f.plus) num.erase(0, 1);
      Pad(num);
      f.zero = zero;
      return;
    }
    if (f.plus || num[0] != '+') {
      if (f.zero && f.wid_present && f.wid > static_cast<int>(num.size())) {
        out += num[0];
        WritePadding(f.wid - static_cast<int>(num.size()));
        out.append(num, 1);
        return;
      }
      Pad(num);
      return;
    }
    Pad(std::string_view(num).substr(1));
  }
};

// Go's parsenum: a decimal number at format[*i], at most a million.
bool ParseNum(std::string_view format, size_t* i, int* num) {
  bool found = false;
  *num = 0;
  for (; *i < format.size() && format[*i] >= '0' && format[*i] <= '9'; ++*i) {
    if (TooLarge(*num)) {
      *i = format.size();
      return false;
    }
    *num = *num * 10 + (format[*i] - '0');
    found = true;
  }
  return found;
}

// Go's intFromArg: a width or precision given by *.
bool IntFromArg(std::span<const Value> args, size_t* arg_num, int* num) {
  *num = 0;
  if (*arg_num >= args.size()) return false;
  const Value& arg = args[(*arg_num)++];
  if (arg.kind != Value::Kind::kInt && arg.kind != Value::Kind::kByte) return false;
  if (TooLarge(arg.integer)) return false;
  *num = static_cast<int>(arg.integer);
  return true;
}

}  // namespace

bool CanBackquote(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    size_t width = 1;
    const char32_t r = DecodeRune(text, i, &width);
    if ((width == 1 && r == kRuneError) || r == 0xFEFF) return false;
    if ((r < ' ' && r != '\t') || r == '`' || r == 0x7F) return false;
    i += width;
  }
  return true;
}

std::string Sprint(std::span<const Value> args) {
  Printer p;
  bool previous_string = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const bool is_string = args[i].is_string();
    if (i > 0 && !is_string && !previous_string) p.out += ' ';
    p.PrintArg(args[i], 'v');
    previous_string = is_string;
  }
  return std::move(p.out);
}

std::string Sprintln(std::span<const Value> args) {
  Printer p;
  for (size_t i = 0; i < args.size(); ++i) {
    if (i > 0) p.out += ' ';
    p.PrintArg(args[i], 'v');
  }
  p.out += '\n';
  return std::move(p.out);
}

std::string Sprintf(std::string_view format, std::span<const Value> args) {
  Printer p;
  size_t arg_num = 0;
  size_t i = 0;
  const size_t end = format.size();
  while (i < end && p.out.size() <= kMaxOutputBytes) {
    const size_t literal = i;
    while (i < end && format[i] != '%') ++i;
    p.out.append(format.substr(literal, i - literal));
    if (i >= end) break;
    ++i;  // the '%'
    p.f = Flags();
    for (bool flags = true; flags && i < end; ++i) {
      switch (format[i]) {
        case '#':
          p.f.sharp = true;
          break;
        case '0':
          p.f.zero = !p.f.minus;
          break;
        case '+':
          p.f.plus = true;
          break;
        case '-':
          p.f.minus = true;
          p.f.zero = false;
          break;
        case ' ':
          p.f.space = true;
          break;
        default:
          flags = false;
          --i;  // undo the loop's step
      }
    }
    if (i < end && format[i] == '*') {
      ++i;
      p.f.wid_present = IntFromArg(args, &arg_num, &p.f.wid);
      if (!p.f.wid_present) p.out += "%!(BADWIDTH)";
      if (p.f.wid < 0) {
        p.f.wid = -p.f.wid;
        p.f.minus = true;
        p.f.zero = false;
      }
    } else {
      p.f.wid_present = ParseNum(format, &i, &p.f.wid);
    }
    if (i + 1 < end && format[i] == '.') {
      ++i;
      if (i < end && format[i] == '*') {
        ++i;
        p.f.prec_present = IntFromArg(args, &arg_num, &p.f.prec);
        if (p.f.prec < 0) {
          p.f.prec = 0;
          p.f.prec_present = false;
        }
        if (!p.f.prec_present) p.out += "%!(BADPREC)";
      } else {
        p.f.prec_present = true;
        ParseNum(format, &i, &p.f.prec);
      }
    }
    if (i >= end) {
      p.out += "%!(NOVERB)";
      break;
    }
    size_t width = 1;
    const char32_t verb = DecodeRune(format, i, &width);
    i += width;
    if (verb == '%') {
      p.out += '%';
    } else if (arg_num >= args.size()) {
      p.out += "%!";
      AppendRune(p.out, verb);
      p.out += "(MISSING)";
    } else {
      if (verb == 'v') {
        p.f.plus_v = p.f.plus;
        p.f.plus = false;
        p.f.sharp = false;  // Go syntax (%#v) is not supported: printed as %v
      }
      p.PrintArg(args[arg_num++], verb);
    }
  }
  if (arg_num < args.size() && p.out.size() <= kMaxOutputBytes) {
    p.f = Flags();
    p.out += "%!(EXTRA ";
    for (size_t k = arg_num; k < args.size(); ++k) {
      if (k > arg_num) p.out += ", ";
      if (args[k].kind == Value::Kind::kNil) {
        p.out += "<nil>";
        continue;
      }
      p.out += TypeName(args[k]);
      p.out += '=';
      p.PrintArg(args[k], 'v');
    }
    p.out += ')';
  }
  return std::move(p.out);
}

std::string FormatFloat4g(double value) {
  Printer p;
  p.f.prec_present = true;
  p.f.prec = 4;
  p.PrintArg(Value::Float(value), 'g');
  return std::move(p.out);
}

}  // namespace wattline::aggregator::alert_template
