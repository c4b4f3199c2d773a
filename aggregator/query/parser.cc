#include "aggregator/query/parser.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <string>
#include <unordered_map>
#include <utility>

#include "aggregator/query/function_table.h"
#include "aggregator/query/lexer.h"
#include "aggregator/query/number.h"
#include "aggregator/query/quote.h"
#include "common/duration.h"

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

// Tokens that may name a label in by(...), on(...) and group_left(...)
// (generated_parser.y's maybe_label; it leaves out `without`).
bool IsMaybeLabel(TokenType type) {
  switch (type) {
    case TokenType::kIdentifier:
    case TokenType::kMetricIdentifier:
    case TokenType::kBool:
    case TokenType::kBy:
    case TokenType::kGroupLeft:
    case TokenType::kGroupRight:
    case TokenType::kIgnoring:
    case TokenType::kLand:
    case TokenType::kLor:
    case TokenType::kLunless:
    case TokenType::kOffset:
    case TokenType::kOn:
    case TokenType::kStart:
    case TokenType::kEnd:
    case TokenType::kAtan2:
      return true;
    default:
      return IsAggregator(type);
  }
}

// [a-zA-Z_][a-zA-Z0-9_]*, Prometheus 2's label names.
bool IsValidLabelName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!alpha && (i == 0 || c < '0' || c > '9')) return false;
  }
  return true;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool IsSetOperator(TokenType op) {
  return op == TokenType::kLand || op == TokenType::kLor || op == TokenType::kLunless;
}

bool IsComparisonOperator(TokenType op) {
  switch (op) {
    case TokenType::kEqlc:
    case TokenType::kNeq:
    case TokenType::kLss:
    case TokenType::kLte:
    case TokenType::kGtr:
    case TokenType::kGte:
      return true;
    default:
      return false;
  }
}

// Binding strength of a binary operator, 0 for other tokens; as the %left and
// %right lines of generated_parser.y order them.
constexpr int kPowPrecedence = 6;
int BinaryPrecedence(TokenType op) {
  switch (op) {
    case TokenType::kLor:
      return 1;
    case TokenType::kLand:
    case TokenType::kLunless:
      return 2;
    case TokenType::kEqlc:
    case TokenType::kNeq:
    case TokenType::kLss:
    case TokenType::kLte:
    case TokenType::kGtr:
    case TokenType::kGte:
      return 3;
    case TokenType::kAdd:
    case TokenType::kSub:
      return 4;
    case TokenType::kMul:
    case TokenType::kDiv:
    case TokenType::kMod:
    case TokenType::kAtan2:
      return 5;
    case TokenType::kPow:
      return kPowPrecedence;
    default:
      return 0;
  }
}

bool IsAggregatorWithParam(TokenType op) {
  return op == TokenType::kTopk || op == TokenType::kBottomk || op == TokenType::kQuantile ||
         op == TokenType::kCountValues;
}

// How Prometheus spells operators and aggregators (ItemType.String()).
std::string_view OperatorName(TokenType type) {
  switch (type) {
    case TokenType::kAdd:
      return "+";
    case TokenType::kSub:
      return "-";
    case TokenType::kMul:
      return "*";
    case TokenType::kDiv:
      return "/";
    case TokenType::kMod:
      return "%";
    case TokenType::kPow:
      return "^";
    case TokenType::kEqlc:
      return "==";
    case TokenType::kNeq:
      return "!=";
    case TokenType::kLss:
      return "<";
    case TokenType::kLte:
      return "<=";
    case TokenType::kGtr:
      return ">";
    case TokenType::kGte:
      return ">=";
    case TokenType::kLand:
      return "and";
    case TokenType::kLor:
      return "or";
    case TokenType::kLunless:
      return "unless";
    case TokenType::kAtan2:
      return "atan2";
    case TokenType::kAvg:
      return "avg";
    case TokenType::kBottomk:
      return "bottomk";
    case TokenType::kCount:
      return "count";
    case TokenType::kCountValues:
      return "count_values";
    case TokenType::kGroup:
      return "group";
    case TokenType::kMax:
      return "max";
    case TokenType::kMin:
      return "min";
    case TokenType::kQuantile:
      return "quantile";
    case TokenType::kStddev:
      return "stddev";
    case TokenType::kStdvar:
      return "stdvar";
    case TokenType::kSum:
      return "sum";
    case TokenType::kTopk:
      return "topk";
    default:
      return "";
  }
}

// Go's strconv.ParseUint(digits, base, 63 bits): the value, or nullopt.
std::optional<int64_t> ParseInt64(std::string_view digits, int base) {
  if (digits.empty()) return std::nullopt;
  uint64_t value = 0;
  const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value, base);
  if (ec != std::errc() || ptr != digits.data() + digits.size()) return std::nullopt;
  if (value > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  return static_cast<int64_t>(value);
}

