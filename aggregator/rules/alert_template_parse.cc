// The alert template parser: Go 1.19's text/template/parse/parse.go, with
// its error messages, for the parts alert_template.h lists. Prometheus
// parses each template behind its $labels/$value definitions, so those
// variables (and $) are defined from the start.
#include <algorithm>
#include <memory>
#include <string>
#include <utility>

#include "aggregator/query/quote.h"
#include "aggregator/rules/alert_template.h"
#include "aggregator/rules/alert_template_funcs.h"
#include "aggregator/rules/alert_template_lex.h"
#include "aggregator/rules/alert_template_node.h"
#include "aggregator/rules/go_strconv.h"

namespace wattline::aggregator {
namespace {

using alert_template::Command;
using alert_template::FindFunction;
using alert_template::IsRefusedFunction;
using alert_template::NodeString;
using alert_template::Operand;
using alert_template::Pipe;
using alert_template::TemplateToken;
using alert_template::TokenString;
using alert_template::TreeNode;
using alert_template::Value;
using Type = TemplateToken::Type;

// Deeper nesting of blocks and parentheses is refused, so that neither
// parsing nor execution recurses without bound.
constexpr int kMaxDepth = 100;

constexpr std::string_view kNotSupported = " is not supported by Wattline's alert templates";

// What itemList stops at, or a node.
struct Item {
  enum class Kind : uint8_t { kNode, kEnd, kElse, kFailed };
  Kind kind;
  std::unique_ptr<TreeNode> node;
};

class Parser {
 public:
  explicit Parser(std::string_view text) : tokens_(alert_template::LexTemplate(text)) {}

  Result<std::vector<TreeNode>> Parse() {
    std::vector<TreeNode> root;
    while (Peek().type != Type::kEof && ok()) {
      if (Peek().type == Type::kLeftDelim) {
        const size_t delim = pos_;
        Next();
        if (NextNonSpace().type == Type::kDefine) {
          Errorf("{{define}}" + std::string(kNotSupported));
          break;
        }
        pos_ = delim;
      }
      Item item = TextOrAction();
      if (item.kind == Item::Kind::kEnd || item.kind == Item::Kind::kElse) {
        Errorf(item.kind == Item::Kind::kEnd ? "unexpected {{end}}" : "unexpected {{else}}");
      } else if (item.kind == Item::Kind::kNode) {
        root.push_back(std::move(*item.node));
      }
    }
    if (!ok()) return error_;
    return root;
  }

 private:
  bool ok() const { return error_.ok(); }

  // Go's t.errorf: the line is that of the latest token read.
  void Errorf(const std::string& message) {
    if (!ok()) return;
    const int line = tokens_[std::min(furthest_, tokens_.size() - 1)].line;
    error_ = Status::InvalidArgument(std::to_string(line) + ": " + message);
  }

  const TemplateToken& Next() {
    const size_t index = std::min(pos_, tokens_.size() - 1);
    furthest_ = std::max(furthest_, index);
    ++pos_;
    return tokens_[index];
  }
  void Backup() { --pos_; }
  const TemplateToken& Peek() {
    const TemplateToken& token = Next();
    Backup();
    return token;
  }
  const TemplateToken& NextNonSpace() {
    for (;;) {
      const TemplateToken& token = Next();
      if (token.type != Type::kSpace) return token;
    }
  }
  const TemplateToken& PeekNonSpace() {
    const TemplateToken& token = NextNonSpace();
    Backup();
    return token;
  }

  void Unexpected(const TemplateToken& token, std::string_view context) {
    if (token.type == Type::kError) {
      std::string extra;
      if (action_line_ != 0 && action_line_ != token.line) {
        // Go names the template here; its name is the caller's.
        extra = " in action started at line " + std::to_string(action_line_);
        if (token.text.ends_with(" action")) extra = extra.substr(std::string(" in action").size());
      }
      Errorf(token.text + extra);
      return;
    }
    Errorf("unexpected " + TokenString(token) + " in " + std::string(context));
  }

  bool Expect(Type type, std::string_view context) {
    const TemplateToken& token = NextNonSpace();
    if (token.type != type) Unexpected(token, context);
    return ok();
  }

  bool Enter() {
    if (++depth_ > kMaxDepth) {
      Errorf("max expression depth exceeded (" + std::to_string(kMaxDepth) +
             " nested blocks or parentheses)");
    }
    return ok();
  }

  Item Failed() { return {Item::Kind::kFailed, nullptr}; }

