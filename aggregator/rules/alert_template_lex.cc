#include "aggregator/rules/alert_template_lex.h"

#include <utility>

#include "aggregator/query/quote.h"
#include "aggregator/rules/go_unicode.h"

namespace wattline::aggregator::alert_template {
namespace {

using Type = TemplateToken::Type;

constexpr std::string_view kLeftDelimText = "{{";
constexpr std::string_view kRightDelimText = "}}";
constexpr std::string_view kLeftComment = "/*";
constexpr std::string_view kRightComment = "*/";
constexpr size_t kTrimMarkerSize = 2;  // "- " or " -"
constexpr char32_t kEof = 0xFFFFFFFF;

bool IsSpace(char32_t r) { return r == ' ' || r == '\t' || r == '\r' || r == '\n'; }
bool IsSpaceByte(char c) { return IsSpace(static_cast<unsigned char>(c)); }
bool IsAlphaNumeric(char32_t r) { return r == '_' || (r != kEof && IsLetterOrDigit(r)); }

bool HasLeftTrimMarker(std::string_view s) {
  return s.size() >= 2 && s[0] == '-' && IsSpaceByte(s[1]);
}
bool HasRightTrimMarker(std::string_view s) {
  return s.size() >= 2 && IsSpaceByte(s[0]) && s[1] == '-';
}

Type Keyword(std::string_view word) {
  static constexpr std::pair<std::string_view, Type> kKeywords[] = {
      {"block", Type::kBlock},
      {"break", Type::kBreak},
      {"continue", Type::kContinue},
      {"define", Type::kDefine},
      {"else", Type::kElse},
      {"end", Type::kEnd},
      {"if", Type::kIf},
      {"nil", Type::kNil},
      {"range", Type::kRange},
      {"template", Type::kTemplate},
      {"with", Type::kWith},
  };
  for (const auto& [name, type] : kKeywords) {
    if (name == word) return type;
  }
  return Type::kError;
}

// Go's lexer as a loop over its state functions; every state returns the
// next one, or kStop after it emitted kEof or kError.
class Lexer {
 public:
  explicit Lexer(std::string_view input) : input_(input) {}

  std::vector<TemplateToken> Run() {
    State state = State::kText;
    while (state != State::kStop) {
      switch (state) {
        case State::kText:
          state = LexText();
          break;
        case State::kLeftDelim:
          state = LexLeftDelim();
          break;
        case State::kComment:
          state = LexComment();
          break;
        case State::kRightDelim:
          state = LexRightDelim();
          break;
        case State::kInsideAction:
          state = LexInsideAction();
          break;
        case State::kStop:
          break;
      }
    }
    return std::move(tokens_);
  }

 private:
  enum class State : uint8_t { kText, kLeftDelim, kComment, kRightDelim, kInsideAction, kStop };

  std::string_view Rest(size_t from) const { return input_.substr(std::min(from, input_.size())); }

  char32_t Next() {
    if (pos_ >= input_.size()) {
      width_ = 0;
      return kEof;
    }
    const char32_t r = DecodeRune(input_, pos_, &width_);
    pos_ += width_;
    if (r == '\n') ++line_;
    return r;
  }
  void Backup() {
    pos_ -= width_;
    if (width_ == 1 && input_[pos_] == '\n') --line_;
  }
  char32_t Peek() {
    const char32_t r = Next();
    Backup();
    return r;
  }
  bool Accept(std::string_view valid) {
    const char32_t r = Next();
    if (r != kEof && r < 0x80 && valid.find(static_cast<char>(r)) != std::string_view::npos) {
      return true;
    }
    Backup();
    return false;
  }
  void AcceptRun(std::string_view valid) {
    while (Accept(valid)) {
    }
  }
  void CountLines(size_t from, size_t to) {
    for (size_t i = from; i < to; ++i) line_ += input_[i] == '\n' ? 1 : 0;
  }
  // Skips input_[start_, pos_).
  void Ignore() {
    CountLines(start_, pos_);
    start_ = pos_;
    start_line_ = line_;
  }
  void Emit(Type type) {
    tokens_.push_back(
        {type, start_, start_line_, std::string(input_.substr(start_, pos_ - start_))});
    start_ = pos_;
    start_line_ = line_;
  }
  State Error(std::string message) {
    tokens_.push_back({Type::kError, start_, start_line_, std::move(message)});
    return State::kStop;
  }

  // Whether a right delimiter, possibly with a trim marker, comes next.
  bool AtRightDelim(bool* trim) const {
    if (HasRightTrimMarker(Rest(pos_)) &&
        Rest(pos_ + kTrimMarkerSize).starts_with(kRightDelimText)) {
      *trim = true;
      return true;
    }
    *trim = false;
    return Rest(pos_).starts_with(kRightDelimText);
  }

