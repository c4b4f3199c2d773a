// The PromQL parser: query text in, syntax tree (ast.h) out, and the tree
// back to text.
//
// A recursive-descent parser with precedence climbing over the lexer's
// tokens, for the whole grammar of Prometheus 2.42's
// promql/parser/generated_parser.y: number and string literals, parentheses,
// unary + and -, the binary operators with bool, on/ignoring and
// group_left/group_right, aggregations with by/without and their
// parameters, function calls, vector and range selectors, offset (also
// negative), @ <time>/start()/end(), subqueries and comments. Operators bind,
// loosest first: or; and unless; == != < <= > >=; + -; * / % atan2 and a
// leading + or -; ^ (right-associative); then [range], [range:step], offset
// and @ on what precedes them. A leading - on a number literal folds into
// it, as Prometheus does (-1^2 is -(1^2), a unary expression).
//
// Once the syntax is right the tree is checked as parse.go's checkAST checks
// it (types of operands and arguments, argument counts, bool and vector
// matching rules). Errors carry Prometheus's text and position, the first
// error only where Prometheus lists several:
//   power_watts{device$"x"}  1:19: parse error: unexpected character inside braces: '$'
//   {job=~".*"}              1:1: parse error: vector selector must contain at least one
//                            non-empty matcher
//   1 == 1                   1:3: parse error: comparisons between scalars must use BOOL
//                            modifier
//   rate(x)                  1:6: parse error: expected type range vector in call to function
//                            "rate", got instant vector
// Positions are line:column of the first byte at fault, columns counted in
// bytes from 1, as Prometheus counts them.
//
// Deliberate differences from Prometheus 2.42: an @ time whose milliseconds
// do not fit in int64 is refused as out of bounds; ExprToString keeps an
// empty ignoring() before group_left/group_right and an explicit
// __name__="" matcher (2.42 dropped both, changing the meaning).
//
// Thread-safety: both functions are reentrant.
#ifndef WATTLINE_AGGREGATOR_QUERY_PARSER_H_
#define WATTLINE_AGGREGATOR_QUERY_PARSER_H_

#include <memory>
#include <string>
#include <string_view>

#include "aggregator/query/ast.h"
#include "common/status.h"

namespace wattline::aggregator {

// Parses `query` as one PromQL expression and checks it as Prometheus does
// before evaluation. In the tree, a BinaryExpr has `matching` only when both
// sides are instant vectors (and/or/unless then many-to-many unless grouped),
// a Call's function is never null, and offsets and @ of a range selector are
// on its VectorSelector.
// Errors: InvalidArgument, its message the full Prometheus error text.
Result<std::unique_ptr<Expr>> ParseExpr(std::string_view query);

// `expr` written back as Prometheus's String() methods (promql/parser/
// printer.go) write it: binary operators between spaces, `bool`,
// `on (a) group_left (b)`, `sum by (a) (x)`, matchers sorted, durations as
// 1h30m, `@ 1700000000.000`. Parsing the text gives a tree that prints the
// same.
std::string ExprToString(const Expr& expr);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_QUERY_PARSER_H_
