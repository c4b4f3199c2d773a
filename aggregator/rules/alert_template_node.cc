#include "aggregator/rules/alert_template_node.h"

#include <string>

namespace wattline::aggregator::alert_template {
namespace {

void AppendPipe(const Pipe& pipe, std::string* out);

void AppendOperand(const Operand& operand, std::string* out) {
  switch (operand.kind) {
    case Operand::Kind::kBool:
      *out += operand.boolean ? "true" : "false";
      return;
    case Operand::Kind::kNumber:
    case Operand::Kind::kString:
    case Operand::Kind::kIdentifier:
      *out += operand.text;
      return;
    case Operand::Kind::kNil:
      *out += "nil";
      return;
    case Operand::Kind::kDot:
      *out += '.';
      return;
    case Operand::Kind::kField:
      for (const std::string& ident : operand.idents) {
        *out += '.';
        *out += ident;
      }
      return;
    case Operand::Kind::kVariable:
      for (size_t i = 0; i < operand.idents.size(); ++i) {
        if (i > 0) *out += '.';
        *out += operand.idents[i];
      }
      return;
    case Operand::Kind::kPipe:
      AppendPipe(*operand.pipe, out);
      return;
    case Operand::Kind::kChain:
      if (operand.term->kind == Operand::Kind::kPipe) {
        *out += '(';
        AppendOperand(*operand.term, out);
        *out += ')';
      } else {
        AppendOperand(*operand.term, out);
      }
      for (const std::string& ident : operand.idents) {
        *out += '.';
        *out += ident;
      }
      return;
  }
}

void AppendCommand(const Command& command, std::string* out) {
  for (size_t i = 0; i < command.args.size(); ++i) {
    if (i > 0) *out += ' ';
    const Operand& arg = *command.args[i];
    if (arg.kind == Operand::Kind::kPipe) {
      *out += '(';
      AppendOperand(arg, out);
      *out += ')';
    } else {
      AppendOperand(arg, out);
    }
  }
}

void AppendPipe(const Pipe& pipe, std::string* out) {
  if (!pipe.decl.empty()) {
    for (size_t i = 0; i < pipe.decl.size(); ++i) {
      if (i > 0) *out += ", ";
      *out += pipe.decl[i];
    }
    *out += " := ";  // for = too, as Go 1.19 prints it
  }
  for (size_t i = 0; i < pipe.cmds.size(); ++i) {
    if (i > 0) *out += " | ";
    AppendCommand(*pipe.cmds[i], out);
  }
}

}  // namespace

std::string NodeString(const Located& node) {
  std::string out;
  switch (node.what) {
    case Located::What::kOperand:
      AppendOperand(static_cast<const Operand&>(node), &out);
      break;
    case Located::What::kCommand:
      AppendCommand(static_cast<const Command&>(node), &out);
      break;
    case Located::What::kPipe:
      AppendPipe(static_cast<const Pipe&>(node), &out);
      break;
  }
  return out;
}

std::string ErrorLocation(std::string_view text, size_t pos) {
  const std::string_view before = text.substr(0, pos);
  size_t line = 1;
  for (char c : before) line += c == '\n' ? 1 : 0;
  const size_t newline = before.rfind('\n');
  const size_t column = newline == std::string_view::npos ? kPreambleSize + pos : pos - newline - 1;
  return std::to_string(line) + ":" + std::to_string(column);
}

}  // namespace wattline::aggregator::alert_template