  // Whether what follows may end an identifier, field or variable.
  bool AtTerminator() {
    const char32_t r = Peek();
    if (IsSpace(r)) return true;
    switch (r) {
      case kEof:
      case '.':
      case ',':
      case '|':
      case ':':
      case ')':
      case '(':
        return true;
      default:
        return Rest(pos_).starts_with(kRightDelimText);
    }
  }

  State LexText() {
    const size_t x = Rest(pos_).find(kLeftDelimText);
    if (x == std::string_view::npos) {
      pos_ = input_.size();
      if (pos_ > start_) {
        CountLines(start_, pos_);
        Emit(Type::kText);
      }
      Emit(Type::kEof);
      return State::kStop;
    }
    if (x > 0) {
      pos_ += x;
      size_t trim = 0;
      if (HasLeftTrimMarker(Rest(pos_ + kLeftDelimText.size()))) {
        const std::string_view text = input_.substr(start_, pos_ - start_);
        size_t kept = text.size();
        while (kept > 0 && IsSpaceByte(text[kept - 1])) --kept;
        trim = text.size() - kept;
      }
      pos_ -= trim;
      if (pos_ > start_) {
        CountLines(start_, pos_);
        Emit(Type::kText);
      }
      pos_ += trim;
      Ignore();
    }
    return State::kLeftDelim;
  }

  State LexLeftDelim() {
    pos_ += kLeftDelimText.size();
    const bool trim = HasLeftTrimMarker(Rest(pos_));
    const size_t after_marker = trim ? kTrimMarkerSize : 0;
    if (Rest(pos_ + after_marker).starts_with(kLeftComment)) {
      pos_ += after_marker;
      Ignore();
      return State::kComment;
    }
    Emit(Type::kLeftDelim);
    pos_ += after_marker;
    Ignore();
    paren_depth_ = 0;
    return State::kInsideAction;
  }

  State LexComment() {
    pos_ += kLeftComment.size();
    const size_t x = Rest(pos_).find(kRightComment);
    if (x == std::string_view::npos) return Error("unclosed comment");
    pos_ += x + kRightComment.size();
    bool trim = false;
    if (!AtRightDelim(&trim)) return Error("comment ends before closing delimiter");
    if (trim) pos_ += kTrimMarkerSize;
    pos_ += kRightDelimText.size();
    if (trim) SkipLeadingSpace();
    Ignore();
    return State::kText;
  }

  void SkipLeadingSpace() {
    while (pos_ < input_.size() && IsSpaceByte(input_[pos_])) ++pos_;
  }

  State LexRightDelim() {
    bool trim = false;
    AtRightDelim(&trim);
    if (trim) {
      pos_ += kTrimMarkerSize;
      Ignore();
    }
    pos_ += kRightDelimText.size();
    Emit(Type::kRightDelim);
    if (trim) {
      SkipLeadingSpace();
      Ignore();
    }
    return State::kText;
  }

  State LexInsideAction() {
    bool trim = false;
    if (AtRightDelim(&trim)) {
      if (paren_depth_ == 0) return State::kRightDelim;
      return Error("unclosed left paren");
    }
    const char32_t r = Next();
    if (r == kEof) return Error("unclosed action");
    if (IsSpace(r)) {
      Backup();  // the space may start " -}}"
      return LexSpace();
    }
    switch (r) {
      case '=':
        Emit(Type::kAssign);
        return State::kInsideAction;
      case ':':
        if (Next() != '=') return Error("expected :=");
        Emit(Type::kDeclare);
        return State::kInsideAction;
      case '|':
        Emit(Type::kPipe);
        return State::kInsideAction;
      case '"':
        return LexQuote();
      case '`':
        return LexRawQuote();
      case '$':
        return LexVariable();
      case '\'':
        return LexChar();
      case '(':
        Emit(Type::kLeftParen);
        ++paren_depth_;
        return State::kInsideAction;
      case ')':
        Emit(Type::kRightParen);
        if (--paren_depth_ < 0) return Error("unexpected right paren " + DescribeRune(r));
        return State::kInsideAction;
      default:
        break;
    }
    if (r == '.' && pos_ < input_.size() && (input_[pos_] < '0' || input_[pos_] > '9')) {
      return LexFieldOrVariable(Type::kField);
    }
    if (r == '.' || r == '+' || r == '-' || (r >= '0' && r <= '9')) {
      Backup();
      return LexNumber();
    }
    if (IsAlphaNumeric(r)) {
      Backup();
      return LexIdentifier();
    }
    if (r < 0x80 && r >= 0x20 && r < 0x7F) {
      Emit(Type::kChar);
      return State::kInsideAction;
    }
    return Error("unrecognized character in action: " + DescribeRune(r));
  }

  State LexSpace() {
    int spaces = 0;
    while (IsSpace(Peek())) {
      Next();
      ++spaces;
    }
    // A space may be the start of a trim-marked closing delimiter.
    if (HasRightTrimMarker(Rest(pos_ - 1)) &&
        Rest(pos_ - 1 + kTrimMarkerSize).starts_with(kRightDelimText)) {
      --pos_;  // before that space (one byte; width_ is the peeked rune's)
      if (input_[pos_] == '\n') --line_;
      if (spaces == 1) return State::kRightDelim;
    }
    Emit(Type::kSpace);
    return State::kInsideAction;
  }

