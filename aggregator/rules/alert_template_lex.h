// The alert template lexer: Go 1.19's text/template/parse/lex.go, the
// version Prometheus 2.42 is built with. Text outside {{ }}, actions with
// the {{- and -}} trim markers (which trim spaces, tabs, CRs and newlines of
// the adjacent text), {{/* comments */}}; inside actions spaces (newlines
// included), := = | ( ), "strings" with Go's escapes, `raw strings`,
// 'c'haracter constants, numbers (Go's literal syntax, unchecked), $variables,
// .fields, identifiers and keywords. Private to aggregator/rules.
//
// Thread-safety: pure function.
#ifndef WATTLINE_AGGREGATOR_RULES_ALERT_TEMPLATE_LEX_H_
#define WATTLINE_AGGREGATOR_RULES_ALERT_TEMPLATE_LEX_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wattline::aggregator::alert_template {

struct TemplateToken {
  enum class Type : uint8_t {
    kError,  // text is the message; always the last token
    kBool,
    kChar,  // a printable ASCII character Go has no token for, such as ','
    kCharConstant,
    kComplex,
    kAssign,   // =
    kDeclare,  // :=
    kEof,
    kField,
    kIdentifier,
    kLeftDelim,
    kLeftParen,
    kNumber,
    kPipe,
    kRawString,
    kRightDelim,
    kRightParen,
    kSpace,
    kString,
    kText,
    kVariable,
    // Keywords, after kKeyword as in Go (TokenString prints them as <word>).
    kKeyword,
    kBlock,
    kBreak,
    kContinue,
    kDot,
    kDefine,
    kElse,
    kEnd,
    kIf,
    kNil,
    kRange,
    kTemplate,
    kWith,
  };

  Type type;
  size_t pos;        // byte offset of its start
  int line;          // line of its start, from 1
  std::string text;  // as written; an error's message
};

// The tokens of `text`, ending with one kEof or kError token.
std::vector<TemplateToken> LexTemplate(std::string_view text);

// Go's item.String(), which parse errors quote: "EOF", <if>, "abc",
// "0123456789"... (an error token: its message).
std::string TokenString(const TemplateToken& token);

}  // namespace wattline::aggregator::alert_template

#endif  // WATTLINE_AGGREGATOR_RULES_ALERT_TEMPLATE_LEX_H_
