// The PromQL lexer: turns a query into tokens with byte positions, following
// the rules of Prometheus's promql/parser/lex.go, so the parser built on it
// can grow into the whole PromQL grammar and report errors where Prometheus
// does:
//
//   identifier         [a-zA-Z_][a-zA-Z0-9_]*; keywords (sum, by, offset, ...)
//                      are recognised case-insensitively, "inf" and "nan" are
//                      numbers
//   metric identifier  an identifier that contains ':' (and may start with it)
//   string             "..." or '...' with Go escapes, or `...` raw
//   number             decimal or 0x hex integer, float with exponent
//   duration           e.g. 5m, 1h30m, 500ms (units y w d h m s ms)
//   operators          + - * / % ^ == != < <= > >= and or unless atan2 @
//   inside { }         only identifiers (keywords are plain identifiers
//                      there), strings, ',', and the matchers = != =~ !~
//   comment            '#' up to the end of the line
//
// Deliberate differences from current Prometheus: numbers follow the
// classic syntax (no '_' digit separators); the experimental duration
// arithmetic inside [ ] is not lexed; Prometheus 3's quoted UTF-8 names
// ({"my.metric"}) are not accepted.
//
// Thread-safety: a Lexer is used by one thread; distinct lexers are
// independent.
#ifndef WATTLINE_AGGREGATOR_QUERY_LEXER_H_
#define WATTLINE_AGGREGATOR_QUERY_LEXER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wattline::aggregator {

enum class TokenType : uint8_t {
  kEof,
  kError,    // the lexer stopped; Token::error says why
  kComment,  // the parser skips these
  kIdentifier,
  kMetricIdentifier,
  kString,
  kNumber,
  kDuration,
  kLeftParen,
  kRightParen,
  kLeftBrace,
  kRightBrace,
  kLeftBracket,
  kRightBracket,
  kComma,
  kEql,  // '=' (a matcher; '==' is kEqlc)
  kColon,

  // Operators.
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kPow,
  kEqlc,
  kNeq,
  kLss,
  kLte,
  kGtr,
  kGte,
  kEqlRegex,
  kNeqRegex,
  kLand,
  kLor,
  kLunless,
  kAtan2,
  kAt,

  // Aggregators.
  kAvg,
  kBottomk,
  kCount,
  kCountValues,
  kGroup,
  kMax,
  kMin,
  kQuantile,
  kStddev,
  kStdvar,
  kSum,
  kTopk,

  // Keywords.
  kBool,
  kBy,
  kGroupLeft,
  kGroupRight,
  kIgnoring,
  kOffset,
  kOn,
  kWithout,

  // Preprocessors of the @ modifier: @ start(), @ end().
  kStart,
  kEnd,
};

bool IsOperator(TokenType type);
bool IsAggregator(TokenType type);
bool IsKeyword(TokenType type);

struct Token {
  TokenType type = TokenType::kEof;
  size_t pos = 0;         // byte offset of the token's first byte in the query
  std::string_view text;  // the token's bytes in the query (quotes included)
  std::string error;      // kError only: the message, without position
};

// Prometheus's description of a token for "unexpected ..." messages:
//   identifier "foo", string "\"abc\"", number "1", "{", ",", <op:+>,
//   <aggr:sum>, <by>, end of input.
std::string DescribeToken(const Token& token);

class Lexer {
 public:
  // `input` is not copied: it must outlive the lexer and every token.
  explicit Lexer(std::string_view input) : input_(input) {}

  Lexer(const Lexer&) = delete;
  Lexer& operator=(const Lexer&) = delete;

  // The next token. After kEof or kError every call returns kEof.
  Token Next();

 private:
  static constexpr char32_t kEofRune = 0xFFFFFFFF;

  char32_t NextRune();
  char32_t PeekRune();
  void Backup() { pos_ -= width_; }
  bool Accept(std::string_view valid);
  void AcceptRun(std::string_view valid);
  void SkipSpaces();

  Token Emit(TokenType type);
  Token Error(std::string message);

  Token LexStatement();
  Token LexInsideBraces();
  Token LexLineComment();
  Token LexString(char32_t quote);
  Token LexRawString();
  // Consumes an escape after its backslash. Returns an error message, or ""
  // when the escape is valid.
  std::string LexEscape(char32_t quote);
  Token LexNumberOrDuration();
  bool ScanNumber();
  bool AcceptRemainingDuration();
  Token LexKeywordOrIdentifier();
  Token LexIdentifier();

  std::string_view input_;
  size_t pos_ = 0;    // next byte to read
  size_t start_ = 0;  // first byte of the token being scanned
  size_t width_ = 0;  // bytes of the last rune read, for Backup()
  int paren_depth_ = 0;
  bool brace_open_ = false;
  bool bracket_open_ = false;
  bool got_colon_ = false;  // a ':' was seen since the last '['
  bool done_ = false;       // kEof or kError was returned
};

// Every token up to and including the first kEof or kError. For tests and
// fuzzing.
std::vector<Token> LexAll(std::string_view input);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_QUERY_LEXER_H_
