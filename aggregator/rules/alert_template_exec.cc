// Executes a parsed alert template as Go 1.19's text/template/exec.go does,
// with Prometheus's option missingkey=zero (a missing label is ""). Errors
// read as Go's, "1:123: executing at <humanize "abc">: error calling
// humanize: ...", where Go also names the template after "executing".
#include <span>
#include <string>
#include <vector>

#include "aggregator/rules/alert_template.h"
#include "aggregator/rules/alert_template_funcs.h"
#include "aggregator/rules/alert_template_node.h"

namespace wattline::aggregator {
namespace {

using alert_template::Command;
using alert_template::Function;
using alert_template::Located;
using alert_template::Operand;
using alert_template::ParamType;
using alert_template::Pipe;
using alert_template::TreeNode;
using alert_template::Value;
using Args = std::span<const std::unique_ptr<Operand>>;

// Execution steps (commands and nodes) one expansion may take: ranges
// nested over the labels multiply, and this bounds them.
constexpr int64_t kMaxSteps = 100'000;

class Executor {
 public:
  Executor(const AlertTemplate::Node& tree, const AlertTemplateData& data)
      : tree_(tree),
        labels_(data.labels != nullptr ? data.labels : &alert_template::NoLabels()),
        external_labels_(data.external_labels != nullptr ? data.external_labels
                                                         : &alert_template::NoLabels()) {
    vars_.push_back({"$", Value::Data(&data)});
    vars_.push_back({"$labels", Value::Map(labels_)});
    vars_.push_back({"$externalLabels", Value::Map(external_labels_)});
    vars_.push_back({"$externalURL", Value::String(data.external_url)});
    vars_.push_back({"$value", Value::Float(data.value)});
  }

  Result<std::string> Run() {
    // A copy: dot must not point into vars_, which grows.
    const Value dot = vars_[0].value;
    WATTLINE_RETURN_IF_ERROR(Walk(dot, tree_.root));
    return std::move(out_);
  }

 private:
  struct Var {
    std::string name;
    Value value;
  };

  // Go's s.errorf: where, what was being evaluated, and why.
  Status Errorf(const std::string& message) const {
    if (at_ == nullptr) return Status::InvalidArgument(message);
    return Status::InvalidArgument(alert_template::ErrorLocation(tree_.text, at_->pos) +
                                   ": executing at <" + alert_template::NodeString(*at_) +
                                   ">: " + message);
  }
  void At(const Located& node) { at_ = &node; }

  Status Step() {
    if (++steps_ > kMaxSteps) {
      return Status::InvalidArgument("template execution exceeds " + std::to_string(kMaxSteps) +
                                     " steps");
    }
    return Status::Ok();
  }

  Status CheckSize(const std::string& text) const {
    if (text.size() > alert_template::kMaxOutputBytes) {
      return Status::InvalidArgument("template output exceeds " +
                                     std::to_string(alert_template::kMaxOutputBytes) + " bytes");
    }
    return Status::Ok();
  }

  Status Walk(const Value& dot, const std::vector<TreeNode>& list) {
    for (const TreeNode& node : list) WATTLINE_RETURN_IF_ERROR(WalkNode(dot, node));
    return Status::Ok();
  }

  Status WalkNode(const Value& dot, const TreeNode& node) {
    WATTLINE_RETURN_IF_ERROR(Step());
    switch (node.kind) {
      case TreeNode::Kind::kText:
        out_ += node.text;
        return CheckSize(out_);
      case TreeNode::Kind::kAction: {
        // Variables declared here live until the enclosing {{end}}, and a
        // declaration prints nothing.
        Result<Value> value = EvalPipeline(dot, *node.pipe);
        if (!value.ok()) return value.status();
        if (node.pipe->decl.empty()) alert_template::AppendValue(*value, &out_);
        return CheckSize(out_);
      }
      case TreeNode::Kind::kIf:
      case TreeNode::Kind::kWith: {
        const size_t mark = vars_.size();
        Result<Value> value = EvalPipeline(dot, *node.pipe);
        if (!value.ok()) return value.status();
        Status status;
        if (alert_template::IsTrue(*value)) {
          status = Walk(node.kind == TreeNode::Kind::kWith ? *value : dot, node.list);
        } else {
          status = Walk(dot, node.else_list);
        }
        vars_.resize(mark);
        return status;
      }
      case TreeNode::Kind::kRange:
        return WalkRange(dot, node);
    }
    return Status::Ok();
  }