// A number token's value as parse.go's number() reads it: strconv.ParseInt
// with base 0 (so 0x1f is hex and 0755 octal, as in Prometheus), else
// strconv.ParseFloat. Returns the error's text on failure.
Result<double> ParseNumber(std::string_view text) {
  const bool hex = text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
  if (hex) {
    if (std::optional<int64_t> n = ParseInt64(text.substr(2), 16)) return static_cast<double>(*n);
  } else if (text.size() > 1 && text[0] == '0') {
    if (std::optional<int64_t> n = ParseInt64(text.substr(1), 8)) return static_cast<double>(*n);
  }
  const std::string prefix = "strconv.ParseFloat: parsing " + Quote(text) + ": ";
  if (std::optional<double> value = ParseGoFloat(text)) return *value;
  // ParseGoFloat refuses overflow and underflow; Go refuses only overflow and
  // rounds an underflow towards 0. strtod tells them apart (the daemon never
  // changes the C locale, so '.' is the decimal point).
  if (!hex && text.find_first_not_of("0123456789.eE+-") == std::string_view::npos) {
    const std::string copy(text);
    char* end = nullptr;
    errno = 0;
    const double value = std::strtod(copy.c_str(), &end);
    if (end == copy.c_str() + copy.size()) {
      if (errno == ERANGE && std::isinf(value)) {
        return Status::InvalidArgument(prefix + "value out of range");
      }
      return value;
    }
  }
  return Status::InvalidArgument(prefix + "invalid syntax");
}

// Go's %f: six decimals, and +Inf, -Inf, NaN.
std::string FormatGoFixed(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[400];
  std::snprintf(buffer, sizeof(buffer), "%f", value);
  return buffer;
}

class Parser {
 public:
  explicit Parser(std::string_view query) : query_(query), lexer_(query) {}

  Result<ExprPtr> Parse() {
    if (Peek().type == TokenType::kEof) return Error(0, "no expression found in input");
    Result<ExprPtr> expr = ParseBinary(1);
    if (!expr.ok()) return expr;
    const Token& end = Peek();
    if (end.type != TokenType::kEof) return Unexpected(end);
    // Only a tree without syntax errors is checked, as parse.go does.
    WATTLINE_RETURN_IF_ERROR(Check(**expr));
    return expr;
  }

 private:
  // Prometheus sets no limit; this one keeps the recursion of parsing,
  // checking, printing and freeing a tree well within a thread's stack.
  static constexpr size_t kMaxDepth = 500;

  // Counts a nesting for as long as it lives.
  class ScopedCount {
   public:
    explicit ScopedCount(size_t* count) : count_(count) { ++*count_; }
    ~ScopedCount() { --*count_; }
    ScopedCount(const ScopedCount&) = delete;
    ScopedCount& operator=(const ScopedCount&) = delete;

