#include "aggregator/query/ast.h"

#include "aggregator/query/function_table.h"

namespace wattline::aggregator {

std::string_view ValueTypeName(ValueType type) {
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

std::string_view ValueTypeDocName(ValueType type) {
  switch (type) {
    case ValueType::kScalar:
      return "scalar";
    case ValueType::kVector:
      return "instant vector";
    case ValueType::kMatrix:
      return "range vector";
    case ValueType::kString:
      return "string";
    case ValueType::kNone:
      break;
  }
  return "none";
}

ValueType Expr::type() const {
  switch (kind) {
    case Kind::kNumberLiteral:
      return ValueType::kScalar;
    case Kind::kStringLiteral:
      return ValueType::kString;
    case Kind::kParen:
      return static_cast<const ParenExpr*>(this)->expr->type();
    case Kind::kUnary:
      return static_cast<const UnaryExpr*>(this)->expr->type();
    case Kind::kBinary: {
      const auto* binary = static_cast<const BinaryExpr*>(this);
      if (binary->lhs->type() == ValueType::kScalar && binary->rhs->type() == ValueType::kScalar) {
        return ValueType::kScalar;
      }
      return ValueType::kVector;
    }
    case Kind::kAggregate:
      return ValueType::kVector;
    case Kind::kCall:
      return static_cast<const Call*>(this)->function->return_type;
    case Kind::kVectorSelector:
      return ValueType::kVector;
    case Kind::kMatrixSelector:
    case Kind::kSubquery:
      return ValueType::kMatrix;
  }
  return ValueType::kNone;
}

const Expr& Unparen(const Expr& expr) {
  const Expr* e = &expr;
  while (e->kind == Expr::Kind::kParen) e = static_cast<const ParenExpr*>(e)->expr.get();
  return *e;
}

}  // namespace wattline::aggregator
