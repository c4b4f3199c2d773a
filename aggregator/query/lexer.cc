#include "aggregator/query/lexer.h"

#include <utility>

#include "aggregator/query/quote.h"

namespace wattline::aggregator {
namespace {

struct Keyword {
  std::string_view word;
  TokenType type;
};

// Prometheus's `key` map (lex.go), matched case-insensitively.
constexpr Keyword kKeywords[] = {
    {"and", TokenType::kLand},
    {"or", TokenType::kLor},
    {"unless", TokenType::kLunless},
    {"atan2", TokenType::kAtan2},
    {"sum", TokenType::kSum},
    {"avg", TokenType::kAvg},
    {"count", TokenType::kCount},
    {"min", TokenType::kMin},
    {"max", TokenType::kMax},
    {"group", TokenType::kGroup},
    {"stddev", TokenType::kStddev},
    {"stdvar", TokenType::kStdvar},
    {"topk", TokenType::kTopk},
    {"bottomk", TokenType::kBottomk},
    {"count_values", TokenType::kCountValues},
    {"quantile", TokenType::kQuantile},
    {"offset", TokenType::kOffset},
    {"by", TokenType::kBy},
    {"without", TokenType::kWithout},
    {"on", TokenType::kOn},
    {"ignoring", TokenType::kIgnoring},
    {"group_left", TokenType::kGroupLeft},
    {"group_right", TokenType::kGroupRight},
    {"bool", TokenType::kBool},
    {"start", TokenType::kStart},
    {"end", TokenType::kEnd},
    {"inf", TokenType::kNumber},
    {"nan", TokenType::kNumber},
};

constexpr std::string_view kDigits = "0123456789";
constexpr std::string_view kHexDigits = "0123456789abcdefABCDEF";

bool IsSpace(char32_t r) { return r == ' ' || r == '\t' || r == '\n' || r == '\r'; }
bool IsDigit(char32_t r) { return r >= '0' && r <= '9'; }
bool IsAlpha(char32_t r) { return r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'); }
bool IsAlphaNumeric(char32_t r) { return IsAlpha(r) || IsDigit(r); }
bool IsEndOfLine(char32_t r) { return r == '\r' || r == '\n'; }

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsLower(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (Lower(text[i]) != lower[i]) return false;
  }
  return true;
}

int DigitValue(char32_t r) {
  if (r >= '0' && r <= '9') return static_cast<int>(r - '0');
  if (r >= 'a' && r <= 'f') return static_cast<int>(r - 'a' + 10);
  if (r >= 'A' && r <= 'F') return static_cast<int>(r - 'A' + 10);
  return 16;  // larger than any digit
}

// Go's %.10q: the first ten runes, quoted.
std::string QuoteTruncated(std::string_view text) {
  size_t pos = 0;
  for (int runes = 0; runes < 10 && pos < text.size(); ++runes) {
    size_t width = 0;
    DecodeRune(text, pos, &width);
    pos += width;
  }
  return Quote(text.substr(0, pos));
}

std::string_view TypeDescription(TokenType type) {
  switch (type) {
    case TokenType::kComment:
      return "comment";
    case TokenType::kIdentifier:
      return "identifier";
    case TokenType::kMetricIdentifier:
      return "metric identifier";
    case TokenType::kString:
      return "string";
    case TokenType::kNumber:
      return "number";
    case TokenType::kDuration:
      return "duration";
    default:
      return "";
  }
}

}  // namespace

bool IsOperator(TokenType type) { return type >= TokenType::kAdd && type <= TokenType::kAt; }
bool IsAggregator(TokenType type) { return type >= TokenType::kAvg && type <= TokenType::kTopk; }
bool IsKeyword(TokenType type) { return type >= TokenType::kBool && type <= TokenType::kWithout; }

std::string DescribeToken(const Token& token) {
  switch (token.type) {
    case TokenType::kEof:
      return "end of input";
    case TokenType::kError:
      return token.error;
    case TokenType::kIdentifier:
    case TokenType::kMetricIdentifier:
      return std::string(TypeDescription(token.type)) + " " + Quote(token.text);
    default:
      break;
  }
  const std::string_view text = token.text;
  if (IsKeyword(token.type)) return "<" + std::string(text) + ">";
  if (IsOperator(token.type)) return "<op:" + std::string(text) + ">";
  if (IsAggregator(token.type)) return "<aggr:" + std::string(text) + ">";
  std::string quoted = text.size() > 10 ? QuoteTruncated(text) + "..." : Quote(text);
  std::string_view type = TypeDescription(token.type);
  // Punctuation and the preprocessors are described by their text alone.
  return type.empty() ? quoted : std::string(type) + " " + quoted;
}

char32_t Lexer::NextRune() {
  if (pos_ >= input_.size()) {
    width_ = 0;
    return kEofRune;
  }
  const char32_t rune = DecodeRune(input_, pos_, &width_);
  pos_ += width_;
  return rune;
}

char32_t Lexer::PeekRune() {
  const char32_t rune = NextRune();
  Backup();
  return rune;
}

bool Lexer::Accept(std::string_view valid) {
  const char32_t rune = NextRune();
  if (rune < 0x80 && valid.find(static_cast<char>(rune)) != std::string_view::npos) return true;
  Backup();
  return false;
}

void Lexer::AcceptRun(std::string_view valid) {
  while (Accept(valid)) {
  }
}

void Lexer::SkipSpaces() {
  while (IsSpace(PeekRune())) NextRune();
  start_ = pos_;
}

Token Lexer::Emit(TokenType type) {
  Token token;
  token.type = type;
  token.pos = start_;
  token.text = input_.substr(start_, pos_ - start_);
  start_ = pos_;
  if (type == TokenType::kEof) done_ = true;
  return token;
}

Token Lexer::Error(std::string message) {
  Token token;
  token.type = TokenType::kError;
  token.pos = start_;
  token.error = std::move(message);
  done_ = true;
  return token;
}

Token Lexer::Next() {
  if (done_) {
    Token eof;
    eof.pos = input_.size();
    return eof;
  }
  start_ = pos_;
  return brace_open_ ? LexInsideBraces() : LexStatement();
}

Token Lexer::LexStatement() {
  SkipSpaces();
  if (PeekRune() == '#') return LexLineComment();

  const char32_t r = NextRune();
  switch (r) {
    case kEofRune:
      if (paren_depth_ != 0) return Error("unclosed left parenthesis");
      if (bracket_open_) return Error("unclosed left bracket");
      return Emit(TokenType::kEof);
    case ',':
      return Emit(TokenType::kComma);
    case '*':
      return Emit(TokenType::kMul);
    case '/':
      return Emit(TokenType::kDiv);
    case '%':
      return Emit(TokenType::kMod);
    case '+':
      return Emit(TokenType::kAdd);
    case '-':
      return Emit(TokenType::kSub);
    case '^':
      return Emit(TokenType::kPow);
    case '@':
      return Emit(TokenType::kAt);
    case '=': {
      const char32_t t = PeekRune();
      if (t == '=') {
        NextRune();
        return Emit(TokenType::kEqlc);
      }
      if (t == '~') return Error("unexpected character after '=': " + QuoteRune(t));
      return Emit(TokenType::kEql);
    }
    case '!': {
      const char32_t t = NextRune();
      if (t != '=') return Error("unexpected character after '!': " + QuoteRune(t));
      return Emit(TokenType::kNeq);
    }
    case '<':
      if (PeekRune() == '=') {
        NextRune();
        return Emit(TokenType::kLte);
      }
      return Emit(TokenType::kLss);
    case '>':
      if (PeekRune() == '=') {
        NextRune();
        return Emit(TokenType::kGte);
      }
      return Emit(TokenType::kGtr);
    case '"':
    case '\'':
      return LexString(r);
    case '`':
      return LexRawString();
    case '(':
      ++paren_depth_;
      return Emit(TokenType::kLeftParen);
    case ')':
      if (--paren_depth_ < 0) {
        // Prometheus reports this just after the parenthesis.
        start_ = pos_;
        return Error("unexpected right parenthesis ')'");
      }
      return Emit(TokenType::kRightParen);
    case '{':
      brace_open_ = true;
      return Emit(TokenType::kLeftBrace);
    case '[':
      if (bracket_open_) return Error("unexpected left bracket '['");
      got_colon_ = false;
      bracket_open_ = true;
      return Emit(TokenType::kLeftBracket);
    case ']':
      if (!bracket_open_) return Error("unexpected right bracket ']'");
      bracket_open_ = false;
      return Emit(TokenType::kRightBracket);
    default:
      break;
  }
  if (IsDigit(r) || (r == '.' && IsDigit(PeekRune()))) {
    Backup();
    return LexNumberOrDuration();
  }
  if (IsAlpha(r) || r == ':') {
    if (!bracket_open_) {
      Backup();
      return LexKeywordOrIdentifier();
    }
    // Inside [ ] a ':' separates a subquery's range from its step.
    if (r != ':') return Error("unexpected character: " + QuoteRune(r) + ", expected ':'");
    if (got_colon_) return Error("unexpected colon ':'");
    got_colon_ = true;
    return Emit(TokenType::kColon);
  }
  return Error("unexpected character: " + QuoteRune(r));
}

Token Lexer::LexInsideBraces() {
  SkipSpaces();
  if (PeekRune() == '#') return LexLineComment();

  const char32_t r = NextRune();
  if (IsAlpha(r)) {
    Backup();
    return LexIdentifier();
  }
  switch (r) {
    case kEofRune:
      return Error("unexpected end of input inside braces");
    case ',':
      return Emit(TokenType::kComma);
    case '"':
    case '\'':
      return LexString(r);
    case '`':
      return LexRawString();
    case '=':
      if (NextRune() == '~') return Emit(TokenType::kEqlRegex);
      Backup();
      return Emit(TokenType::kEql);
    case '!': {
      const char32_t next = NextRune();
      if (next == '~') return Emit(TokenType::kNeqRegex);
      if (next == '=') return Emit(TokenType::kNeq);
      return Error("unexpected character after '!' inside braces: " + QuoteRune(next));
    }
    case '{':
      return Error("unexpected left brace '{'");
    case '}':
      brace_open_ = false;
      return Emit(TokenType::kRightBrace);
    default:
      return Error("unexpected character inside braces: " + QuoteRune(r));
  }
}

Token Lexer::LexLineComment() {
  NextRune();  // '#'
  char32_t r = NextRune();
  while (!IsEndOfLine(r) && r != kEofRune) r = NextRune();
  Backup();
  return Emit(TokenType::kComment);
}

Token Lexer::LexString(char32_t quote) {
  for (;;) {
    const char32_t r = NextRune();
    if (r == '\\') {
      std::string error = LexEscape(quote);
      if (!error.empty()) return Error(std::move(error));
      continue;
    }
    if (r == kRuneError) return Error("invalid UTF-8 rune");
    if (r == kEofRune || r == '\n') return Error("unterminated quoted string");
    if (r == quote) return Emit(TokenType::kString);
  }
}

Token Lexer::LexRawString() {
  for (;;) {
    const char32_t r = NextRune();
    if (r == kRuneError) return Error("invalid UTF-8 rune");
    if (r == kEofRune) return Error("unterminated raw string");
    if (r == '`') return Emit(TokenType::kString);
  }
}

std::string Lexer::LexEscape(char32_t quote) {
  char32_t ch = NextRune();
  int digits = 0;
  uint32_t base = 0;
  uint32_t max = 0;
  switch (ch) {
    case 'a':
    case 'b':
    case 'f':
    case 'n':
    case 'r':
    case 't':
    case 'v':
    case '\\':
      return "";
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
      digits = 3;
      base = 8;
      max = 255;
      break;
    case 'x':
      ch = NextRune();
      digits = 2;
      base = 16;
      max = 255;
      break;
    case 'u':
      ch = NextRune();
      digits = 4;
      base = 16;
      max = 0x10FFFF;
      break;
    case 'U':
      ch = NextRune();
      digits = 8;
      base = 16;
      max = 0x10FFFF;
      break;
    case kEofRune:
      return "escape sequence not terminated";
    default:
      if (ch == quote) return "";
      return "unknown escape sequence " + DescribeRune(ch);
  }
  uint32_t value = 0;
  while (digits > 0) {
    const auto digit = static_cast<uint32_t>(DigitValue(ch));
    if (digit >= base) {
      if (ch == kEofRune) return "escape sequence not terminated";
      return "illegal character " + DescribeRune(ch) + " in escape sequence";
    }
    value = value * base + digit;
    if (--digits > 0) ch = NextRune();
  }
  if (value > max || (value >= 0xD800 && value < 0xE000)) {
    return "escape sequence is an invalid Unicode code point";
  }
  return "";
}

Token Lexer::LexNumberOrDuration() {
  if (ScanNumber()) return Emit(TokenType::kNumber);
  // A unit follows: this is a duration such as 5m or 1h30m.
  if (AcceptRemainingDuration()) {
    Backup();
    return Emit(TokenType::kDuration);
  }
  return Error("bad number or duration syntax: " + Quote(input_.substr(start_, pos_ - start_)));
}

bool Lexer::ScanNumber() {
  std::string_view digits = kDigits;
  if (Accept("0") && Accept("xX")) digits = kHexDigits;
  AcceptRun(digits);
  if (Accept(".")) AcceptRun(digits);
  if (Accept("eE")) {
    Accept("+-");
    AcceptRun(kDigits);
  }
  // The number must not run into letters or digits.
  return !IsAlphaNumeric(PeekRune());
}

bool Lexer::AcceptRemainingDuration() {
  if (!Accept("smhdwy")) return false;
  Accept("s");  // "ms"; bad units such as "hs" fail when the duration is parsed
  while (Accept(kDigits)) {
    AcceptRun(kDigits);
    if (!Accept("smhdw")) return false;  // 'y' can only come first
    Accept("s");
  }
  return !IsAlphaNumeric(NextRune());
}

Token Lexer::LexKeywordOrIdentifier() {
  char32_t r = NextRune();
  while (IsAlphaNumeric(r) || r == ':') r = NextRune();
  Backup();
  const std::string_view word = input_.substr(start_, pos_ - start_);
  for (const Keyword& keyword : kKeywords) {
    if (EqualsLower(word, keyword.word)) return Emit(keyword.type);
  }
  const bool has_colon = word.find(':') != std::string_view::npos;
  return Emit(has_colon ? TokenType::kMetricIdentifier : TokenType::kIdentifier);
}

Token Lexer::LexIdentifier() {
  while (IsAlphaNumeric(NextRune())) {
  }
  Backup();
  return Emit(TokenType::kIdentifier);
}

std::vector<Token> LexAll(std::string_view input) {
  Lexer lexer(input);
  std::vector<Token> tokens;
  for (;;) {
    tokens.push_back(lexer.Next());
    const TokenType type = tokens.back().type;
    if (type == TokenType::kEof || type == TokenType::kError) return tokens;
  }
}

}  // namespace wattline::aggregator