   private:
    size_t* count_;
  };

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
    last_end_ = peek_.pos + peek_.text.size();
    return std::move(peek_);
  }

  Status Error(size_t pos, std::string_view message) const {
    return Status::InvalidArgument(PositionString(query_, pos) +
                                   ": parse error: " + std::string(message));
  }

  // "unexpected <token>[ in <context>][, expected <expected>]"; a lexer error
  // is reported as itself. Without a context, the enclosing aggregation's.
  Status Unexpected(const Token& token, std::string_view context = {},
                    std::string_view expected = {}) const {
    if (token.type == TokenType::kError) return Error(token.pos, token.error);
    if (context.empty() && aggregation_depth_ > 0) context = "aggregation";
    std::string message = "unexpected " + DescribeToken(token);
    if (!context.empty()) message += " in " + std::string(context);
    if (!expected.empty()) message += ", expected " + std::string(expected);
    return Error(token.pos, message);
  }

  static std::string TooDeep() {
    return "expression nested deeper than " + std::to_string(kMaxDepth) + " levels";
  }

  // Records that `node` sits above `children`, refusing a tree deeper than
  // kMaxDepth: checking, printing and freeing it recurse.
  Status Track(const Expr& node, std::initializer_list<const Expr*> children) {
    size_t& depth = depths_[&node];
    for (const Expr* child : children) {
      auto it = depths_.find(child);
      depth = std::max(depth, (it == depths_.end() ? 1 : it->second) + 1);
    }
    if (depth > kMaxDepth) return Error(node.position.start, TooDeep());
    return Status::Ok();
  }

  // Precedence climbing over the binary operators binding at least as
  // strongly as `min_precedence`; all are left-associative but '^'.
  Result<ExprPtr> ParseBinary(int min_precedence) {
    ScopedCount nesting(&nesting_);
    if (nesting_ > kMaxDepth) return Error(Peek().pos, TooDeep());
    Result<ExprPtr> lhs = ParseUnary();
    if (!lhs.ok()) return lhs;
    for (;;) {
      const TokenType op = Peek().type;
      const int precedence = BinaryPrecedence(op);
      if (precedence == 0 || precedence < min_precedence) return lhs;
      Next();
      auto binary = std::make_unique<BinaryExpr>();
      binary->op = op;
      binary->matching.emplace();
      WATTLINE_RETURN_IF_ERROR(ParseBinaryModifiers(*binary));
      Result<ExprPtr> rhs = ParseBinary(op == TokenType::kPow ? precedence : precedence + 1);
      if (!rhs.ok()) return rhs;
      binary->position = {(*lhs)->position.start, (*rhs)->position.end};
      WATTLINE_RETURN_IF_ERROR(Track(*binary, {lhs->get(), rhs->get()}));
      binary->lhs = std::move(lhs).value();
      binary->rhs = std::move(rhs).value();
      lhs = ExprPtr(std::move(binary));
    }
  }

  // bool, on(...)/ignoring(...), group_left(...)/group_right(...), in that
  // order, each optional. Whether they make sense is Check's business.
  Status ParseBinaryModifiers(BinaryExpr& binary) {
    if (Peek().type == TokenType::kBool) {
      Next();
      binary.return_bool = true;
    }
    const TokenType on = Peek().type;
    if (on != TokenType::kOn && on != TokenType::kIgnoring) return Status::Ok();
    Next();
    VectorMatching& matching = *binary.matching;
    matching.on = on == TokenType::kOn;
    Result<std::vector<std::string>> labels = ParseGroupingLabels();
    if (!labels.ok()) return labels.status();
    matching.matching_labels = std::move(labels).value();

    const TokenType group = Peek().type;
    if (group != TokenType::kGroupLeft && group != TokenType::kGroupRight) return Status::Ok();
    Next();
    matching.card = group == TokenType::kGroupLeft ? VectorMatching::Card::kManyToOne
                                                   : VectorMatching::Card::kOneToMany;
    // A '(' right after group_x opens its labels, never the right-hand side.
    if (Peek().type == TokenType::kLeftParen) {
      Result<std::vector<std::string>> include = ParseGroupingLabels();
      if (!include.ok()) return include.status();
      matching.include = std::move(include).value();
    }
    return Status::Ok();
  }

  // '(' [label {',' label} [',']] ')'.
  Result<std::vector<std::string>> ParseGroupingLabels() {
    constexpr std::string_view kContext = "grouping opts";
    Token token = Next();
    if (token.type != TokenType::kLeftParen) return Unexpected(token, kContext, "\"(\"");
    std::vector<std::string> labels;
    token = Next();
    while (token.type != TokenType::kRightParen) {
      if (!IsMaybeLabel(token.type) || !IsValidLabelName(token.text)) {
        return Unexpected(token, kContext, "label");
      }
      labels.emplace_back(token.text);
      token = Next();
      if (token.type == TokenType::kRightParen) break;
      if (token.type != TokenType::kComma) return Unexpected(token, kContext, "\",\" or \")\"");
      token = Next();
    }
    return labels;
  }

  // A leading + or - binds like '*': it takes what follows up to any '^'.
  // On a number literal it folds into the literal, as Prometheus does.
  Result<ExprPtr> ParseUnary() {
    const TokenType op = Peek().type;
    if (op != TokenType::kAdd && op != TokenType::kSub) {
      Result<ExprPtr> primary = ParsePrimary();
      if (!primary.ok()) return primary;
      return ParsePostfix(std::move(primary).value());
    }
    const Token sign = Next();
    Result<ExprPtr> operand = ParseBinary(kPowPrecedence);
    if (!operand.ok()) return operand;
    if ((*operand)->kind == Expr::Kind::kNumberLiteral) {
      auto& number = static_cast<NumberLiteral&>(**operand);
      if (op == TokenType::kSub) number.value = -number.value;
      number.position.start = sign.pos;
      return operand;
    }
    auto unary = std::make_unique<UnaryExpr>();
    unary->op = op;
    unary->position = {sign.pos, (*operand)->position.end};
    WATTLINE_RETURN_IF_ERROR(Track(*unary, {operand->get()}));
    unary->expr = std::move(operand).value();
    return ExprPtr(std::move(unary));
  }

  Result<ExprPtr> ParsePrimary() {
    const Token& peek = Peek();
    switch (peek.type) {
      case TokenType::kNumber:
        return ParseNumberLiteral(Next());
      case TokenType::kString:
        return ParseStringLiteral(Next());
      case TokenType::kLeftParen:
        return ParseParen();
      case TokenType::kLeftBrace:
        return ParseVectorSelector(nullptr, Next().pos);
      default:
        break;
    }
    if (!IsMetricIdentifier(peek.type)) return Unexpected(peek);
    Token token = Next();
    const TokenType next = Peek().type;
    if (token.type == TokenType::kIdentifier && next == TokenType::kLeftParen) {
      return ParseCall(token);
    }
    if (IsAggregator(token.type) &&
        (next == TokenType::kLeftParen || next == TokenType::kBy || next == TokenType::kWithout)) {
      return ParseAggregate(token);
    }
    return ParseVectorSelector(&token, token.pos);
  }

  // `[range]`, `[range:step]`, `offset d` and `@ t` bind tighter than any
  // operator and may follow each other.
  Result<ExprPtr> ParsePostfix(ExprPtr expr) {
    for (;;) {
      switch (Peek().type) {
        case TokenType::kLeftBracket: {
          Result<ExprPtr> bracketed = ParseRangeOrSubquery(std::move(expr));
          if (!bracketed.ok()) return bracketed;
          expr = std::move(bracketed).value();
          break;
        }
        case TokenType::kOffset:
          WATTLINE_RETURN_IF_ERROR(ParseOffset(*expr));
          break;
        case TokenType::kAt:
          WATTLINE_RETURN_IF_ERROR(ParseAt(*expr));
          break;
        default:
          return expr;
      }
    }
  }

  Result<ExprPtr> ParseNumberLiteral(const Token& token) {
    Result<double> value = ParseNumber(token.text);
    if (!value.ok()) return Error(token.pos, "error parsing number: " + value.status().message());
    auto number = std::make_unique<NumberLiteral>();
    number->value = *value;
    number->position = {token.pos, token.pos + token.text.size()};
    return ExprPtr(std::move(number));
  }

  Result<std::string> UnquoteString(const Token& token) const {
    Result<std::string> unquoted = Unquote(token.text);
    if (!unquoted.ok()) {
      return Error(token.pos, "error unquoting string " + Quote(token.text) + ": " +
                                  unquoted.status().message());
    }
    return unquoted;
  }

  Result<ExprPtr> ParseStringLiteral(const Token& token) {
    Result<std::string> value = UnquoteString(token);
    if (!value.ok()) return value.status();
    auto string = std::make_unique<StringLiteral>();
    string->value = std::move(value).value();
    string->position = {token.pos, token.pos + token.text.size()};
    return ExprPtr(std::move(string));
  }

  Result<ExprPtr> ParseParen() {
    const Token open = Next();
    Result<ExprPtr> inner = ParseBinary(1);
    if (!inner.ok()) return inner;
    const Token& close = Peek();
    if (close.type != TokenType::kRightParen) return Unexpected(close);
    Next();
    auto paren = std::make_unique<ParenExpr>();
    paren->position = {open.pos, last_end_};
    WATTLINE_RETURN_IF_ERROR(Track(*paren, {inner->get()}));
    paren->expr = std::move(inner).value();
    return ExprPtr(std::move(paren));
  }

  // After '(': [expr {',' expr}] ')'. A trailing comma is refused, as the
  // grammar's function_call_args refuses it.
  Result<std::vector<ExprPtr>> ParseCallArgs() {
    std::vector<ExprPtr> args;
    if (Peek().type == TokenType::kRightParen) {
      Next();
      return args;
    }
    for (;;) {
      Result<ExprPtr> arg = ParseBinary(1);
      if (!arg.ok()) return arg.status();
      args.push_back(std::move(arg).value());
      const Token& token = Peek();
      if (token.type == TokenType::kRightParen) {
        Next();
        return args;
      }
      if (token.type != TokenType::kComma) return Unexpected(token);
      const Token comma = Next();
      if (Peek().type == TokenType::kRightParen) {
        return Error(comma.pos, "trailing commas not allowed in function call args");
      }
    }
  }

  // name(args), the name already read and '(' next.
  Result<ExprPtr> ParseCall(const Token& name) {
    Next();  // '('
    Result<std::vector<ExprPtr>> args = ParseCallArgs();
    if (!args.ok()) return args.status();
    const Function* function = FindFunction(name.text);
    if (function == nullptr) {
      return Error(name.pos, "unknown function with name " + Quote(name.text));
    }
    auto call = std::make_unique<Call>();
    call->function = function;
    call->args = std::move(args).value();
    call->position = {name.pos, last_end_};
    for (const ExprPtr& arg : call->args) WATTLINE_RETURN_IF_ERROR(Track(*call, {arg.get()}));
    return ExprPtr(std::move(call));
  }

  // op [by|without (labels)] (args) or op (args) [by|without (labels)], the
  // operator already read.
  Result<ExprPtr> ParseAggregate(const Token& op) {
    ScopedCount aggregation(&aggregation_depth_);
    auto aggregate = std::make_unique<AggregateExpr>();
    aggregate->op = op.type;
    const bool modifier_first = Peek().type != TokenType::kLeftParen;
    if (modifier_first) {
      WATTLINE_RETURN_IF_ERROR(ParseAggregateModifier(*aggregate));
      const Token& open = Peek();
      if (open.type != TokenType::kLeftParen) return Unexpected(open);
    }
    Next();  // '('
    Result<std::vector<ExprPtr>> args = ParseCallArgs();
    if (!args.ok()) return args.status();
    if (!modifier_first) {
      const TokenType next = Peek().type;
      if (next == TokenType::kError) return Unexpected(Peek());
      if (next == TokenType::kBy || next == TokenType::kWithout) {
        WATTLINE_RETURN_IF_ERROR(ParseAggregateModifier(*aggregate));
      }
    }
    aggregate->position = {op.pos, last_end_};

    // parse.go's newAggregateExpr.
    std::vector<ExprPtr>& arguments = *args;
    if (arguments.empty()) return Error(op.pos, "no arguments for aggregate expression provided");
    const size_t wanted = IsAggregatorWithParam(op.type) ? 2 : 1;
    if (arguments.size() != wanted) {
      return Error(op.pos,
                   "wrong number of arguments for aggregate expression provided, expected " +
                       std::to_string(wanted) + ", got " + std::to_string(arguments.size()));
    }
    for (const ExprPtr& arg : arguments) WATTLINE_RETURN_IF_ERROR(Track(*aggregate, {arg.get()}));
    if (wanted == 2) aggregate->param = std::move(arguments[0]);
    aggregate->expr = std::move(arguments.back());
    return ExprPtr(std::move(aggregate));
  }

  Status ParseAggregateModifier(AggregateExpr& aggregate) {
    aggregate.without = Next().type == TokenType::kWithout;
    Result<std::vector<std::string>> grouping = ParseGroupingLabels();
    if (!grouping.ok()) return grouping.status();
    aggregate.grouping = std::move(grouping).value();
    return Status::Ok();
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
    Result<std::string> unquoted = UnquoteString(value);
    if (!unquoted.ok()) return unquoted.status();
    Result<LabelMatcher> matcher =
        LabelMatcher::Make(type, std::string(label.text), std::move(unquoted).value());
    if (!matcher.ok()) return Error(label.pos, matcher.status().message());
    matchers.push_back(std::move(matcher).value());
    return Status::Ok();
  }

  // A duration token in milliseconds; parse.go's parseDuration refuses 0.
  Result<int64_t> ParseDuration(const Token& token) const {
    Result<int64_t> ms = ParseDurationMs(token.text);
    if (!ms.ok()) return Error(token.pos, ms.status().message());
    if (*ms == 0) return Error(token.pos, "duration must be greater than 0");
    return ms;
  }

  // `inner[range]` (a range vector selector) or `inner[range:step]` (a
  // subquery), '[' next.
  Result<ExprPtr> ParseRangeOrSubquery(ExprPtr inner) {
    const Token open = Next();
    Token token = Next();
    if (token.type != TokenType::kDuration) {
      return Unexpected(token, "subquery selector", "duration");
    }
    Result<int64_t> range = ParseDuration(token);
    if (!range.ok()) return range.status();
    token = Next();
    if (token.type == TokenType::kRightBracket)
      return MakeMatrixSelector(std::move(inner), open, *range);
    if (token.type != TokenType::kColon) {
      return Unexpected(token, "subquery or range", "\":\" or \"]\"");
    }
    int64_t step = 0;
    token = Next();
    if (token.type == TokenType::kDuration) {
      Result<int64_t> parsed = ParseDuration(token);
      if (!parsed.ok()) return parsed.status();
      step = *parsed;
      token = Next();
      if (token.type != TokenType::kRightBracket) {
        return Unexpected(token, "subquery selector", "\"]\"");
      }
    } else if (token.type != TokenType::kRightBracket) {
      return Unexpected(token, "subquery selector", "duration or \"]\"");
    }
    auto subquery = std::make_unique<SubqueryExpr>();
    subquery->position = {inner->position.start, last_end_};
    WATTLINE_RETURN_IF_ERROR(Track(*subquery, {inner.get()}));
    subquery->expr = std::move(inner);
    subquery->range_ms = *range;
    subquery->step_ms = step;
    return ExprPtr(std::move(subquery));
  }

  Result<ExprPtr> MakeMatrixSelector(ExprPtr inner, const Token& open, int64_t range_ms) {
    if (inner->kind != Expr::Kind::kVectorSelector) {
      return Error(open.pos, "ranges only allowed for vector selectors");
    }
    const auto& selector = static_cast<const VectorSelector&>(*inner);
    if (selector.offset_ms != 0) return Error(open.pos, "no offset modifiers allowed before range");
    // As generated_parser.y, which looks only at a timestamp: `x @ start()
    // [5m]` is accepted.
    if (selector.at && selector.at->kind == AtModifier::Kind::kTimestamp) {
      return Error(open.pos, "no @ modifiers allowed before range");
    }
    auto matrix = std::make_unique<MatrixSelector>();
    matrix->position = {inner->position.start, last_end_};
    WATTLINE_RETURN_IF_ERROR(Track(*matrix, {inner.get()}));
    matrix->selector.reset(static_cast<VectorSelector*>(inner.release()));
    matrix->range_ms = range_ms;
    return ExprPtr(std::move(matrix));
  }

  // Where a modifier written after `expr` goes: the selector's field, a
  // range selector's inner selector's, or the subquery's own; nullptr when
  // `expr` takes no modifier.
  template <typename T>
  static T* ModifierOf(Expr& expr, T VectorSelector::*selector_field,
                       T SubqueryExpr::*subquery_field) {
    switch (expr.kind) {
      case Expr::Kind::kVectorSelector:
        return &(static_cast<VectorSelector&>(expr).*selector_field);
      case Expr::Kind::kMatrixSelector:
        return &(*static_cast<MatrixSelector&>(expr).selector.*selector_field);
      case Expr::Kind::kSubquery:
        return &(static_cast<SubqueryExpr&>(expr).*subquery_field);
      default:
        return nullptr;
    }
  }

  // `offset [-]d` after `expr`, 'offset' next (parse.go's addOffset).
  Status ParseOffset(Expr& expr) {
    Next();  // 'offset'
    Token token = Next();
    const bool negative = token.type == TokenType::kSub;
    if (negative) token = Next();
    if (token.type != TokenType::kDuration) return Unexpected(token, "offset", "duration");
    Result<int64_t> offset = ParseDuration(token);
    if (!offset.ok()) return offset.status();
    int64_t* target = ModifierOf(expr, &VectorSelector::offset_ms, &SubqueryExpr::offset_ms);
    if (target == nullptr) {
      return Error(expr.position.start,
                   "offset modifier must be preceded by an instant vector selector or range "
                   "vector selector or a subquery");
    }
    if (*target != 0) return Error(expr.position.start, "offset may not be set multiple times");
    *target = negative ? -*offset : *offset;
    expr.position.end = last_end_;
    return Status::Ok();
  }

  // `@ <number>`, `@ start()` or `@ end()` after `expr`, '@' next (parse.go's
  // setTimestamp and setAtModifierPreprocessor).
  Status ParseAt(Expr& expr) {
    constexpr std::string_view kContext = "@";
    constexpr std::string_view kExpected = "timestamp";
    Next();  // '@'
    Token token = Next();
    AtModifier at;
    if (token.type == TokenType::kStart || token.type == TokenType::kEnd) {
      at.kind = token.type == TokenType::kStart ? AtModifier::Kind::kStart : AtModifier::Kind::kEnd;
      Token paren = Next();
      if (paren.type != TokenType::kLeftParen) return Unexpected(paren, kContext, kExpected);
      paren = Next();
      if (paren.type != TokenType::kRightParen) return Unexpected(paren, kContext, kExpected);
    } else {
      const bool negative = token.type == TokenType::kSub;
      if (negative || token.type == TokenType::kAdd) token = Next();
      if (token.type != TokenType::kNumber) return Unexpected(token, kContext, kExpected);
      Result<double> seconds = ParseNumber(token.text);
      if (!seconds.ok()) {
        return Error(token.pos, "error parsing number: " + seconds.status().message());
      }
      const double ts = negative ? -*seconds : *seconds;
      // Prometheus bounds the seconds by int64; their milliseconds must fit
      // too, or Go's conversion gives nonsense and C++'s is undefined.
      constexpr double kLimit = 9.223372036854775807e18;
      if (!std::isfinite(ts) || ts >= kLimit || ts <= -kLimit || std::abs(ts * 1000) >= kLimit) {
        return Error(expr.position.start,
                     "timestamp out of bounds for @ modifier: " + FormatGoFixed(ts));
      }
      at.timestamp_ms = static_cast<int64_t>(std::round(ts * 1000));
    }
    std::optional<AtModifier>* target = ModifierOf(expr, &VectorSelector::at, &SubqueryExpr::at);
    if (target == nullptr) {
      return Error(expr.position.start,
                   "@ modifier must be preceded by an instant vector selector or range vector "
                   "selector or a subquery");
    }
    if (target->has_value()) {
      return Error(expr.position.start, "@ <timestamp> may not be set multiple times");
    }
    *target = at;
    expr.position.end = last_end_;
    return Status::Ok();
  }

  // The checks of parse.go's checkAST, in its order, once the syntax is
  // right. Also settles each binary expression's vector matching.
  Status Check(Expr& expr) const {
    switch (expr.kind) {
      case Expr::Kind::kNumberLiteral:
      case Expr::Kind::kStringLiteral:
        return Status::Ok();
      case Expr::Kind::kParen:
        return Check(*static_cast<ParenExpr&>(expr).expr);
      case Expr::Kind::kUnary: {
        auto& unary = static_cast<UnaryExpr&>(expr);
        WATTLINE_RETURN_IF_ERROR(Check(*unary.expr));
        const ValueType type = unary.expr->type();
        if (type != ValueType::kScalar && type != ValueType::kVector) {
          return Error(unary.position.start,
                       "unary expression only allowed on expressions of type scalar or instant "
                       "vector, got " +
                           Quote(ValueTypeDocName(type)));
        }
        return Status::Ok();
      }
      case Expr::Kind::kBinary:
        return CheckBinary(static_cast<BinaryExpr&>(expr));
      case Expr::Kind::kAggregate:
        return CheckAggregate(static_cast<AggregateExpr&>(expr));
      case Expr::Kind::kCall:
        return CheckCall(static_cast<Call&>(expr));
      case Expr::Kind::kVectorSelector:
        return CheckVectorSelector(static_cast<const VectorSelector&>(expr));
      case Expr::Kind::kMatrixSelector:
        return CheckVectorSelector(*static_cast<const MatrixSelector&>(expr).selector);
      case Expr::Kind::kSubquery: {
        auto& subquery = static_cast<SubqueryExpr&>(expr);
        WATTLINE_RETURN_IF_ERROR(Check(*subquery.expr));
        const ValueType type = subquery.expr->type();
        if (type != ValueType::kVector) {
          return Error(subquery.position.start, "subquery is only allowed on instant vector, got " +
                                                    std::string(ValueTypeName(type)) + " instead");
        }
        return Status::Ok();
      }
    }
    return Status::Ok();
  }

  // parse.go's expectType.
  Status ExpectType(Expr& expr, ValueType want, std::string_view context) const {
    WATTLINE_RETURN_IF_ERROR(Check(expr));
    const ValueType got = expr.type();
    if (got == want) return Status::Ok();
    return Error(expr.position.start, "expected type " + std::string(ValueTypeDocName(want)) +
                                          " in " + std::string(context) + ", got " +
                                          std::string(ValueTypeDocName(got)));
  }

  Status CheckAggregate(AggregateExpr& aggregate) const {
    WATTLINE_RETURN_IF_ERROR(
        ExpectType(*aggregate.expr, ValueType::kVector, "aggregation expression"));
    if (aggregate.op == TokenType::kCountValues) {
      return ExpectType(*aggregate.param, ValueType::kString, "aggregation parameter");
    }
    if (aggregate.param != nullptr) {
      return ExpectType(*aggregate.param, ValueType::kScalar, "aggregation parameter");
    }
    return Status::Ok();
  }

  Status CheckCall(Call& call) const {
    const Function& function = *call.function;
    const size_t declared = function.arg_types.size();
    const size_t given = call.args.size();
    const std::string counts =
        " argument(s) in call to " + Quote(function.name) + ", got " + std::to_string(given);
    const size_t start = call.position.start;
    if (function.variadic == 0) {
      if (given != declared) return Error(start, "expected " + std::to_string(declared) + counts);
    } else {
      // -1: the last type repeats; n > 0: the last n may be left out.
      const size_t optional = function.variadic > 0 ? static_cast<size_t>(function.variadic) : 1;
      const size_t min = declared - std::min(optional, declared);
      if (given < min) return Error(start, "expected at least " + std::to_string(min) + counts);
      if (function.variadic > 0 && given > declared) {
        return Error(start, "expected at most " + std::to_string(declared) + counts);
      }
    }
    const std::string context = "call to function " + Quote(function.name);
    for (size_t i = 0; i < given; ++i) {
      const size_t typed = std::min(i, declared - 1);
      WATTLINE_RETURN_IF_ERROR(ExpectType(*call.args[i], function.arg_types[typed], context));
    }
    return Status::Ok();
  }

  Status CheckBinary(BinaryExpr& binary) const {
    WATTLINE_RETURN_IF_ERROR(Check(*binary.lhs));
    WATTLINE_RETURN_IF_ERROR(Check(*binary.rhs));
    const ValueType lhs = binary.lhs->type();
    const ValueType rhs = binary.rhs->type();
    // Where the operator is: the first non-space after the left-hand side.
    size_t op_pos = binary.lhs->position.end;
    while (op_pos < query_.size() && IsSpace(query_[op_pos])) ++op_pos;

    const TokenType op = binary.op;
    if (binary.return_bool && !IsComparisonOperator(op)) {
      return Error(op_pos, "bool modifier can only be used on comparison operators");
    }
    if (IsComparisonOperator(op) && !binary.return_bool && lhs == ValueType::kScalar &&
        rhs == ValueType::kScalar) {
      return Error(op_pos, "comparisons between scalars must use BOOL modifier");
    }
    VectorMatching& matching = *binary.matching;
    if (IsSetOperator(op) && matching.card == VectorMatching::Card::kOneToOne) {
      matching.card = VectorMatching::Card::kManyToMany;
    }
    if (matching.on) {
      for (const std::string& label : matching.matching_labels) {
        if (std::find(matching.include.begin(), matching.include.end(), label) !=
            matching.include.end()) {
          return Error(op_pos,
                       "label " + Quote(label) + " must not occur in ON and GROUP clause at once");
        }
      }
    }
    constexpr std::string_view kOnlyScalarsAndVectors =
        "binary expression must contain only scalar and instant vector types";
    if (lhs != ValueType::kScalar && lhs != ValueType::kVector) {
      return Error(binary.lhs->position.start, kOnlyScalarsAndVectors);
    }
    if (rhs != ValueType::kScalar && rhs != ValueType::kVector) {
      return Error(binary.rhs->position.start, kOnlyScalarsAndVectors);
    }
    const std::string quoted_op = Quote(OperatorName(op));
    if (lhs != ValueType::kVector || rhs != ValueType::kVector) {
      if (!matching.matching_labels.empty()) {
        return Error(binary.position.start, "vector matching only allowed between instant vectors");
      }
      binary.matching.reset();
    } else if (IsSetOperator(op)) {
      if (matching.card == VectorMatching::Card::kOneToMany ||
          matching.card == VectorMatching::Card::kManyToOne) {
        return Error(binary.position.start, "no grouping allowed for " + quoted_op + " operation");
      }
    }
    if ((lhs == ValueType::kScalar || rhs == ValueType::kScalar) && IsSetOperator(op)) {
      return Error(binary.position.start,
                   "set operator " + quoted_op + " not allowed in binary scalar expression");
    }
    return Status::Ok();
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
  size_t last_end_ = 0;  // the offset just after the last token taken
  // Aggregations being parsed: a syntax error inside one is reported "in
  // aggregation", as the grammar's `aggregate_op error` rule catches it when
  // no rule nearer the error does.
  size_t aggregation_depth_ = 0;
  size_t nesting_ = 0;  // ParseBinary calls under way
  // Height of each inner node built so far; a leaf's is 1.
  std::unordered_map<const Expr*, size_t> depths_;
};