  Status WalkRange(const Value& dot, const TreeNode& node) {
    const size_t mark = vars_.size();
    Result<Value> value = EvalPipeline(dot, *node.pipe);
    if (!value.ok()) return value.status();
    const Pipe& pipe = *node.pipe;
    const size_t body_mark = vars_.size();
    bool iterated = false;
    if (value->kind == Value::Kind::kMap) {
      for (const Label& label : *value->map) {  // sorted by name, as Go sorts map keys
        iterated = true;
        const Value element = Value::String(label.value);
        if (!pipe.decl.empty()) {
          // One variable takes the element; with two, the first the key.
          const size_t element_var = pipe.decl.size() > 1 ? 1 : 0;
          WATTLINE_RETURN_IF_ERROR(SetRangeVar(pipe, element_var, element, body_mark));
          if (pipe.decl.size() > 1) {
            WATTLINE_RETURN_IF_ERROR(SetRangeVar(pipe, 0, Value::String(label.name), body_mark));
          }
        }
        const Status status = Walk(element, node.list);
        vars_.resize(body_mark);
        WATTLINE_RETURN_IF_ERROR(status);
      }
    } else if (value->valid()) {
      return Errorf("range can't iterate over " + alert_template::ValueString(*value));
    }
    Status status;
    if (!iterated) status = Walk(dot, node.else_list);
    vars_.resize(mark);
    return status;
  }

  // Sets the range variable pipe.decl[index]: the one the pipeline pushed,
  // or for "range $k, $v = ..." the existing one of that name.
  Status SetRangeVar(const Pipe& pipe, size_t index, const Value& value, size_t body_mark) {
    if (pipe.is_assign) return SetVar(pipe.decl[index], value);
    vars_[body_mark - pipe.decl.size() + index].value = value;
    return Status::Ok();
  }

  Status SetVar(const std::string& name, const Value& value) {
    for (size_t i = vars_.size(); i-- > 0;) {
      if (vars_[i].name == name) {
        vars_[i].value = value;
        return Status::Ok();
      }
    }
    return Errorf("undefined variable: " + name);
  }

  Result<Value> VarValue(const std::string& name) {
    for (size_t i = vars_.size(); i-- > 0;) {
      if (vars_[i].name == name) return vars_[i].value;
    }
    return Errorf("undefined variable: " + name);
  }

  Result<Value> EvalPipeline(const Value& dot, const Pipe& pipe) {
    At(pipe);
    Value value;
    for (size_t i = 0; i < pipe.cmds.size(); ++i) {
      // The previous command's result is this one's last argument.
      Result<Value> result = EvalCommand(dot, *pipe.cmds[i], i == 0 ? nullptr : &value);
      if (!result.ok()) return result.status();
      value = std::move(result).value();
    }
    for (const std::string& name : pipe.decl) {
      if (pipe.is_assign) {
        WATTLINE_RETURN_IF_ERROR(SetVar(name, value));
      } else {
        vars_.push_back({name, value});
      }
    }
    return value;
  }

  // `final` is the previous command's result in a pipeline, or null.
  Result<Value> EvalCommand(const Value& dot, const Command& command, const Value* final) {
    WATTLINE_RETURN_IF_ERROR(Step());
    const Args args = command.args;
    const Operand& first = *args[0];
    switch (first.kind) {
      case Operand::Kind::kField:
        At(first);
        return EvalFieldChain(dot, first.idents, HasArgs(args, final));
      case Operand::Kind::kChain:
        return EvalChain(dot, first, args, final);
      case Operand::Kind::kIdentifier:
        At(first);
        return EvalCall(dot, *first.function, command, args, final);
      case Operand::Kind::kPipe:
        WATTLINE_RETURN_IF_ERROR(NotAFunction(args, final));
        return EvalPipeline(dot, *first.pipe);
      case Operand::Kind::kVariable:
        return EvalVariable(first, args, final);
      default:
        break;
    }
    At(first);
    WATTLINE_RETURN_IF_ERROR(NotAFunction(args, final));
    switch (first.kind) {
      case Operand::Kind::kBool:
        return Value::Bool(first.boolean);
      case Operand::Kind::kDot:
        return dot;
      case Operand::Kind::kNil:
        return Errorf("nil is not a command");
      default:
        return Constant(first);
    }
  }

  Status NotAFunction(Args args, const Value* final) const {
    if (args.size() > 1 || final != nullptr) {
      return Errorf("can't give argument to non-function " + alert_template::NodeString(*args[0]));
    }
    return Status::Ok();
  }

  // A number or string literal: Go's idealConstant for numbers.
  Result<Value> Constant(const Operand& operand) {
    At(operand);
    if (operand.overflows_int) return Errorf(operand.text + " overflows int");
    return operand.constant;
  }

