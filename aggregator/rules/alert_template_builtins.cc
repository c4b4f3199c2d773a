// Go's text/template builtins (text/template/funcs.go, Go 1.19): and, or,
// not, len, index, eq, ne, lt, le, gt, ge, print, printf, println, html, js
// and urlquery, with Go's error messages.
#include <string>

#include "aggregator/query/quote.h"
#include "aggregator/rules/alert_template_fmt.h"
#include "aggregator/rules/alert_template_funcs.h"
#include "aggregator/rules/go_unicode.h"

namespace wattline::aggregator::alert_template {
namespace {

using Kind = Value::Kind;

Result<Value> Not(std::vector<Value>& args) { return Value::Bool(!IsTrue(args[0])); }

Result<Value> Len(std::vector<Value>& args) {
  const Value& item = args[0];
  if (item.is_string()) return Value::Int(static_cast<int64_t>(item.text.size()));
  if (item.kind == Kind::kMap) return Value::Int(static_cast<int64_t>(item.map->size()));
  // Go panics asking the invalid value for its type; text/template reports it.
  if (!item.valid())
    return Status::InvalidArgument("reflect: call of reflect.Value.Type on zero Value");
  return Status::InvalidArgument("len of type " + std::string(TypeName(item)));
}

Result<Value> Index(std::vector<Value>& args) {
  Value item = args[0];
  if (!item.valid() || item.kind == Kind::kNil) {
    return Status::InvalidArgument("index of untyped nil");
  }
  for (size_t i = 1; i < args.size(); ++i) {
    const Value& index = args[i];
    if (item.is_string()) {
      if (index.kind != Kind::kInt && index.kind != Kind::kByte) {
        if (!index.valid()) return Status::InvalidArgument("cannot index slice/array with nil");
        return Status::InvalidArgument("cannot index slice/array with type " +
                                       std::string(TypeName(index)));
      }
      const int64_t x = index.integer;
      const auto size = static_cast<int64_t>(item.text.size());
      if (x < 0 || x > size) {
        return Status::InvalidArgument("index out of range: " + std::to_string(x));
      }
      if (x == size) return Status::InvalidArgument("reflect: string index out of range");
      item = Value::Int(static_cast<unsigned char>(item.text[static_cast<size_t>(x)]), Kind::kByte);
    } else if (item.kind == Kind::kMap) {
      if (index.kind != Kind::kString) {
        if (!index.valid())
          return Status::InvalidArgument("value is nil; should be of type string");
        return Status::InvalidArgument("value has type " + std::string(TypeName(index)) +
                                       "; should be string");
      }
      item = Value::String(std::string(LabelValue(*item.map, index.text)));
    } else {
      return Status::InvalidArgument("can't index item of type " + std::string(TypeName(item)));
    }
  }
  return item;
}

// Go's basicKind classes; kOther for the types it cannot compare by value.
// Go's uintKind has one member here, a byte (0..255), which compares with
// ints by value as Go's int/uint mix does: it is an int.
enum class BasicKind { kOther, kBool, kInt, kFloat, kString };

BasicKind BasicKindOf(const Value& value) {
  switch (value.kind) {
    case Kind::kBool:
      return BasicKind::kBool;
    case Kind::kInt:
    case Kind::kByte:
      return BasicKind::kInt;
    case Kind::kFloat:
      return BasicKind::kFloat;
    case Kind::kString:
    case Kind::kHtml:
      return BasicKind::kString;
    default:
      return BasicKind::kOther;
  }
}

const Status& BadComparison() {
  static const Status* const kStatus =
      new Status(Status::InvalidArgument("incompatible types for comparison"));
  return *kStatus;
}

const Status& BadComparisonType() {
  static const Status* const kStatus =
      new Status(Status::InvalidArgument("invalid type for comparison"));
  return *kStatus;
}

// Go 1.19's eq: arg1 == arg2 || arg1 == arg3 || ...
Result<bool> Equal(const std::vector<Value>& args) {
  if (args.size() < 2) return Status::InvalidArgument("missing argument for comparison");
  const Value& arg1 = args[0];
  const BasicKind k1 = BasicKindOf(arg1);
  for (size_t i = 1; i < args.size(); ++i) {
    const Value& arg = args[i];
    const BasicKind k2 = BasicKindOf(arg);
    bool truth = false;
    if (k1 != k2) {
      // Nothing else mixes. (Go lets an invalid value through here, which
      // templates cannot make.)
      if (arg1.valid() && arg.valid()) return BadComparison();
    } else {
      switch (k1) {
        case BasicKind::kBool:
          truth = arg1.boolean == arg.boolean;
          break;
        case BasicKind::kFloat:
          truth = arg1.number == arg.number;
          break;
        case BasicKind::kInt:
          truth = arg1.integer == arg.integer;
          break;
        case BasicKind::kString:
          truth = arg1.text == arg.text;
          break;
        case BasicKind::kOther: {
          if (!arg1.valid() || !arg.valid()) {
            truth = arg1.valid() == arg.valid();
            break;
          }
          // Maps, and the data struct that holds maps, are not comparable.
          const Value shown[] = {arg};
          return Status::InvalidArgument("non-comparable type " + Sprintf("%s", shown) + ": " +
                                         std::string(TypeName(arg)));
        }
      }
    }
    if (truth) return true;
  }
  return false;
}

Result<bool> Less(const Value& arg1, const Value& arg2) {
  const BasicKind k1 = BasicKindOf(arg1);
  const BasicKind k2 = BasicKindOf(arg2);
  if (k1 == BasicKind::kOther || k2 == BasicKind::kOther) return BadComparisonType();
  if (k1 != k2) return BadComparison();
  switch (k1) {
    case BasicKind::kFloat:
      return arg1.number < arg2.number;
    case BasicKind::kInt:
      return arg1.integer < arg2.integer;
    case BasicKind::kString:
      return arg1.text < arg2.text;
    default:
      return BadComparisonType();
  }
}

Result<Value> Eq(std::vector<Value>& args) {
  Result<bool> equal = Equal(args);
  if (!equal.ok()) return equal.status();
  return Value::Bool(*equal);
}

Result<Value> Ne(std::vector<Value>& args) {
  Result<bool> equal = Equal(args);
  if (!equal.ok()) return equal.status();
  return Value::Bool(!*equal);
}

Result<Value> Lt(std::vector<Value>& args) {
  Result<bool> less = Less(args[0], args[1]);
  if (!less.ok()) return less.status();
  return Value::Bool(*less);
}

Result<bool> LessOrEqual(std::vector<Value>& args) {
  Result<bool> less = Less(args[0], args[1]);
  if (!less.ok() || *less) return less;
  return Equal(args);
}

Result<Value> Le(std::vector<Value>& args) {
  Result<bool> result = LessOrEqual(args);
  if (!result.ok()) return result.status();
  return Value::Bool(*result);
}

Result<Value> Gt(std::vector<Value>& args) {
  Result<bool> result = LessOrEqual(args);
  if (!result.ok()) return result.status();
  return Value::Bool(!*result);
}

Result<Value> Ge(std::vector<Value>& args) {
  Result<bool> less = Less(args[0], args[1]);
  if (!less.ok()) return less.status();
  return Value::Bool(!*less);
}

Result<Value> Print(std::vector<Value>& args) { return Value::String(Sprint(args)); }

Result<Value> Println(std::vector<Value>& args) { return Value::String(Sprintln(args)); }

Result<Value> Printf(std::vector<Value>& args) {
  return Value::String(Sprintf(args[0].text, std::span<const Value>(args).subspan(1)));
}

// Go's evalArgs: one string as it is, anything else as fmt.Sprint prints it.
std::string ArgsText(const std::vector<Value>& args) {
  if (args.size() == 1 && args[0].kind == Kind::kString) return args[0].text;
  return Sprint(args);
}

Result<Value> Html(std::vector<Value>& args) {
  std::string out;
  for (char c : ArgsText(args)) {
    switch (c) {
      case '\0':
        out += "\uFFFD";
        break;
      case '"':
        out += "&#34;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
  return Value::String(std::move(out));
}

Result<Value> Js(std::vector<Value>& args) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  const std::string text = ArgsText(args);
  std::string out;
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      switch (c) {
        case '\\':
          out += "\\\\";
          break;
        case '\'':
          out += "\\'";
          break;
        case '"':
          out += "\\\"";
          break;
        case '<':
          out += "\\u003C";
          break;
        case '>':
          out += "\\u003E";
          break;
        case '&':
          out += "\\u0026";
          break;
        case '=':
          out += "\\u003D";
          break;
        default:
          if (c < ' ') {
            out += "\\u00";
            out += kHex[c >> 4];
            out += kHex[c & 0xF];
          } else {
            out += static_cast<char>(c);
          }
      }
      ++i;
      continue;
    }
    size_t width = 1;
    const char32_t r = DecodeRune(text, i, &width);
    if (r == kRuneError || IsUnicodePrint(r)) {
      out.append(text, i, width);  // an invalid byte too, as Go writes it
    } else {
      char escaped[16];
      std::snprintf(escaped, sizeof(escaped), "\\u%04X", static_cast<unsigned>(r));
      out += escaped;
    }
    i += width;
  }
  return Value::String(std::move(out));
}

Result<Value> UrlQuery(std::vector<Value>& args) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : ArgsText(args)) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out += ch;
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return Value::String(std::move(out));
}