// prometheus/common's model.Duration.String(): 1h30m, 90d, 2w, 1y, 500ms.
std::string FormatDuration(int64_t ms) {
  if (ms == 0) return "0s";
  std::string out;
  struct Unit {
    std::string_view name;
    int64_t ms;
    bool exact;  // years and weeks only when they divide evenly
  };
  constexpr int64_t kDay = 24 * 60 * 60 * 1000LL;
  constexpr Unit kUnits[] = {{"y", 365 * kDay, true},   {"w", 7 * kDay, true},
                             {"d", kDay, false},        {"h", 60 * 60 * 1000LL, false},
                             {"m", 60 * 1000LL, false}, {"s", 1000, false},
                             {"ms", 1, false}};
  for (const Unit& unit : kUnits) {
    if (unit.exact && ms % unit.ms != 0) continue;
    const int64_t count = ms / unit.ms;
    if (count > 0) {
      out += std::to_string(count);
      out += unit.name;
      ms -= count * unit.ms;
    }
  }
  return out;
}

std::string FormatOffset(int64_t offset_ms) {
  if (offset_ms > 0) return " offset " + FormatDuration(offset_ms);
  if (offset_ms < 0) return " offset -" + FormatDuration(-offset_ms);
  return "";
}

std::string FormatAt(const std::optional<AtModifier>& at) {
  if (!at) return "";
  switch (at->kind) {
    case AtModifier::Kind::kStart:
      return " @ start()";
    case AtModifier::Kind::kEnd:
      return " @ end()";
    case AtModifier::Kind::kTimestamp:
      break;
  }
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), " @ %.3f", static_cast<double>(at->timestamp_ms) / 1000.0);
  return buffer;
}