  Result<Value> EvalChain(const Value& dot, const Operand& chain, Args args, const Value* final) {
    At(chain);
    Result<Value> term = EvalArg(dot, nullptr, *chain.term);
    if (!term.ok()) return term.status();
    return EvalFieldChain(*term, chain.idents, HasArgs(args, final));
  }

  Result<Value> EvalVariable(const Operand& variable, Args args, const Value* final) {
    At(variable);
    Result<Value> value = VarValue(variable.idents[0]);
    if (!value.ok()) return value.status();
    if (variable.idents.size() == 1) {
      WATTLINE_RETURN_IF_ERROR(NotAFunction(args, final));
      return value;
    }
    return EvalFieldChain(*value, std::span<const std::string>(variable.idents).subspan(1),
                          HasArgs(args, final));
  }

  // Whether a command passes arguments to its first word.
  static bool HasArgs(Args args, const Value* final) { return args.size() > 1 || final != nullptr; }

  // .a.b.c of `receiver`; only the last may have arguments (an error).
  Result<Value> EvalFieldChain(Value receiver, std::span<const std::string> idents, bool has_args) {
    for (size_t i = 0; i + 1 < idents.size(); ++i) {
      Result<Value> field = EvalField(idents[i], false, receiver);
      if (!field.ok()) return field.status();
      receiver = std::move(field).value();
    }
    return EvalField(idents.back(), has_args, receiver);
  }

  // .name of `receiver`: a field of the data struct or a map key.
  Result<Value> EvalField(const std::string& name, bool has_args, const Value& receiver) {
    switch (receiver.kind) {
      case Value::Kind::kInvalid:
        return Value();  // missingkey=zero
      case Value::Kind::kNil:
        return Errorf("nil pointer evaluating interface {}." + name);
      case Value::Kind::kMap:
        if (has_args) return Errorf(name + " is not a method but has arguments");
        return Value::String(std::string(LabelValue(*receiver.map, name)));
      case Value::Kind::kData: {
        const AlertTemplateData& data = *receiver.data;
        Value field;
        if (name == "Labels") {
          field = Value::Map(labels_);
        } else if (name == "ExternalLabels") {
          field = Value::Map(external_labels_);
        } else if (name == "ExternalURL") {
          field = Value::String(data.external_url);
        } else if (name == "Value") {
          field = Value::Float(data.value);
        } else {
          break;
        }
        if (has_args) return Errorf(name + " has arguments but cannot be invoked as function");
        return field;
      }
      default:
        break;
    }
    return Errorf("can't evaluate field " + name + " in type " +
                  std::string(alert_template::TypeName(receiver)));
  }

  // Go's validateType: whether `value` may be passed as a `type` (null:
  // anything).
  Result<Value> Validate(Result<Value> value, const ParamType* type) {
    if (!value.ok() || type == nullptr) return value;
    switch (*type) {
      case ParamType::kAny:
        return value->valid() ? value : Value::Nil();
      case ParamType::kValue:
        return value;  // an invalid value too, as reflect.Zero(reflect.Value)
      case ParamType::kString:
        if (!value->valid()) return Errorf("invalid value; expected string");
        if (value->kind != Value::Kind::kString) {
          return Errorf("wrong type for value; expected string; got " +
                        std::string(alert_template::TypeName(*value)));
        }
        return value;
    }
    return value;
  }

  // One argument of a function, of parameter type `type`.
  Result<Value> EvalArg(const Value& dot, const ParamType* type, const Operand& arg) {
    At(arg);
    switch (arg.kind) {
      case Operand::Kind::kDot:
        return Validate(dot, type);
      case Operand::Kind::kNil:
        if (type != nullptr && *type == ParamType::kString) {
          return Errorf("cannot assign nil to string");
        }
        // nil for an interface{} is a nil interface; for a reflect.Value,
        // the zero (invalid) Value.
        if (type == nullptr || *type == ParamType::kAny) return Value::Nil();
        return Value();
      case Operand::Kind::kField:
        return Validate(EvalFieldChain(dot, arg.idents, false), type);
      case Operand::Kind::kVariable:
        return Validate(EvalVariable(arg, {}, nullptr), type);
      case Operand::Kind::kPipe:
        return Validate(EvalPipeline(dot, *arg.pipe), type);
      case Operand::Kind::kIdentifier:
        return Validate(EvalCall(dot, *arg.function, arg, {}, nullptr), type);
      case Operand::Kind::kChain:
        return Validate(EvalChain(dot, arg, {}, nullptr), type);
      case Operand::Kind::kBool:
        if (type != nullptr && *type == ParamType::kString) break;
        return Value::Bool(arg.boolean);
      case Operand::Kind::kNumber:
        if (type != nullptr && *type == ParamType::kString) break;
        return Constant(arg);
      case Operand::Kind::kString:
        return arg.constant;
    }
    return Errorf("expected string; found " + alert_template::NodeString(arg));
  }