  // Nodes up to an {{end}} or {{else}}, which *stop says.
  std::vector<TreeNode> ItemList(Item::Kind* stop) {
    std::vector<TreeNode> list;
    while (PeekNonSpace().type != Type::kEof && ok()) {
      Item item = TextOrAction();
      if (item.kind != Item::Kind::kNode) {
        *stop = item.kind;
        return list;
      }
      list.push_back(std::move(*item.node));
    }
    Errorf("unexpected EOF");
    *stop = Item::Kind::kFailed;
    return list;
  }

  Item TextOrAction() {
    const TemplateToken& token = NextNonSpace();
    if (token.type == Type::kText) {
      auto node = std::make_unique<TreeNode>(TreeNode::Kind::kText, token.pos);
      node->text = token.text;
      return {Item::Kind::kNode, std::move(node)};
    }
    if (token.type == Type::kLeftDelim) {
      action_line_ = token.line;
      Item item = Action();
      action_line_ = 0;
      return item;
    }
    Unexpected(token, "input");
    return Failed();
  }

  Item Action() {
    const TemplateToken& token = NextNonSpace();
    switch (token.type) {
      case Type::kBlock:
      case Type::kTemplate:
      case Type::kDefine:
      case Type::kBreak:
      case Type::kContinue:
        Errorf("{{" + token.text + "}}" + std::string(kNotSupported));
        return Failed();
      case Type::kElse:
        // {{else if ...}} leaves the "if" for the control that reads it.
        if (PeekNonSpace().type != Type::kIf && !Expect(Type::kRightDelim, "else")) return Failed();
        return {Item::Kind::kElse, nullptr};
      case Type::kEnd:
        if (!Expect(Type::kRightDelim, "end")) return Failed();
        return {Item::Kind::kEnd, nullptr};
      case Type::kIf:
        return Control(TreeNode::Kind::kIf, "if");
      case Type::kRange:
        return Control(TreeNode::Kind::kRange, "range");
      case Type::kWith:
        return Control(TreeNode::Kind::kWith, "with");
      default:
        break;
    }
    Backup();
    auto node = std::make_unique<TreeNode>(TreeNode::Kind::kAction, Peek().pos);
    // Variables declared here live until the enclosing {{end}}.
    node->pipe = ParsePipeline("command", Type::kRightDelim);
    if (!ok()) return Failed();
    return {Item::Kind::kNode, std::move(node)};
  }

  // Go's parseControl: if, range and with, with their else lists.
  Item Control(TreeNode::Kind kind, std::string_view context) {
    if (!Enter()) return Failed();
    const size_t vars = vars_.size();
    std::unique_ptr<Pipe> pipe = ParsePipeline(context, Type::kRightDelim);
    if (!ok()) return Failed();
    auto node = std::make_unique<TreeNode>(kind, pipe->pos);
    node->pipe = std::move(pipe);
    Item::Kind stop = Item::Kind::kFailed;
    node->list = ItemList(&stop);
    if (stop == Item::Kind::kElse) {
      if (kind == TreeNode::Kind::kIf && Peek().type == Type::kIf) {
        // {{else if b}} is {{else}}{{if b}}...{{end}}: one {{end}} closes both.
        Next();
        Item nested = Control(TreeNode::Kind::kIf, "if");
        if (nested.kind == Item::Kind::kNode) node->else_list.push_back(std::move(*nested.node));
      } else {
        node->else_list = ItemList(&stop);
        if (stop == Item::Kind::kElse) Errorf("expected end; found {{else}}");
      }
    }
    vars_.resize(vars);
    --depth_;
    if (!ok()) return Failed();
    return {Item::Kind::kNode, std::move(node)};
  }

