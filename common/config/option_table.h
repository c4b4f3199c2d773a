// Options as a table: name, type, default, doc. One table per config section
// reads the section, checks it, and renders --help and the example config, so
// the three never drift apart.
#ifndef WATTLINE_COMMON_CONFIG_OPTION_TABLE_H_
#define WATTLINE_COMMON_CONFIG_OPTION_TABLE_H_

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "common/config/config_tree.h"
#include "common/status.h"

namespace wattline {

enum class OptionType {
  kString,
  kInt,       // a whole number
  kDuration,  // common/duration.h syntax, read as ms
  kBool,      // true/false
};

struct OptionSpec {
  std::string_view key;
  OptionType type;
  // The default in config syntax; ignored when required.
  std::string_view default_value;
  std::string_view doc;  // one line: what it is and why the default
  bool required = false;
};

// The checked values of one section.
class OptionValues {
 public:
  // REQUIRES: `key` is in the table the values were read with, of that type.
  const std::string& String(std::string_view key) const;
  int64_t Int(std::string_view key) const;
  int64_t DurationMs(std::string_view key) const;
  bool Bool(std::string_view key) const;

 private:
  friend Result<OptionValues> ReadOptions(const ConfigNode*, std::span<const OptionSpec>,
                                          std::string_view);
  std::map<std::string, std::variant<std::string, int64_t, bool>, std::less<>> values_;
};

// Reads map `node` (nullptr: the section is absent, so defaults apply) against
// `specs`. Unknown keys, wrong types and missing required keys are errors that
// name the section, the key and where it stands in the file.
Result<OptionValues> ReadOptions(const ConfigNode* node, std::span<const OptionSpec> specs,
                                 std::string_view section);

// The section as commented YAML: "# doc" then "key: default", indented.
std::string RenderOptions(std::span<const OptionSpec> specs, int indent);

}  // namespace wattline

#endif  // WATTLINE_COMMON_CONFIG_OPTION_TABLE_H_
