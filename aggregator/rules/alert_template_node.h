// The parse tree of an alert template, shaped as Go's text/template/parse
// tree so that execution, and its error messages, follow Go's. Private to
// aggregator/rules/alert_template*.cc.
//
// Positions are byte offsets in the template's text. Go counts them in the
// text Prometheus parses, which has the $labels/$value definitions
// (kPreambleSize bytes) in front of the template's first line; ErrorLocation
// gives the LINE:COLUMN Prometheus would print.
//
// Thread-safety: a tree is immutable once parsed.
#ifndef WATTLINE_AGGREGATOR_RULES_ALERT_TEMPLATE_NODE_H_
#define WATTLINE_AGGREGATOR_RULES_ALERT_TEMPLATE_NODE_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "aggregator/rules/alert_template.h"
#include "aggregator/rules/alert_template_value.h"

namespace wattline::aggregator::alert_template {

// The length of "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}
// {{$externalURL := .ExternalURL}}{{$value := .Value}}".
inline constexpr size_t kPreambleSize = 112;

struct Function;  // alert_template_funcs.h
struct Pipe;

// What execution errors name: Go's parse.Node that was being evaluated.
struct Located {
  enum class What : uint8_t { kOperand, kCommand, kPipe };
  Located(What what_in, size_t pos_in) : what(what_in), pos(pos_in) {}
  What what;
  size_t pos;
};

// One argument of a command (Go's BoolNode, NumberNode, StringNode, NilNode,
// DotNode, FieldNode, VariableNode, IdentifierNode, PipeNode, ChainNode).
struct Operand : Located {
  enum class Kind : uint8_t {
    kBool,
    kNumber,
    kString,
    kNil,
    kDot,
    kField,       // .A.B: idents {"A", "B"}
    kVariable,    // $x.A: idents {"$x", "A"}
    kIdentifier,  // a function's name
    kPipe,        // ( pipeline )
    kChain,       // (pipeline).A or fn.A: term, then idents {"A"}
  };
  Operand(Kind kind_in, size_t pos_in) : Located(What::kOperand, pos_in), kind(kind_in) {}

  Kind kind;
  bool boolean = false;                // kBool
  std::string text;                    // kNumber, kString (as written); kIdentifier (the name)
  Value constant;                      // kNumber, kString: the value Go's idealConstant gives
  bool overflows_int = false;          // kNumber: a uint64 beyond int's range
  std::vector<std::string> idents;     // kField, kVariable, kChain
  std::unique_ptr<Pipe> pipe;          // kPipe
  std::unique_ptr<Operand> term;       // kChain
  const Function* function = nullptr;  // kIdentifier
};

struct Command : Located {
  explicit Command(size_t pos_in) : Located(What::kCommand, pos_in) {}
  std::vector<std::unique_ptr<Operand>> args;
};

struct Pipe : Located {
  explicit Pipe(size_t pos_in) : Located(What::kPipe, pos_in) {}
  bool is_assign = false;         // $x = ... rather than $x := ...
  std::vector<std::string> decl;  // the variables declared or assigned
  std::vector<std::unique_ptr<Command>> cmds;
};

// Text, an action, or a control structure with its lists.
struct TreeNode {
  enum class Kind : uint8_t { kText, kAction, kIf, kRange, kWith };
  TreeNode(Kind kind_in, size_t pos_in) : kind(kind_in), pos(pos_in) {}
  Kind kind;
  size_t pos;
  std::string text;  // kText
  std::unique_ptr<Pipe> pipe;
  std::vector<TreeNode> list;
  std::vector<TreeNode> else_list;  // if/with/range's {{else}}
};

}  // namespace wattline::aggregator::alert_template

namespace wattline::aggregator {

struct AlertTemplate::Node {
  std::string text;  // the template, for error locations
  std::vector<alert_template::TreeNode> root;
};

}  // namespace wattline::aggregator

namespace wattline::aggregator::alert_template {

// Go's String() of a node, which execution errors quote: `humanize "abc"`,
// `$labels.job`, `(len .)`.
std::string NodeString(const Located& node);

// "LINE:COLUMN" of byte `pos` of `text`, counted as Prometheus counts it
// (COLUMN is a byte offset from 0; on line 1 it includes the definitions in
// front).
std::string ErrorLocation(std::string_view text, size_t pos);

}  // namespace wattline::aggregator::alert_template

#endif  // WATTLINE_AGGREGATOR_RULES_ALERT_TEMPLATE_NODE_H_
