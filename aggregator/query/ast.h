// The PromQL syntax tree, as promql/parser/ast.go shapes it: every node is an
// Expr with a Kind, a result type and the byte range it came from.
//
// Today the parser produces two kinds of node, the vector selector and the
// range-vector (matrix) selector. The rest of the grammar (number and string
// literals, parentheses, unary and binary expressions, aggregations, function
// calls, subqueries, offset and @ modifiers) each becomes one more Kind and one more struct here,
// evaluated by one more case in engine.cc.
//
// Nodes are plain data, built by the parser and read by the engine; a tree is
// immutable once parsed and may be read from several threads.
#ifndef WATTLINE_AGGREGATOR_QUERY_AST_H_
#define WATTLINE_AGGREGATOR_QUERY_AST_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "aggregator/storage/label_matcher.h"

namespace wattline::aggregator {

// Byte offsets into the query: [start, end).
struct PositionRange {
  size_t start = 0;
  size_t end = 0;
};

// What an expression evaluates to.
enum class ValueType { kNone, kScalar, kVector, kMatrix, kString };

// The API's name for it, the "resultType" of a query response.
inline std::string_view ValueTypeName(ValueType type) {
  switch (type) {
    case ValueType::kScalar:
      return "scalar";
    case ValueType::kVector:
      return "vector";
    case ValueType::kMatrix:
      return "matrix";
    case ValueType::kString:
      return "string";
    case ValueType::kNone:
      break;
  }
  return "none";
}

struct Expr {
  enum class Kind { kVectorSelector, kMatrixSelector };

  explicit Expr(Kind k) : kind(k) {}
  virtual ~Expr() = default;
  Expr(const Expr&) = delete;
  Expr& operator=(const Expr&) = delete;

  ValueType type() const {
    switch (kind) {
      case Kind::kVectorSelector:
        return ValueType::kVector;
      case Kind::kMatrixSelector:
        return ValueType::kMatrix;
    }
    return ValueType::kNone;
  }

  const Kind kind;
  PositionRange position;
};

// metric_name{label="value", ...}: the series matching every matcher.
struct VectorSelector final : Expr {
  VectorSelector() : Expr(Kind::kVectorSelector) {}

  // The metric name written before the braces, or "" when there is none.
  std::string name;
  // Every matcher, including __name__="<name>" (last) when `name` is set;
  // this is the list to hand to storage.
  LabelMatchers matchers;
};

// selector[range]: each matching series' samples in (t - range, t].
struct MatrixSelector final : Expr {
  MatrixSelector() : Expr(Kind::kMatrixSelector) {}

  std::unique_ptr<VectorSelector> selector;
  int64_t range_ms = 0;  // > 0
};

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_QUERY_AST_H_