  State LexIdentifier() {
    char32_t r = Next();
    while (IsAlphaNumeric(r)) r = Next();
    Backup();
    if (!AtTerminator()) return Error("bad character " + DescribeRune(r));
    const std::string_view word = input_.substr(start_, pos_ - start_);
    const Type keyword = Keyword(word);
    if (keyword != Type::kError) {
      Emit(keyword);
    } else if (word == "true" || word == "false") {
      Emit(Type::kBool);
    } else {
      Emit(Type::kIdentifier);
    }
    return State::kInsideAction;
  }

  State LexVariable() {
    if (AtTerminator()) {  // "$" alone
      Emit(Type::kVariable);
      return State::kInsideAction;
    }
    return LexFieldOrVariable(Type::kVariable);
  }

  State LexFieldOrVariable(Type type) {
    if (AtTerminator()) {  // "." or "$" alone
      Emit(type == Type::kVariable ? Type::kVariable : Type::kDot);
      return State::kInsideAction;
    }
    char32_t r = Next();
    while (IsAlphaNumeric(r)) r = Next();
    Backup();
    if (!AtTerminator()) return Error("bad character " + DescribeRune(r));
    Emit(type);
    return State::kInsideAction;
  }

  State LexChar() {
    for (;;) {
      char32_t r = Next();
      if (r == '\\') {
        r = Next();
        if (r != kEof && r != '\n') continue;
      }
      if (r == kEof || r == '\n') return Error("unterminated character constant");
      if (r == '\'') break;
    }
    Emit(Type::kCharConstant);
    return State::kInsideAction;
  }

  State LexNumber() {
    if (!ScanNumber()) {
      return Error("bad number syntax: " + Quote(input_.substr(start_, pos_ - start_)));
    }
    const char32_t sign = Peek();
    if (sign == '+' || sign == '-') {  // complex: 1+2i
      if (!ScanNumber() || input_[pos_ - 1] != 'i') {
        return Error("bad number syntax: " + Quote(input_.substr(start_, pos_ - start_)));
      }
      Emit(Type::kComplex);
    } else {
      Emit(Type::kNumber);
    }
    return State::kInsideAction;
  }

  bool ScanNumber() {
    Accept("+-");
    std::string_view digits = "0123456789_";
    if (Accept("0")) {
      if (Accept("xX")) {
        digits = "0123456789abcdefABCDEF_";
      } else if (Accept("oO")) {
        digits = "01234567_";
      } else if (Accept("bB")) {
        digits = "01_";
      }
    }
    AcceptRun(digits);
    if (Accept(".")) AcceptRun(digits);
    if (digits.size() == 11 && Accept("eE")) {
      Accept("+-");
      AcceptRun("0123456789_");
    }
    if (digits.size() == 23 && Accept("pP")) {
      Accept("+-");
      AcceptRun("0123456789_");
    }
    Accept("i");
    if (IsAlphaNumeric(Peek())) {
      Next();
      return false;
    }
    return true;
  }

  State LexQuote() {
    for (;;) {
      char32_t r = Next();
      if (r == '\\') {
        r = Next();
        if (r != kEof && r != '\n') continue;
      }
      if (r == kEof || r == '\n') return Error("unterminated quoted string");
      if (r == '"') break;
    }
    Emit(Type::kString);
    return State::kInsideAction;
  }

  State LexRawQuote() {
    for (;;) {
      const char32_t r = Next();
      if (r == kEof) return Error("unterminated raw quoted string");
      if (r == '`') break;
    }
    Emit(Type::kRawString);
    return State::kInsideAction;
  }

  std::string_view input_;
  size_t pos_ = 0;
  size_t start_ = 0;
  size_t width_ = 0;
  int line_ = 1;
  int start_line_ = 1;
  int paren_depth_ = 0;
  std::vector<TemplateToken> tokens_;
};

}  // namespace

std::vector<TemplateToken> LexTemplate(std::string_view text) { return Lexer(text).Run(); }

std::string TokenString(const TemplateToken& token) {
  if (token.type == Type::kEof) return "EOF";
  if (token.type == Type::kError) return token.text;
  if (token.type > Type::kKeyword) return "<" + token.text + ">";
  if (token.text.size() <= 10) return Quote(token.text);
  // Go's %.10q...: the first ten runes, quoted.
  size_t end = 0;
  for (int runes = 0; end < token.text.size() && runes < 10; ++runes) {
    size_t width = 1;
    DecodeRune(token.text, end, &width);
    end += width;
  }
  return Quote(std::string_view(token.text).substr(0, end)) + "...";
}

}  // namespace wattline::aggregator::alert_template
