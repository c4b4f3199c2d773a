#include "aggregator/rules/go_unicode.h"

#include <locale>
#include <stdexcept>

#include "aggregator/query/quote.h"

namespace wattline::aggregator::alert_template {
namespace {

// The C.UTF-8 locale's wide character classes, or null when the C library
// has no such locale (then non-ASCII runes are neither letters nor cased).
const std::ctype<wchar_t>* UnicodeClasses() {
  static const std::ctype<wchar_t>* const kClasses = []() -> const std::ctype<wchar_t>* {
    try {
      static const std::locale* const kLocale = new std::locale("C.UTF-8");
      return &std::use_facet<std::ctype<wchar_t>>(*kLocale);
    } catch (const std::runtime_error&) {
      return nullptr;
    }
  }();
  return kClasses;
}

bool IsAsciiAlnum(char32_t rune) {
  return (rune >= 'a' && rune <= 'z') || (rune >= 'A' && rune <= 'Z') ||
         (rune >= '0' && rune <= '9');
}

// Unicode's format characters (Cf) that Go does not print.
bool IsFormatCharacter(char32_t rune) {
  return rune == 0xAD || (rune >= 0x600 && rune <= 0x605) || rune == 0x61C || rune == 0x6DD ||
         rune == 0x70F || rune == 0x180E || (rune >= 0x200B && rune <= 0x200F) ||
         (rune >= 0x202A && rune <= 0x202E) || (rune >= 0x2060 && rune <= 0x206F) ||
         rune == 0xFEFF || (rune >= 0xFFF9 && rune <= 0xFFFB);
}

// Go's unicode.ToTitle differs from ToUpper for the digraphs: dž -> Dž.
char32_t DigraphTitle(char32_t rune) {
  if (rune >= 0x1C4 && rune <= 0x1CC) return 0x1C5 + (rune - 0x1C4) / 3 * 3;
  if (rune >= 0x1F1 && rune <= 0x1F3) return 0x1F2;
  return 0;
}

template <typename Map>
std::string MapRunes(std::string_view text, Map map) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    size_t width = 1;
    const char32_t rune = DecodeRune(text, i, &width);
    AppendRune(out, map(rune));
    i += width;
  }
  return out;
}

}  // namespace

bool IsLetterOrDigit(char32_t rune) {
  if (rune < 0x80) return IsAsciiAlnum(rune);
  const std::ctype<wchar_t>* classes = UnicodeClasses();
  return classes != nullptr &&
         classes->is(std::ctype_base::alpha | std::ctype_base::digit, static_cast<wchar_t>(rune));
}

bool IsUnicodeSpace(char32_t rune) {
  switch (rune) {
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case ' ':
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
      return true;
    default:
      return rune >= 0x2000 && rune <= 0x200A;
  }
}

bool IsUnicodePrint(char32_t rune) {
  if (rune < 0x80) return rune >= 0x20 && rune < 0x7F;
  if (IsUnicodeSpace(rune) || IsFormatCharacter(rune) || rune > 0x10FFFF) return false;
  const std::ctype<wchar_t>* classes = UnicodeClasses();
  return classes != nullptr && classes->is(std::ctype_base::print, static_cast<wchar_t>(rune));
}

char32_t ToUpperRune(char32_t rune) {
  if (rune < 0x80) return rune >= 'a' && rune <= 'z' ? rune - 'a' + 'A' : rune;
  const std::ctype<wchar_t>* classes = UnicodeClasses();
  if (classes == nullptr || rune > 0x10FFFF) return rune;
  return static_cast<char32_t>(classes->toupper(static_cast<wchar_t>(rune)));
}

char32_t ToLowerRune(char32_t rune) {
  if (rune < 0x80) return rune >= 'A' && rune <= 'Z' ? rune - 'A' + 'a' : rune;
  const std::ctype<wchar_t>* classes = UnicodeClasses();
  if (classes == nullptr || rune > 0x10FFFF) return rune;
  return static_cast<char32_t>(classes->tolower(static_cast<wchar_t>(rune)));
}

char32_t ToTitleRune(char32_t rune) {
  const char32_t digraph = DigraphTitle(rune);
  return digraph != 0 ? digraph : ToUpperRune(rune);
}

std::string ToUpper(std::string_view text) { return MapRunes(text, ToUpperRune); }

std::string ToLower(std::string_view text) { return MapRunes(text, ToLowerRune); }

std::string Title(std::string_view text) {
  // strings.Title's isSeparator, applied to the previous rune.
  auto is_separator = [](char32_t rune) {
    if (rune < 0x80) return !IsAsciiAlnum(rune) && rune != '_';
    return !IsLetterOrDigit(rune) && IsUnicodeSpace(rune);
  };
  char32_t previous = ' ';
  return MapRunes(text, [&](char32_t rune) {
    const bool starts_word = is_separator(previous);
    previous = rune;
    return starts_word ? ToTitleRune(rune) : rune;
  });
}

}  // namespace wattline::aggregator::alert_template
