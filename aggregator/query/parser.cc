#include "aggregator/query/parser.h"

#include "common/duration.h"

#include <string>
#include <utility>

#include "aggregator/query/lexer.h"
#include "aggregator/query/quote.h"

namespace wattline::aggregator {
namespace {

// Prometheus's PositionRange.StartPosInput: "line:column", both from 1.
std::string PositionString(std::string_view query, size_t pos) {
  if (query.empty()) return "unknown position";
  if (pos > query.size()) return "invalid position";
  size_t line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < pos; ++i) {
    if (query[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return std::to_string(line) + ":" + std::to_string(pos - line_start + 1);
}

// Tokens that may name a metric (generated_parser.y's metric_identifier):
// identifiers and the keywords that cannot start anything else there.
bool IsMetricIdentifier(TokenType type) {
  switch (type) {
    case TokenType::kIdentifier:
    case TokenType::kMetricIdentifier:
    case TokenType::kBy:
    case TokenType::kLand:
    case TokenType::kLor:
    case TokenType::kLunless:
    case TokenType::kOffset:
    case TokenType::kWithout:
    case TokenType::kStart:
    case TokenType::kEnd:
      return true;
    default:
      return IsAggregator(type);
  }
}

class Parser {
 public:
  explicit Parser(std::string_view query) : query_(query), lexer_(query) {}

  Result<ExprPtr> Parse() {
    if (Peek().type == TokenType::kEof) return Error(0, "no expression found in input");
    Result<ExprPtr> expr = ParsePrimary();
    if (!expr.ok()) return expr;
    if (Peek().type == TokenType::kLeftBracket) {
      expr = ParseMatrixSelector(std::move(expr).value());
      if (!expr.ok()) return expr;
    }
    WATTLINE_RETURN_IF_ERROR(ParseEnd());
    WATTLINE_RETURN_IF_ERROR(Check(**expr));
    return expr;
  }

 private:
  // The next token that is not a comment.
  const Token& Peek() {
    if (!peeked_) {
      do {
        peek_ = lexer_.Next();
      } while (peek_.type == TokenType::kComment);
      peeked_ = true;
    }
    return peek_;
  }

  Token Next() {
    Peek();
    peeked_ = false;
    return std::move(peek_);
  }

  Status Error(size_t pos, std::string_view message) const {
    return Status::InvalidArgument(PositionString(query_, pos) +
                                   ": parse error: " + std::string(message));
  }

  // "unexpected <token>[ in <context>][, expected <expected>]"; a lexer error
  // is reported as itself.
  Status Unexpected(const Token& token, std::string_view context = {},
                    std::string_view expected = {}) const {
    if (token.type == TokenType::kError) return Error(token.pos, token.error);
    std::string message = "unexpected " + DescribeToken(token);
    if (!context.empty()) message += " in " + std::string(context);
    if (!expected.empty()) message += ", expected " + std::string(expected);
    return Error(token.pos, message);
  }

  Status NotSupported(size_t pos, std::string_view what) const {
    return Error(pos, std::string(what) + " are not supported yet, only vector selectors are");
  }

  Result<ExprPtr> ParsePrimary() {
    Token token = Next();
    switch (token.type) {
      case TokenType::kLeftBrace:
        return ParseVectorSelector(nullptr, token.pos);
      case TokenType::kNumber:
        return NotSupported(token.pos, "number literals");
      case TokenType::kString:
        return NotSupported(token.pos, "string literals");
      case TokenType::kLeftParen:
        return NotSupported(token.pos, "parentheses");
      case TokenType::kAdd:
      case TokenType::kSub:
        return NotSupported(token.pos, "unary operators");
      default:
        break;
    }
    if (!IsMetricIdentifier(token.type)) return Unexpected(token);
    const TokenType next = Peek().type;
    if (token.type == TokenType::kIdentifier && next == TokenType::kLeftParen) {
      return NotSupported(token.pos, "function calls");
    }
    if (IsAggregator(token.type) &&
        (next == TokenType::kLeftParen || next == TokenType::kBy || next == TokenType::kWithout)) {
      return NotSupported(token.pos, "aggregations");
    }
    return ParseVectorSelector(&token, token.pos);
  }

  // After the metric name, if any, or the '{' when there is none.
  Result<ExprPtr> ParseVectorSelector(const Token* name, size_t start) {
    auto selector = std::make_unique<VectorSelector>();
    size_t end = start;
    bool braces = name == nullptr;
    if (name != nullptr) {
      selector->name = std::string(name->text);
      end = name->pos + name->text.size();
      if (Peek().type == TokenType::kLeftBrace) {
        Next();
        braces = true;
      }
    }
    if (braces) {
      Result<size_t> close = ParseLabelMatchers(selector->matchers);
      if (!close.ok()) return close.status();
      end = *close;
    }
    if (name != nullptr) {
      Result<LabelMatcher> matcher = LabelMatcher::Make(
          LabelMatcher::Type::kEqual, std::string(kMetricNameLabel), selector->name);
      if (!matcher.ok()) return matcher.status();
      selector->matchers.push_back(std::move(matcher).value());
    }
    selector->position = {start, end};
    return ExprPtr(std::move(selector));
  }

  // After '{': label_match_list [','] '}'. Returns the offset after the '}'.
  Result<size_t> ParseLabelMatchers(LabelMatchers& matchers) {
    Token token = Next();
    while (token.type != TokenType::kRightBrace) {
      if (token.type != TokenType::kIdentifier) {
        return Unexpected(token, "label matching", "identifier or \"}\"");
      }
      WATTLINE_RETURN_IF_ERROR(ParseLabelMatcher(token, matchers));
      token = Next();
      if (token.type == TokenType::kRightBrace) break;
      if (token.type != TokenType::kComma) {
        return Unexpected(token, "label matching", "\",\" or \"}\"");
      }
      token = Next();
    }
    return token.pos + 1;
  }

  // label_matcher: IDENTIFIER match_op STRING, the identifier already read.
  Status ParseLabelMatcher(const Token& label, LabelMatchers& matchers) {
    Token op = Next();
    LabelMatcher::Type type;
    switch (op.type) {
      case TokenType::kEql:
        type = LabelMatcher::Type::kEqual;
        break;
      case TokenType::kNeq:
        type = LabelMatcher::Type::kNotEqual;
        break;
      case TokenType::kEqlRegex:
        type = LabelMatcher::Type::kRegexMatch;
        break;
      case TokenType::kNeqRegex:
        type = LabelMatcher::Type::kRegexNoMatch;
        break;
      default:
        return Unexpected(op, "label matching", "label matching operator");
    }
    Token value = Next();
    if (value.type != TokenType::kString) return Unexpected(value, "label matching", "string");
    Result<std::string> unquoted = Unquote(value.text);
    if (!unquoted.ok()) {
      return Error(value.pos, "error unquoting string " + Quote(value.text) + ": " +
                                  unquoted.status().message());
    }
    Result<LabelMatcher> matcher =
        LabelMatcher::Make(type, std::string(label.text), std::move(unquoted).value());
    if (!matcher.ok()) return Error(label.pos, matcher.status().message());
    matchers.push_back(std::move(matcher).value());
    return Status::Ok();
  }

  // `inner[5m]`, after `inner`: a range vector. `inner[5m:1m]` (a subquery)
  // is refused for now.
  Result<ExprPtr> ParseMatrixSelector(ExprPtr inner) {
    Token open = Next();
    if (inner->kind != Expr::Kind::kVectorSelector) {
      return Error(open.pos, "ranges only allowed for vector selectors");
    }
    Token range = Next();
    if (range.type != TokenType::kDuration) return Unexpected(range, "range selector", "duration");
    Result<int64_t> range_ms = ParseDurationMs(range.text);
    if (!range_ms.ok()) return Error(range.pos, range_ms.status().message());
    Token close = Next();
    if (close.type == TokenType::kColon) return NotSupported(open.pos, "subqueries");
    if (close.type != TokenType::kRightBracket) {
      return Unexpected(close, "range selector", "\"]\"");
    }
    if (*range_ms <= 0) return Error(range.pos, "duration must be greater than 0");
    auto matrix = std::make_unique<MatrixSelector>();
    matrix->position = {inner->position.start, close.pos + 1};
    matrix->selector.reset(static_cast<VectorSelector*>(inner.release()));
    matrix->range_ms = *range_ms;
    return ExprPtr(std::move(matrix));
  }

  // What may follow a complete expression: only the end, for now.
  Status ParseEnd() {
    Token token = Next();
    switch (token.type) {
      case TokenType::kEof:
        return Status::Ok();
      case TokenType::kLeftBracket:
        return NotSupported(token.pos, "subqueries");
      case TokenType::kOffset:
        return NotSupported(token.pos, "offset modifiers");
      case TokenType::kAt:
        return NotSupported(token.pos, "@ modifiers");
      default:
        break;
    }
    if (IsOperator(token.type)) return NotSupported(token.pos, "binary operators");
    return Unexpected(token);
  }

  // The checks Prometheus's checkAST makes once the syntax is right.
  Status Check(const Expr& expr) const {
    switch (expr.kind) {
      case Expr::Kind::kVectorSelector:
        return CheckVectorSelector(static_cast<const VectorSelector&>(expr));
      case Expr::Kind::kMatrixSelector:
        return CheckVectorSelector(*static_cast<const MatrixSelector&>(expr).selector);
      default:
        return Status::Ok();
    }
  }

  Status CheckVectorSelector(const VectorSelector& selector) const {
    const size_t pos = selector.position.start;
    if (!selector.name.empty()) {
      // The last matcher is the one made from the name before the braces.
      for (size_t i = 0; i + 1 < selector.matchers.size(); ++i) {
        const LabelMatcher& matcher = selector.matchers[i];
        if (matcher.name() == kMetricNameLabel) {
          return Error(pos, "metric name must not be set twice: " + Quote(selector.name) + " or " +
                                Quote(matcher.value()));
        }
      }
      return Status::Ok();  // the name itself is a non-empty matcher
    }
    // Guards against selecting every series by a typo such as {job=~".*"}.
    for (const LabelMatcher& matcher : selector.matchers) {
      if (!matcher.MatchesValue("")) return Status::Ok();
    }
    return Error(pos, "vector selector must contain at least one non-empty matcher");
  }

  std::string_view query_;
  Lexer lexer_;
  Token peek_;
  bool peeked_ = false;
};

}  // namespace

Result<std::unique_ptr<Expr>> ParseExpr(std::string_view query) { return Parser(query).Parse(); }

}  // namespace wattline::aggregator
