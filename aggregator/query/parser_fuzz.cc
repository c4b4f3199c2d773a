// libFuzzer target for the PromQL lexer and parser and the API's time
// parameters. Every input goes to each; they must return a Result, never
// crash, hang or leak; a parsed tree must keep the parser's promises and
// print back to text that parses to the same print. Seeds are in
// aggregator/query/fuzz_corpus/promql/.
//
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -I. \
//     $(pkg-config --cflags re2) aggregator/query/parser_fuzz.cc \
//     aggregator/query/{ast,function_table,lexer,parser,quote,number,time_param}.cc \
//     aggregator/storage/label_matcher.cc common/{duration,labels,status}.cc \
//     $(pkg-config --libs re2) -o promql_parser_fuzz
//   ./promql_parser_fuzz aggregator/query/fuzz_corpus/promql/
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "aggregator/query/lexer.h"
#include "aggregator/query/parser.h"
#include "aggregator/query/quote.h"
#include "aggregator/query/time_param.h"

namespace {

using wattline::aggregator::AggregateExpr;
using wattline::aggregator::AtModifier;
using wattline::aggregator::BinaryExpr;
using wattline::aggregator::Call;
using wattline::aggregator::Expr;
using wattline::aggregator::ExprPtr;
using wattline::aggregator::MatrixSelector;
using wattline::aggregator::ParenExpr;
using wattline::aggregator::SubqueryExpr;
using wattline::aggregator::TokenType;
using wattline::aggregator::UnaryExpr;
using wattline::aggregator::ValueType;
using wattline::aggregator::VectorSelector;

void Require(bool condition) {
  if (!condition) std::abort();
}

// An @ time is printed as float seconds; beyond 2^53 ms a double no longer
// holds every millisecond, so such a tree need not print back exactly.
bool ExactTime(const std::optional<AtModifier>& at) {
  constexpr int64_t kExact = int64_t{1} << 53;
  return !at || (at->timestamp_ms < kExact && at->timestamp_ms > -kExact);
}

// What the parser promises of every tree it returns. Clears *exact when an
// @ time is too large to print exactly.
void CheckTree(const Expr& expr, size_t input_size, bool* exact) {
  Require(expr.position.start <= expr.position.end && expr.position.end <= input_size);
  switch (expr.kind) {
    case Expr::Kind::kParen:
      CheckTree(*static_cast<const ParenExpr&>(expr).expr, input_size, exact);
      break;
    case Expr::Kind::kUnary: {
      const auto& unary = static_cast<const UnaryExpr&>(expr);
      Require(unary.expr->type() == ValueType::kScalar || unary.expr->type() == ValueType::kVector);
      CheckTree(*unary.expr, input_size, exact);
      break;
    }
    case Expr::Kind::kBinary: {
      const auto& binary = static_cast<const BinaryExpr&>(expr);
      Require(binary.matching.has_value() == (binary.lhs->type() == ValueType::kVector &&
                                              binary.rhs->type() == ValueType::kVector));
      CheckTree(*binary.lhs, input_size, exact);
      CheckTree(*binary.rhs, input_size, exact);
      break;
    }
    case Expr::Kind::kAggregate: {
      const auto& aggregate = static_cast<const AggregateExpr&>(expr);
      Require(aggregate.expr->type() == ValueType::kVector);
      CheckTree(*aggregate.expr, input_size, exact);
      if (aggregate.param != nullptr) CheckTree(*aggregate.param, input_size, exact);
      break;
    }
    case Expr::Kind::kCall: {
      const auto& call = static_cast<const Call&>(expr);
      Require(call.function != nullptr);
      for (const ExprPtr& arg : call.args) CheckTree(*arg, input_size, exact);
      break;
    }
    case Expr::Kind::kVectorSelector: {
      const auto& selector = static_cast<const VectorSelector&>(expr);
      Require(!selector.matchers.empty());
      if (!ExactTime(selector.at)) *exact = false;
      break;
    }
    case Expr::Kind::kMatrixSelector: {
      const auto& matrix = static_cast<const MatrixSelector&>(expr);
      Require(matrix.range_ms > 0 && matrix.selector != nullptr);
      CheckTree(*matrix.selector, input_size, exact);
      break;
    }
    case Expr::Kind::kSubquery: {
      const auto& subquery = static_cast<const SubqueryExpr&>(expr);
      Require(subquery.range_ms > 0 && subquery.step_ms >= 0);
      Require(subquery.expr->type() == ValueType::kVector);
      if (!ExactTime(subquery.at)) *exact = false;
      CheckTree(*subquery.expr, input_size, exact);
      break;
    }
    case Expr::Kind::kNumberLiteral:
    case Expr::Kind::kStringLiteral:
      break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  // Tokens come in order, inside the input, and end with one EOF or error.
  size_t last = 0;
  for (const auto& token : wattline::aggregator::LexAll(input)) {
    Require(token.pos >= last && token.pos <= input.size());
    Require(token.pos + token.text.size() <= input.size());
    last = token.pos;
    if (token.type == TokenType::kError) Require(!token.error.empty());
  }

  auto expr = wattline::aggregator::ParseExpr(input);
  if (expr.ok()) {
    bool exact = true;
    CheckTree(**expr, input.size(), &exact);
    // What is printed parses again, and prints the same.
    const std::string printed = wattline::aggregator::ExprToString(**expr);
    auto reparsed = wattline::aggregator::ParseExpr(printed);
    Require(reparsed.ok());
    Require(!exact || wattline::aggregator::ExprToString(**reparsed) == printed);
  } else {
    Require(expr.status().message().find("parse error: ") != std::string::npos);
  }

  (void)wattline::aggregator::Unquote(input);
  (void)wattline::aggregator::ParseTimeParam(input);
  (void)wattline::aggregator::ParseDurationParam(input);
  return 0;
}