  std::unique_ptr<Pipe> ParsePipeline(std::string_view context, Type end) {
    auto pipe = std::make_unique<Pipe>(PeekNonSpace().pos);
    // Declarations or assignments: "$x :=", "$x =", or range's "$k, $v :=".
    for (bool more = true; more && PeekNonSpace().type == Type::kVariable;) {
      more = false;
      const size_t at = pos_;
      const TemplateToken& variable = Next();
      const TemplateToken& next = PeekNonSpace();
      if (next.type == Type::kAssign || next.type == Type::kDeclare) {
        pipe->is_assign = next.type == Type::kAssign;
        NextNonSpace();
        pipe->decl.push_back(variable.text);
        vars_.push_back(variable.text);
      } else if (next.type == Type::kChar && next.text == ",") {
        NextNonSpace();
        pipe->decl.push_back(variable.text);
        vars_.push_back(variable.text);
        if (context == "range" && pipe->decl.size() < 2) {
          const Type following = PeekNonSpace().type;
          if (following == Type::kVariable || following == Type::kRightDelim ||
              following == Type::kRightParen) {
            more = true;  // the second variable of a range
            continue;
          }
          Errorf("range can only initialize variables");
          return nullptr;
        }
        Errorf("too many declarations in " + std::string(context));
        return nullptr;
      } else {
        pos_ = at;  // "$x foo" or "$x}}": $x is an argument
      }
    }
    for (;;) {
      const TemplateToken& token = NextNonSpace();
      if (token.type == end) break;
      switch (token.type) {
        case Type::kBool:
        case Type::kCharConstant:
        case Type::kComplex:
        case Type::kDot:
        case Type::kField:
        case Type::kIdentifier:
        case Type::kNumber:
        case Type::kNil:
        case Type::kRawString:
        case Type::kString:
        case Type::kVariable:
        case Type::kLeftParen: {
          Backup();
          std::unique_ptr<Command> command = ParseCommand();
          if (!ok()) return nullptr;
          pipe->cmds.push_back(std::move(command));
          continue;
        }
        default:
          Unexpected(token, context);
          return nullptr;
      }
    }
    if (pipe->cmds.empty()) {
      Errorf("missing value for " + std::string(context));
      return nullptr;
    }
    // Only the first command may start with a constant.
    for (size_t i = 1; i < pipe->cmds.size(); ++i) {
      switch (pipe->cmds[i]->args[0]->kind) {
        case Operand::Kind::kBool:
        case Operand::Kind::kDot:
        case Operand::Kind::kNil:
        case Operand::Kind::kNumber:
        case Operand::Kind::kString:
          Errorf("non executable command in pipeline stage " + std::to_string(i + 1));
          return nullptr;
        default:
          break;
      }
    }
    return pipe;
  }

  std::unique_ptr<Command> ParseCommand() {
    auto command = std::make_unique<Command>(PeekNonSpace().pos);
    for (;;) {
      PeekNonSpace();
      std::unique_ptr<Operand> operand = ParseOperand();
      if (!ok()) return nullptr;
      if (operand != nullptr) command->args.push_back(std::move(operand));
      const TemplateToken& token = Next();
      if (token.type == Type::kSpace) continue;
      if (token.type == Type::kRightDelim || token.type == Type::kRightParen) {
        Backup();
      } else if (token.type != Type::kPipe) {
        Unexpected(token, "operand");
        return nullptr;
      }
      break;
    }
    if (command->args.empty()) {
      Errorf("empty command");
      return nullptr;
    }
    return command;
  }

  std::unique_ptr<Operand> ParseOperand() {
    std::unique_ptr<Operand> term = ParseTerm();
    if (term == nullptr || Peek().type != Type::kField) return term;
    const size_t pos = Peek().pos;
    std::vector<std::string> fields;
    while (Peek().type == Type::kField) fields.push_back(Next().text.substr(1));
    switch (term->kind) {
      case Operand::Kind::kField:
      case Operand::Kind::kVariable: {
        // More fields on the same node, which takes the chain's position.
        term->pos = pos;
        term->idents.insert(term->idents.end(), fields.begin(), fields.end());
        return term;
      }
      case Operand::Kind::kBool:
      case Operand::Kind::kString:
      case Operand::Kind::kNumber:
      case Operand::Kind::kNil:
      case Operand::Kind::kDot:
        Errorf("unexpected . after term " + Quote(NodeString(*term)));
        return nullptr;
      default: {
        auto chain = std::make_unique<Operand>(Operand::Kind::kChain, pos);
        chain->term = std::move(term);
        chain->idents = std::move(fields);
        return chain;
      }
    }
  }

