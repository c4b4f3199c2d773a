#include "aggregator/query/quote.h"

#include <cstdint>

namespace wattline::aggregator {
namespace {

constexpr char kHex[] = "0123456789abcdef";

bool IsContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

bool IsValidRune(char32_t rune) { return rune <= 0x10FFFF && !(rune >= 0xD800 && rune <= 0xDFFF); }

// Go's strconv.IsPrint, approximated: Go consults the Unicode tables; we
// treat controls, the separators and format characters of the Latin-1 and
// General Punctuation blocks, private use and non-characters as unprintable.
// Only messages depend on it.
bool IsPrint(char32_t r) {
  if (r < 0x20 || (r >= 0x7F && r <= 0xA0) || r == 0xAD) return false;
  if (r == 0x1680 || (r >= 0x2000 && r <= 0x200F) || (r >= 0x2028 && r <= 0x202F)) return false;
  if ((r >= 0x205F && r <= 0x206F) || r == 0x3000 || r == 0xFEFF) return false;
  if ((r >= 0xE000 && r <= 0xF8FF) || (r >= 0xFFF9 && r <= 0xFFFB) || r == 0xFFFE) return false;
  if (r == 0xFFFF || r >= 0xF0000) return false;  // private use planes, beyond Unicode
  return IsValidRune(r);
}

void AppendHex(std::string& out, uint32_t value, int digits) {
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) out += kHex[(value >> shift) & 0xF];
}

// One rune of Go's quoteWith.
void AppendQuotedRune(std::string& out, char32_t r, char quote) {
  if (r == static_cast<char32_t>(quote) || r == '\\') {
    out += '\\';
    out += static_cast<char>(r);
    return;
  }
  if (IsPrint(r)) {
    AppendRune(out, r);
    return;
  }
  switch (r) {
    case '\a':
      out += "\\a";
      return;
    case '\b':
      out += "\\b";
      return;
    case '\f':
      out += "\\f";
      return;
    case '\n':
      out += "\\n";
      return;
    case '\r':
      out += "\\r";
      return;
    case '\t':
      out += "\\t";
      return;
    case '\v':
      out += "\\v";
      return;
    default:
      break;
  }
  if (r < ' ' || r == 0x7F) {
    out += "\\x";
    AppendHex(out, r, 2);
  } else if (r < 0x10000) {
    out += "\\u";
    AppendHex(out, r, 4);
  } else {
    out += "\\U";
    AppendHex(out, r, 8);
  }
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Status SyntaxError() { return Status::InvalidArgument("invalid syntax"); }

// Go's strconv.unquoteChar for the escape at body[*pos] (the backslash).
Status AppendEscape(std::string& out, std::string_view body, size_t* pos, char quote) {
  if (*pos + 1 >= body.size()) return SyntaxError();
  const char c = body[*pos + 1];
  *pos += 2;
  switch (c) {
    case 'a':
      out += '\a';
      return Status::Ok();
    case 'b':
      out += '\b';
      return Status::Ok();
    case 'f':
      out += '\f';
      return Status::Ok();
    case 'n':
      out += '\n';
      return Status::Ok();
    case 'r':
      out += '\r';
      return Status::Ok();
    case 't':
      out += '\t';
      return Status::Ok();
    case 'v':
      out += '\v';
      return Status::Ok();
    case '\\':
      out += '\\';
      return Status::Ok();
    case '\'':
    case '"':
      if (c != quote) return SyntaxError();
      out += c;
      return Status::Ok();
    case 'x':
    case 'u':
    case 'U': {
      const size_t digits = c == 'x' ? 2 : (c == 'u' ? 4 : 8);
      if (*pos + digits > body.size()) return SyntaxError();
      uint32_t value = 0;
      for (size_t i = 0; i < digits; ++i) {
        const int digit = HexValue(body[*pos + i]);
        if (digit < 0) return SyntaxError();
        value = value << 4 | static_cast<uint32_t>(digit);
      }
      *pos += digits;
      if (c == 'x') {
        out += static_cast<char>(value);  // one byte, not necessarily UTF-8
      } else {
        if (!IsValidRune(value)) return SyntaxError();
        AppendRune(out, value);
      }
      return Status::Ok();
    }
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7': {
      if (*pos + 2 > body.size()) return SyntaxError();
      uint32_t value = static_cast<uint32_t>(c - '0');
      for (size_t i = 0; i < 2; ++i) {
        const char d = body[*pos + i];
        if (d < '0' || d > '7') return SyntaxError();
        value = value << 3 | static_cast<uint32_t>(d - '0');
      }
      *pos += 2;
      if (value > 255) return SyntaxError();
      out += static_cast<char>(value);
      return Status::Ok();
    }
    default:
      return SyntaxError();
  }
}

}  // namespace

