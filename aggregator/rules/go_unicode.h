// The few Unicode properties of Go's unicode package that alert templates
// need (lexing identifiers, strings.Title, ToUpper, ToLower, JSEscape),
// taken from the C library's C.UTF-8 locale; ASCII-only if that locale is
// missing. Go's tables and glibc's agree on letters and simple case
// mappings; where they differ (rare format characters), only unusual
// templates see it. Private to aggregator/rules.
//
// Thread-safety: pure functions.
#ifndef WATTLINE_AGGREGATOR_RULES_GO_UNICODE_H_
#define WATTLINE_AGGREGATOR_RULES_GO_UNICODE_H_

#include <string>
#include <string_view>

namespace wattline::aggregator::alert_template {

bool IsLetterOrDigit(char32_t rune);  // unicode.IsLetter || unicode.IsDigit
bool IsUnicodeSpace(char32_t rune);   // unicode.IsSpace
bool IsUnicodePrint(char32_t rune);   // unicode.IsPrint
char32_t ToUpperRune(char32_t rune);  // unicode.ToUpper
char32_t ToLowerRune(char32_t rune);  // unicode.ToLower
char32_t ToTitleRune(char32_t rune);  // unicode.ToTitle

// strings.ToUpper, strings.ToLower and strings.Title (which upper-cases
// the first letter of each word; a word follows anything but an ASCII
// letter, digit or '_' or a Unicode letter or digit). Invalid UTF-8 bytes
// become U+FFFD, as strings.Map makes them.
std::string ToUpper(std::string_view text);
std::string ToLower(std::string_view text);
std::string Title(std::string_view text);

}  // namespace wattline::aggregator::alert_template

#endif  // WATTLINE_AGGREGATOR_RULES_GO_UNICODE_H_
