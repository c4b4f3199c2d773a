// libFuzzer target for the PromQL lexer and parser and the API's time
// parameters. Every input goes to each; they must return a Result, never
// crash, hang or leak. Seeds are in aggregator/query/fuzz_corpus/promql/.
//
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -I. \
//     $(pkg-config --cflags re2) aggregator/query/parser_fuzz.cc \
//     aggregator/query/{lexer,parser,quote,duration,number,time_param}.cc \
//     aggregator/storage/label_matcher.cc common/labels.cc common/status.cc \
//     $(pkg-config --libs re2) -o promql_parser_fuzz
//   ./promql_parser_fuzz aggregator/query/fuzz_corpus/promql/
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "aggregator/query/lexer.h"
#include "aggregator/query/parser.h"
#include "aggregator/query/quote.h"
#include "aggregator/query/time_param.h"

namespace {

using wattline::aggregator::Expr;
using wattline::aggregator::MatrixSelector;
using wattline::aggregator::TokenType;
using wattline::aggregator::VectorSelector;

void Require(bool condition) {
  if (!condition) std::abort();
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
    // Whatever parses is a selector, or a range over one, that cannot
    // select everything.
    const VectorSelector* selector = nullptr;
    if ((*expr)->kind == Expr::Kind::kMatrixSelector) {
      const auto& matrix = static_cast<const MatrixSelector&>(**expr);
      Require(matrix.range_ms > 0 && matrix.selector != nullptr);
      selector = matrix.selector.get();
    } else {
      Require((*expr)->kind == Expr::Kind::kVectorSelector);
      selector = static_cast<const VectorSelector*>(expr->get());
    }
    Require(!selector->matchers.empty());
    Require(selector->position.end <= input.size());
  } else {
    Require(expr.status().message().find("parse error: ") != std::string::npos);
  }

  (void)wattline::aggregator::Unquote(input);
  (void)wattline::aggregator::ParseTimeParam(input);
  (void)wattline::aggregator::ParseDurationParam(input);
  return 0;
}
