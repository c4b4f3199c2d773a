// The PromQL syntax tree, as promql/parser/ast.go shapes it: every node is an
// Expr with a Kind, a result type and the byte range it came from.
//
// Nodes are plain data, built by the parser and read by the engine; a tree is
// immutable once parsed and may be read from several threads. The engine
// resolves `@ start()`, `@ end()` and `@ <time>` itself, per query, so one
// tree can be evaluated at any time.
#ifndef WATTLINE_AGGREGATOR_QUERY_AST_H_
#define WATTLINE_AGGREGATOR_QUERY_AST_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aggregator/query/lexer.h"
#include "aggregator/storage/label_matcher.h"

namespace wattline::aggregator {

struct Function;  // function_table.h

// Byte offsets into the query: [start, end).
struct PositionRange {
  size_t start = 0;
  size_t end = 0;
};

// What an expression evaluates to.
enum class ValueType { kNone, kScalar, kVector, kMatrix, kString };

// The API's name for it, the "resultType" of a query response.
std::string_view ValueTypeName(ValueType type);

// Prometheus's name for it in parse errors: "scalar", "instant vector",
// "range vector", "string".
std::string_view ValueTypeDocName(ValueType type);

struct Expr {
  enum class Kind {
    kNumberLiteral,
    kStringLiteral,
    kParen,
    kUnary,
    kBinary,
    kAggregate,
    kCall,
    kVectorSelector,
    kMatrixSelector,
    kSubquery,
  };

  explicit Expr(Kind k) : kind(k) {}
  virtual ~Expr() = default;
  Expr(const Expr&) = delete;
  Expr& operator=(const Expr&) = delete;

  // As Prometheus types it: a binary expression is a scalar only when both
  // sides are; a paren or unary expression has its operand's type.
  ValueType type() const;

  const Kind kind;
  PositionRange position;
};

using ExprPtr = std::unique_ptr<Expr>;

// `@ <time>`, `@ start()` or `@ end()` on a selector or subquery.
struct AtModifier {
  enum class Kind { kTimestamp, kStart, kEnd };
  Kind kind = Kind::kTimestamp;
  int64_t timestamp_ms = 0;  // kTimestamp only
};

// 1, 0x1f, 1e-3, Inf, NaN (a leading sign is a unary expression).
struct NumberLiteral final : Expr {
  NumberLiteral() : Expr(Kind::kNumberLiteral) {}
  double value = 0;
};

// "text", already unquoted.
struct StringLiteral final : Expr {
  StringLiteral() : Expr(Kind::kStringLiteral) {}
  std::string value;
};

// ( expr )
struct ParenExpr final : Expr {
  ParenExpr() : Expr(Kind::kParen) {}
  ExprPtr expr;
};

// -expr or +expr.
struct UnaryExpr final : Expr {
  UnaryExpr() : Expr(Kind::kUnary) {}
  TokenType op = TokenType::kSub;  // kAdd or kSub
  ExprPtr expr;
};

// How the two sides of a binary operation between vectors pair up.
struct VectorMatching {
  enum class Card { kOneToOne, kManyToOne, kOneToMany, kManyToMany };
  // One-to-one for arithmetic and comparison, many-to-many for and/or/unless,
  // many-to-one with group_left, one-to-many with group_right.
  Card card = Card::kOneToOne;
  // The labels of on(...) when `on`, else of ignoring(...); as written.
  std::vector<std::string> matching_labels;
  bool on = false;
  // group_left(...)/group_right(...)'s labels, copied from the "one" side.
  std::vector<std::string> include;
};

// lhs op rhs. Operators: kAdd kSub kMul kDiv kMod kPow kAtan2, the
// comparisons kEqlc kNeq kLss kLte kGtr kGte, and kLand kLor kLunless.
struct BinaryExpr final : Expr {
  BinaryExpr() : Expr(Kind::kBinary) {}
  TokenType op = TokenType::kAdd;
  ExprPtr lhs;
  ExprPtr rhs;
  // Set when both sides are vectors (as typed).
  std::optional<VectorMatching> matching;
  bool return_bool = false;  // a comparison with the `bool` modifier
};

// op [by|without (labels)] ([param,] expr).
struct AggregateExpr final : Expr {
  AggregateExpr() : Expr(Kind::kAggregate) {}
  TokenType op = TokenType::kSum;  // one of the aggregator tokens
  ExprPtr expr;
  ExprPtr param;                      // topk, bottomk, quantile (scalar), count_values (string)
  std::vector<std::string> grouping;  // as written
  bool without = false;
};

// name(args...).
struct Call final : Expr {
  Call() : Expr(Kind::kCall) {}
  const Function* function = nullptr;  // never null once parsed
  std::vector<ExprPtr> args;
};

// metric_name{label="value", ...} [offset d] [@ t]: the series matching
// every matcher.
struct VectorSelector final : Expr {
  VectorSelector() : Expr(Kind::kVectorSelector) {}

  // The metric name written before the braces, or "" when there is none.
  std::string name;
  // Every matcher, including __name__="<name>" (last) when `name` is set;
  // this is the list to hand to storage.
  LabelMatchers matchers;
  int64_t offset_ms = 0;  // may be negative
  std::optional<AtModifier> at;
};

// selector[range]: each matching series' samples in [t - range, t] (as
// Prometheus 2 includes both ends), t the evaluation time less the
// selector's offset, or its @ time.
struct MatrixSelector final : Expr {
  MatrixSelector() : Expr(Kind::kMatrixSelector) {}

  // Offset and @ are the selector's (`x[5m] offset 1h` sets them there).
  std::unique_ptr<VectorSelector> selector;
  int64_t range_ms = 0;  // > 0
};

// expr[range:step] [offset d] [@ t]: expr evaluated at every multiple of
// step within the range, as a range vector.
struct SubqueryExpr final : Expr {
  SubqueryExpr() : Expr(Kind::kSubquery) {}
  ExprPtr expr;
  int64_t range_ms = 0;  // > 0
  int64_t step_ms = 0;   // 0: the engine's default evaluation interval
  int64_t offset_ms = 0;
  std::optional<AtModifier> at;
};

// The node with any enclosing parentheses stripped.
const Expr& Unparen(const Expr& expr);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_QUERY_AST_H_