// strconv.FormatFloat(v, 'f', -1, 64): the shortest digits that read back
// as v, never an exponent.
std::string FormatNumber(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[1100];  // enough for the smallest denormal written out
  const auto result =
      std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::fixed);
  return std::string(buffer, result.ptr);
}

std::string JoinLabels(const std::vector<std::string>& labels) {
  std::string out;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += ", ";
    out += labels[i];
  }
  return out;
}

// labels.Matcher.String(): the value as Go's %q writes it, so that bytes
// which are not UTF-8 come out escaped.
std::string FormatMatcher(const LabelMatcher& matcher) {
  std::string out = matcher.name();
  switch (matcher.type()) {
    case LabelMatcher::Type::kEqual:
      out += "=";
      break;
    case LabelMatcher::Type::kNotEqual:
      out += "!=";
      break;
    case LabelMatcher::Type::kRegexMatch:
      out += "=~";
      break;
    case LabelMatcher::Type::kRegexNoMatch:
      out += "!~";
      break;
  }
  return out + Quote(matcher.value());
}

// The selector without its offset and @, which a matrix selector writes
// after its range.
std::string FormatSelectorMatchers(const VectorSelector& selector) {
  std::vector<std::string> matchers;
  for (const LabelMatcher& matcher : selector.matchers) {
    // The name is written before the braces; an explicit __name__="" is kept
    // (Prometheus 2.42 dropped it, a later fix keeps it).
    if (matcher.name() == kMetricNameLabel && matcher.type() == LabelMatcher::Type::kEqual &&
        matcher.value() == selector.name && !selector.name.empty()) {
      continue;
    }
    matchers.push_back(FormatMatcher(matcher));
  }
  std::string out = selector.name;
  if (matchers.empty()) return out;
  std::sort(matchers.begin(), matchers.end());
  out += "{";
  for (size_t i = 0; i < matchers.size(); ++i) {
    if (i > 0) out += ",";
    out += matchers[i];
  }
  out += "}";
  return out;
}