  std::unique_ptr<Operand> ParseTerm() {
    const TemplateToken& token = NextNonSpace();
    switch (token.type) {
      case Type::kIdentifier: {
        if (IsRefusedFunction(token.text)) {
          Errorf("function " + Quote(token.text) + std::string(kNotSupported));
          return nullptr;
        }
        const alert_template::Function* function = FindFunction(token.text);
        if (function == nullptr) {
          Errorf("function " + Quote(token.text) + " not defined");
          return nullptr;
        }
        auto operand = std::make_unique<Operand>(Operand::Kind::kIdentifier, token.pos);
        operand->text = token.text;
        operand->function = function;
        return operand;
      }
      case Type::kDot:
        return std::make_unique<Operand>(Operand::Kind::kDot, token.pos);
      case Type::kNil:
        return std::make_unique<Operand>(Operand::Kind::kNil, token.pos);
      case Type::kVariable: {
        if (std::find(vars_.begin(), vars_.end(), token.text) == vars_.end()) {
          Errorf("undefined variable " + Quote(token.text));
          return nullptr;
        }
        auto operand = std::make_unique<Operand>(Operand::Kind::kVariable, token.pos);
        operand->idents.push_back(token.text);
        return operand;
      }
      case Type::kField: {
        auto operand = std::make_unique<Operand>(Operand::Kind::kField, token.pos);
        operand->idents.push_back(token.text.substr(1));
        return operand;
      }
      case Type::kBool: {
        auto operand = std::make_unique<Operand>(Operand::Kind::kBool, token.pos);
        operand->boolean = token.text == "true";
        return operand;
      }
      case Type::kCharConstant:
      case Type::kComplex:
      case Type::kNumber:
        return ParseNumber(token);
      case Type::kLeftParen: {
        if (!Enter()) return nullptr;
        auto operand = std::make_unique<Operand>(Operand::Kind::kPipe, token.pos);
        operand->pipe = ParsePipeline("parenthesized pipeline", Type::kRightParen);
        --depth_;
        if (!ok()) return nullptr;
        return operand;
      }
      case Type::kString:
      case Type::kRawString: {
        auto operand = std::make_unique<Operand>(Operand::Kind::kString, token.pos);
        operand->text = token.text;
        if (token.type == Type::kRawString) {
          std::string raw = token.text.substr(1, token.text.size() - 2);
          std::erase(raw, '\r');  // as strconv.Unquote does
          operand->constant = Value::String(std::move(raw));
        } else {
          Result<std::string> unquoted = Unquote(token.text);
          if (!unquoted.ok()) {
            Errorf("invalid syntax");
            return nullptr;
          }
          operand->constant = Value::String(std::move(unquoted).value());
        }
        return operand;
      }
      default:
        Backup();
        return nullptr;
    }
  }

  // Go's newNumber, and the constant idealConstant makes of it at run time:
  // an int, unless the literal has a '.', an exponent or a 'p' (a float).
  std::unique_ptr<Operand> ParseNumber(const TemplateToken& token) {
    const std::string& text = token.text;
    auto operand = std::make_unique<Operand>(Operand::Kind::kNumber, token.pos);
    operand->text = text;
    if (token.type == Type::kCharConstant) {
      Result<std::string> unquoted = Unquote(text);
      if (!unquoted.ok() || unquoted->empty()) {
        Errorf("invalid syntax");
        return nullptr;
      }
      size_t width = 1;
      const char32_t rune = DecodeRune(*unquoted, 0, &width);
      if (width != unquoted->size()) {
        Errorf("malformed character constant: " + text);
        return nullptr;
      }
      // A \x escape gives a byte, not a rune.
      operand->constant =
          Value::Int(unquoted->size() == 1 ? static_cast<unsigned char>((*unquoted)[0]) : rune);
      return operand;
    }
    if (token.type == Type::kComplex ||
        (text.ends_with("i") &&
         alert_template::ParseFloat(std::string_view(text).substr(0, text.size() - 1)).ok())) {
      Errorf("complex number " + text + std::string(kNotSupported));
      return nullptr;
    }
    uint64_t u = 0;
    int64_t i = 0;
    const bool is_uint = alert_template::ParseUint0(text, &u);
    const bool is_int = alert_template::ParseInt0(text, &i);
    bool is_float = is_int || is_uint;
    double f = is_int ? static_cast<double>(i) : static_cast<double>(u);
    if (!is_float) {
      Result<double> parsed = alert_template::ParseFloat(text);
      if (parsed.ok()) {
        if (text.find_first_of(".eEpP") == std::string::npos) {
          Errorf("integer overflow: " + Quote(text));
          return nullptr;
        }
        is_float = true;
        f = *parsed;
      }
    }
    if (!is_int && !is_uint && !is_float) {
      Errorf("illegal number syntax: " + Quote(text));
      return nullptr;
    }
    const bool hex_int = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X') &&
                         text.find_first_of("pP") == std::string::npos;
    if (is_float && !hex_int && text.find_first_of(".eEpP") != std::string::npos) {
      operand->constant = Value::Float(f);
    } else if (is_int) {
      operand->constant = Value::Int(i);
    } else {
      operand->overflows_int = true;  // a uint64 beyond int: an error when executed, as in Go
    }
    return operand;
  }

  std::vector<TemplateToken> tokens_;
  size_t pos_ = 0;
  size_t furthest_ = 0;
  int action_line_ = 0;
  int depth_ = 0;
  std::vector<std::string> vars_ = {"$", "$labels", "$externalLabels", "$externalURL", "$value"};
  Status error_;
};

}  // namespace

Result<AlertTemplate> ParseAlertTemplate(std::string_view text) {
  Result<std::vector<alert_template::TreeNode>> root = Parser(text).Parse();
  if (!root.ok()) return root.status();
  auto node = std::make_shared<AlertTemplate::Node>();
  node->text = std::string(text);
  node->root = std::move(root).value();
  AlertTemplate result;
  result.root_ = std::move(node);
  return result;
}

}  // namespace wattline::aggregator
