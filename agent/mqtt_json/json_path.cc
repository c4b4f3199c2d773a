#include "agent/mqtt_json/json_path.h"

#include <charconv>
#include <nlohmann/json.hpp>

namespace wattline::agent {
namespace {

Status SyntaxError(std::string_view text, size_t offset, std::string_view why) {
  return Status::InvalidArgument("path \"" + std::string(text) + "\", at character " +
                                 std::to_string(offset + 1) + ": " + std::string(why));
}

// Indexes beyond this are refused: no device sends such arrays, and it keeps
// the number far from size_t overflow.
constexpr size_t kMaxIndex = 1'000'000;

}  // namespace

Result<JsonPath> JsonPath::Parse(std::string_view text) {
  JsonPath path;
  path.text_ = std::string(text);
  size_t i = 0;
  bool expect_key = true;  // at the start or after '.'
  bool at_start = true;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '[') {
      if (expect_key && !at_start) return SyntaxError(text, i, "expected a key after '.'");
      size_t close = text.find(']', i + 1);
      if (close == std::string_view::npos) return SyntaxError(text, i, "'[' without ']'");
      std::string_view digits = text.substr(i + 1, close - i - 1);
      size_t index = 0;
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
      if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() ||
          index > kMaxIndex) {
        return SyntaxError(text, i + 1, "an index is a decimal number up to 1000000");
      }
      path.steps_.push_back({true, "", index});
      i = close + 1;
      expect_key = false;
    } else if (c == '.') {
      if (expect_key) return SyntaxError(text, i, "empty key");
      expect_key = true;
      ++i;
    } else if (c == ']') {
      return SyntaxError(text, i, "']' without '['");
    } else {
      if (!expect_key) return SyntaxError(text, i, "expected '.' or '[' after an index");
      size_t end = text.find_first_of(".[]", i);
      if (end == std::string_view::npos) end = text.size();
      path.steps_.push_back({false, std::string(text.substr(i, end - i)), 0});
      i = end;
      expect_key = false;
    }
    at_start = false;
  }
  if (expect_key && !at_start) return SyntaxError(text, text.size() - 1, "empty key at the end");
  return path;
}

const nlohmann::json* JsonPath::Find(const nlohmann::json& doc) const {
  const nlohmann::json* node = &doc;
  for (const Step& step : steps_) {
    if (step.is_index) {
      if (!node->is_array() || step.index >= node->size()) return nullptr;
      node = &(*node)[step.index];
    } else {
      if (!node->is_object()) return nullptr;
      auto it = node->find(step.key);
      if (it == node->end()) return nullptr;
      node = &*it;
    }
  }
  return node;
}

}  // namespace wattline::agent