  // Go's evalCall. `args` are the command's words (the function's name
  // first), or empty; `node` is what "error calling" errors name.
  Result<Value> EvalCall(const Value& dot, const Function& function, const Located& node, Args args,
                         const Value* final) {
    const std::string name(function.name);
    if (!args.empty()) args = args.subspan(1);
    const size_t num_in = args.size() + (final != nullptr ? 1 : 0);
    size_t num_fixed = args.size();
    if (function.variadic) {
      num_fixed = function.fixed_count;
      if (num_in < num_fixed) {
        return Errorf("wrong number of args for " + name + ": want at least " +
                      std::to_string(function.fixed_count) + " got " + std::to_string(args.size()));
      }
    } else if (num_in != function.fixed_count) {
      return Errorf("wrong number of args for " + name + ": want " +
                    std::to_string(function.fixed_count) + " got " + std::to_string(num_in));
    }
    if (function.impl == nullptr) {  // and, or: return the deciding argument
      const bool is_or = name == "or";
      const ParamType type = ParamType::kValue;
      Value value;
      for (const std::unique_ptr<Operand>& arg : args) {
        Result<Value> evaluated = EvalArg(dot, &type, *arg);
        if (!evaluated.ok()) return evaluated;
        if (alert_template::IsTrue(*evaluated) == is_or) return evaluated;
        value = std::move(evaluated).value();
      }
      if (final != nullptr) return Validate(*final, &type);
      return value;
    }
    std::vector<Value> argv;
    argv.reserve(num_in);
    size_t i = 0;
    for (; i < num_fixed && i < args.size(); ++i) {
      Result<Value> arg = EvalArg(dot, &function.fixed[i], *args[i]);
      if (!arg.ok()) return arg.status();
      argv.push_back(std::move(arg).value());
    }
    for (; function.variadic && i < args.size(); ++i) {
      Result<Value> arg = EvalArg(dot, &function.variadic_type, *args[i]);
      if (!arg.ok()) return arg.status();
      argv.push_back(std::move(arg).value());
    }
    if (final != nullptr) {
      // The last parameter, or for a variadic function the one it lands on.
      const size_t index = function.variadic ? num_in - 1 : size_t{function.fixed_count} - 1;
      const ParamType* type =
          index < function.fixed_count ? &function.fixed[index] : &function.variadic_type;
      Result<Value> arg = Validate(*final, type);
      if (!arg.ok()) return arg.status();
      argv.push_back(std::move(arg).value());
    }
    Result<Value> result = function.impl(argv);
    if (!result.ok()) {
      At(node);
      return Errorf("error calling " + name + ": " + result.status().message());
    }
    if (result->is_string()) WATTLINE_RETURN_IF_ERROR(CheckSize(result->text));
    return result;
  }

  const AlertTemplate::Node& tree_;
  const Labels* labels_;
  const Labels* external_labels_;
  std::vector<Var> vars_;
  std::string out_;
  const Located* at_ = nullptr;
  int64_t steps_ = 0;
};

}  // namespace

std::string PrometheusTemplateError(std::string_view name, std::string_view message) {
  // Expand's "LINE:COL: executing at <...>" lacks only the template's name.
  constexpr std::string_view kExecuting = ": executing at ";
  const std::string quoted = "\"" + std::string(name) + "\"";
  std::string located = "template: " + std::string(name) + ": " + std::string(message);
  const size_t at = message.find(kExecuting);
  const std::string_view place = message.substr(0, at == std::string_view::npos ? 0 : at);
  const bool line_col =
      !place.empty() && place.find_first_not_of("0123456789:") == std::string_view::npos;
  if (at != std::string_view::npos && line_col) {
    located = "template: " + std::string(name) + ":" + std::string(place) + ": executing " +
              quoted + " at " + std::string(message.substr(at + kExecuting.size()));
  }
  return "<error expanding template: error executing template " + std::string(name) + ": " +
         located + ">";
}

Result<std::string> AlertTemplate::Expand(const AlertTemplateData& data) const {
  if (root_ == nullptr) return std::string();
  return Executor(*root_, data).Run();
}

}  // namespace wattline::aggregator
