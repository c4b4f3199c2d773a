// The PromQL parser: query text in, syntax tree (ast.h) out.
//
// A recursive-descent parser over the lexer's tokens, following the grammar
// of Prometheus's promql/parser/generated_parser.y and reporting errors with
// the same text, e.g.
//   power_watts{device$"x"}  1:19: parse error: unexpected character inside braces: '$'
//   {job=~".*"}              1:1: parse error: vector selector must contain at least one
//                            non-empty matcher
//   x{a="b" c="d"}           1:9: parse error: unexpected identifier "c" in label matching,
//                            expected "," or "}"
// Positions are line:column of the first byte at fault, columns counted in
// bytes from 1, as Prometheus counts them.
//
// Scope today: one vector selector, `metric`, `metric{matchers}` or
// `{matchers}`, with the matchers = != =~ !~, values in any of PromQL's
// string forms, an optional trailing comma, and comments. Every other part
// of PromQL is recognised and refused with a position, e.g.
//   power_watts + 1          1:13: parse error: binary operators are not supported yet, only
//                            vector selectors are
//
// Thread-safety: ParseExpr is reentrant.
#ifndef WATTLINE_AGGREGATOR_QUERY_PARSER_H_
#define WATTLINE_AGGREGATOR_QUERY_PARSER_H_

#include <memory>
#include <string_view>

#include "aggregator/query/ast.h"
#include "common/status.h"

namespace wattline::aggregator {

// Parses `query` as one PromQL expression and checks it as Prometheus does
// before evaluation (a selector needs one matcher that does not match the
// empty string; the metric name may not be given twice; regexes compile).
// Errors: InvalidArgument, its message the full Prometheus error text.
Result<std::unique_ptr<Expr>> ParseExpr(std::string_view query);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_QUERY_PARSER_H_