constexpr ParamType kV = ParamType::kValue;
constexpr ParamType kA = ParamType::kAny;
constexpr ParamType kS = ParamType::kString;

constexpr Function kBuiltins[] = {
    {"and", {kV}, 1, true, kV, nullptr},     {"or", {kV}, 1, true, kV, nullptr},
    {"not", {kV}, 1, false, kV, Not},        {"len", {kV}, 1, false, kV, Len},
    {"index", {kV}, 1, true, kV, Index},     {"eq", {kV}, 1, true, kV, Eq},
    {"ne", {kV, kV}, 2, false, kV, Ne},      {"lt", {kV, kV}, 2, false, kV, Lt},
    {"le", {kV, kV}, 2, false, kV, Le},      {"gt", {kV, kV}, 2, false, kV, Gt},
    {"ge", {kV, kV}, 2, false, kV, Ge},      {"print", {}, 0, true, kA, Print},
    {"printf", {kS}, 1, true, kA, Printf},   {"println", {}, 0, true, kA, Println},
    {"html", {}, 0, true, kA, Html},         {"js", {}, 0, true, kA, Js},
    {"urlquery", {}, 0, true, kA, UrlQuery},
};

}  // namespace

std::span<const Function> GoBuiltinFunctions() { return kBuiltins; }

}  // namespace wattline::aggregator::alert_template