std::string FormatMatching(const BinaryExpr& binary) {
  if (!binary.matching) return "";
  const VectorMatching& matching = *binary.matching;
  const bool grouped = matching.card == VectorMatching::Card::kManyToOne ||
                       matching.card == VectorMatching::Card::kOneToMany;
  // Prometheus 2.42 also drops an empty ignoring() before group_x(...),
  // which changes the meaning; it is kept here, as later versions do.
  if (matching.matching_labels.empty() && !matching.on && !grouped) return "";
  std::string out = matching.on ? " on (" : " ignoring (";
  out += JoinLabels(matching.matching_labels) + ")";
  if (grouped) {
    out += matching.card == VectorMatching::Card::kManyToOne ? " group_left (" : " group_right (";
    out += JoinLabels(matching.include) + ")";
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<Expr>> ParseExpr(std::string_view query) { return Parser(query).Parse(); }

std::string ExprToString(const Expr& expr) {
  switch (expr.kind) {
    case Expr::Kind::kNumberLiteral:
      return FormatNumber(static_cast<const NumberLiteral&>(expr).value);
    case Expr::Kind::kStringLiteral:
      return Quote(static_cast<const StringLiteral&>(expr).value);
    case Expr::Kind::kParen:
      return "(" + ExprToString(*static_cast<const ParenExpr&>(expr).expr) + ")";
    case Expr::Kind::kUnary: {
      const auto& unary = static_cast<const UnaryExpr&>(expr);
      return std::string(OperatorName(unary.op)) + ExprToString(*unary.expr);
    }
    case Expr::Kind::kBinary: {
      const auto& binary = static_cast<const BinaryExpr&>(expr);
      // "+Inf ^ 2" would read back as +(Inf ^ 2), so that Inf goes unsigned.
      const bool bare_inf = binary.op == TokenType::kPow &&
                            binary.lhs->kind == Expr::Kind::kNumberLiteral &&
                            static_cast<const NumberLiteral&>(*binary.lhs).value > 0 &&
                            std::isinf(static_cast<const NumberLiteral&>(*binary.lhs).value);
      return (bare_inf ? "Inf" : ExprToString(*binary.lhs)) + " " +
             std::string(OperatorName(binary.op)) + (binary.return_bool ? " bool" : "") +
             FormatMatching(binary) + " " + ExprToString(*binary.rhs);
    }
    case Expr::Kind::kAggregate: {
      const auto& aggregate = static_cast<const AggregateExpr&>(expr);
      std::string out(OperatorName(aggregate.op));
      if (aggregate.without) {
        out += " without (" + JoinLabels(aggregate.grouping) + ") ";
      } else if (!aggregate.grouping.empty()) {
        out += " by (" + JoinLabels(aggregate.grouping) + ") ";
      }
      out += "(";
      if (aggregate.param != nullptr) out += ExprToString(*aggregate.param) + ", ";
      return out + ExprToString(*aggregate.expr) + ")";
    }
    case Expr::Kind::kCall: {
      const auto& call = static_cast<const Call&>(expr);
      std::string out(call.function->name);
      out += "(";
      for (size_t i = 0; i < call.args.size(); ++i) {
        if (i > 0) out += ", ";
        out += ExprToString(*call.args[i]);
      }
      return out + ")";
    }
    case Expr::Kind::kVectorSelector: {
      const auto& selector = static_cast<const VectorSelector&>(expr);
      return FormatSelectorMatchers(selector) + FormatAt(selector.at) +
             FormatOffset(selector.offset_ms);
    }
    case Expr::Kind::kMatrixSelector: {
      const auto& matrix = static_cast<const MatrixSelector&>(expr);
      const VectorSelector& selector = *matrix.selector;
      return FormatSelectorMatchers(selector) + "[" + FormatDuration(matrix.range_ms) + "]" +
             FormatAt(selector.at) + FormatOffset(selector.offset_ms);
    }
    case Expr::Kind::kSubquery: {
      const auto& subquery = static_cast<const SubqueryExpr&>(expr);
      return ExprToString(*subquery.expr) + "[" + FormatDuration(subquery.range_ms) + ":" +
             (subquery.step_ms != 0 ? FormatDuration(subquery.step_ms) : "") + "]" +
             FormatAt(subquery.at) + FormatOffset(subquery.offset_ms);
    }
  }
  return "";
}

}  // namespace wattline::aggregator
