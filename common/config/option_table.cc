#include "common/config/option_table.h"

#include <charconv>

#include "common/duration.h"

namespace wattline {
namespace {

Result<std::variant<std::string, int64_t, bool>> Convert(const OptionSpec& spec,
                                                         const std::string& text) {
  switch (spec.type) {
    case OptionType::kString: return std::variant<std::string, int64_t, bool>(text);
    case OptionType::kInt: {
      int64_t value = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (ec != std::errc() || end != text.data() + text.size()) {
        return Status::InvalidArgument("expected a whole number, got \"" + text + "\"");
      }
      return std::variant<std::string, int64_t, bool>(value);
    }
    case OptionType::kDuration: {
      Result<int64_t> ms = ParseDurationMs(text);
      if (!ms.ok()) return ms.status();
      return std::variant<std::string, int64_t, bool>(*ms);
    }
    case OptionType::kBool:
      if (text == "true") return std::variant<std::string, int64_t, bool>(true);
      if (text == "false") return std::variant<std::string, int64_t, bool>(false);
      return Status::InvalidArgument("expected true or false, got \"" + text + "\"");
  }
  return Status::Internal("unknown option type");
}

}  // namespace

const std::string& OptionValues::String(std::string_view key) const {
  return std::get<std::string>(values_.find(key)->second);
}
int64_t OptionValues::Int(std::string_view key) const {
  return std::get<int64_t>(values_.find(key)->second);
}
int64_t OptionValues::DurationMs(std::string_view key) const { return Int(key); }
bool OptionValues::Bool(std::string_view key) const {
  return std::get<bool>(values_.find(key)->second);
}

Result<OptionValues> ReadOptions(const ConfigNode* node, std::span<const OptionSpec> specs,
                                 std::string_view section) {
  std::string prefix = section.empty() ? "" : std::string(section) + ".";
  if (node != nullptr && node->kind != ConfigNode::Kind::kMap &&
      node->kind != ConfigNode::Kind::kNull) {
    return Status::InvalidArgument(node->Where() + ": " + std::string(section) +
                                   " must be a mapping of options");
  }
  if (node != nullptr) {
    for (const auto& [key, value] : node->entries) {
      bool known = false;
      for (const OptionSpec& spec : specs) known = known || spec.key == key;
      if (!known) {
        return Status::InvalidArgument(value.Where() + ": unknown option " + prefix + key);
      }
    }
  }
  OptionValues values;
  for (const OptionSpec& spec : specs) {
    const ConfigNode* value = node != nullptr ? node->Find(spec.key) : nullptr;
    std::string text;
    std::string where = node != nullptr ? node->Where() : std::string(section);
    if (value == nullptr || value->kind == ConfigNode::Kind::kNull) {
      if (spec.required) {
        return Status::InvalidArgument(where + ": missing required option " + prefix +
                                       std::string(spec.key));
      }
      text = spec.default_value;
    } else if (value->kind != ConfigNode::Kind::kScalar) {
      return Status::InvalidArgument(value->Where() + ": " + prefix + std::string(spec.key) +
                                     " must be a single value");
    } else {
      text = value->scalar;
      where = value->Where();
    }
    auto converted = Convert(spec, text);
    if (!converted.ok()) {
      return converted.status().WithContext(where + ": " + prefix + std::string(spec.key));
    }
    values.values_.emplace(std::string(spec.key), std::move(*converted));
  }
  return values;
}

std::string RenderOptions(std::span<const OptionSpec> specs, int indent) {
  std::string pad(static_cast<size_t>(indent), ' ');
  std::string out;
  for (const OptionSpec& spec : specs) {
    out += pad + "# " + std::string(spec.doc) + (spec.required ? " (required)" : "") + "\n";
    out += pad + std::string(spec.key) + ": " + std::string(spec.default_value) + "\n";
  }
  return out;
}

}  // namespace wattline
