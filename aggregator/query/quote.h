// Strings and runes the way Go writes them. PromQL took its string literals
// from Go, and Prometheus's error messages quote with Go's %q, so the lexer,
// the parser and their messages share these.
//
// Thread-safety: all functions are pure.
#ifndef WATTLINE_AGGREGATOR_QUERY_QUOTE_H_
#define WATTLINE_AGGREGATOR_QUERY_QUOTE_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"

namespace wattline::aggregator {

// What DecodeRune returns for a byte sequence that is not valid UTF-8, as
// Go's utf8.RuneError.
inline constexpr char32_t kRuneError = 0xFFFD;

// Decodes the UTF-8 sequence starting at text[pos]. Returns the rune and
// stores its length in *width; an invalid or truncated sequence (overlong,
// surrogate, above U+10FFFF) gives kRuneError with *width = 1.
// REQUIRES: pos < text.size().
char32_t DecodeRune(std::string_view text, size_t pos, size_t* width);

void AppendRune(std::string& out, char32_t rune);  // as UTF-8

// Go's %q of a string: "a\"b\n".
std::string Quote(std::string_view text);

// Go's %q of a rune: 'a', '\n', '\''.
std::string QuoteRune(char32_t rune);

// Go's %#U of a rune: U+0071 'q' (the quoted part only when printable).
std::string DescribeRune(char32_t rune);

// The value of a PromQL string literal written "...", '...' or `...` (the
// quotes included), with Go's escapes: \a \b \f \n \r \t \v \\ \' or \" (the
// one matching the quotes), \ooo, \xhh, \uhhhh, \Uhhhhhhhh. Raw strings take
// their content verbatim. InvalidArgument("invalid syntax") otherwise.
Result<std::string> Unquote(std::string_view literal);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_QUERY_QUOTE_H_