char32_t DecodeRune(std::string_view text, size_t pos, size_t* width) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[pos + i]); };
  const size_t left = text.size() - pos;
  const unsigned char b0 = byte(0);
  *width = 1;
  if (b0 < 0x80) return b0;
  size_t need = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  char32_t rune = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 2;
    rune = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 3;
    rune = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;  // overlong
    if (b0 == 0xED) hi = 0x9F;  // surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 4;
    rune = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90;  // overlong
    if (b0 == 0xF4) hi = 0x8F;  // above U+10FFFF
  } else {
    return kRuneError;
  }
  if (left < need || byte(1) < lo || byte(1) > hi) return kRuneError;
  for (size_t i = 1; i < need; ++i) {
    if (!IsContinuation(byte(i))) return kRuneError;
    rune = rune << 6 | (byte(i) & 0x3F);
  }
  *width = need;
  return rune;
}

void AppendRune(std::string& out, char32_t rune) {
  if (!IsValidRune(rune)) rune = kRuneError;
  if (rune < 0x80) {
    out += static_cast<char>(rune);
  } else if (rune < 0x800) {
    out += static_cast<char>(0xC0 | (rune >> 6));
    out += static_cast<char>(0x80 | (rune & 0x3F));
  } else if (rune < 0x10000) {
    out += static_cast<char>(0xE0 | (rune >> 12));
    out += static_cast<char>(0x80 | ((rune >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (rune & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (rune >> 18));
    out += static_cast<char>(0x80 | ((rune >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((rune >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (rune & 0x3F));
  }
}

std::string Quote(std::string_view text) {
  std::string out = "\"";
  for (size_t pos = 0; pos < text.size();) {
    size_t width = 0;
    const char32_t rune = DecodeRune(text, pos, &width);
    if (rune == kRuneError && width == 1) {
      out += "\\x";
      AppendHex(out, static_cast<unsigned char>(text[pos]), 2);
    } else {
      AppendQuotedRune(out, rune, '"');
    }
    pos += width;
  }
  out += '"';
  return out;
}

std::string QuoteRune(char32_t rune) {
  std::string out = "'";
  AppendQuotedRune(out, IsValidRune(rune) ? rune : kRuneError, '\'');
  out += '\'';
  return out;
}

std::string DescribeRune(char32_t rune) {
  std::string out = "U+";
  int digits = 4;
  while (digits < 8 && (rune >> (digits * 4)) != 0) ++digits;
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
    out += "0123456789ABCDEF"[(rune >> shift) & 0xF];
  }
  if (IsPrint(rune)) {
    out += " '";
    AppendRune(out, rune);
    out += '\'';
  }
  return out;
}

Result<std::string> Unquote(std::string_view literal) {
  if (literal.size() < 2 || literal.front() != literal.back()) return SyntaxError();
  const char quote = literal.front();
  std::string_view body = literal.substr(1, literal.size() - 2);
  if (quote == '`') {
    if (body.find('`') != std::string_view::npos) return SyntaxError();
    return std::string(body);
  }
  if (quote != '"' && quote != '\'') return SyntaxError();
  if (body.find('\n') != std::string_view::npos) return SyntaxError();

  std::string out;
  out.reserve(body.size());
  for (size_t pos = 0; pos < body.size();) {
    const char c = body[pos];
    if (c == quote) return SyntaxError();
    if (c != '\\') {
      size_t width = 0;
      AppendRune(out, DecodeRune(body, pos, &width));
      pos += width;
      continue;
    }
    WATTLINE_RETURN_IF_ERROR(AppendEscape(out, body, &pos, quote));
  }
  return out;
}

}  // namespace wattline::aggregator
