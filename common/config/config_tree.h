// A configuration file as a plain tree. YAML is read by yaml-cpp in
// config_tree.cc only; everything else sees ConfigNode, which remembers where
// each value stood so errors can say "line 7, column 5".
#ifndef WATTLINE_COMMON_CONFIG_CONFIG_TREE_H_
#define WATTLINE_COMMON_CONFIG_CONFIG_TREE_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace wattline {

struct ConfigNode {
  enum class Kind { kNull, kScalar, kList, kMap };

  Kind kind = Kind::kNull;
  std::string scalar;                                       // kScalar
  std::vector<ConfigNode> items;                            // kList
  std::vector<std::pair<std::string, ConfigNode>> entries;  // kMap, in file order
  std::string source;                                       // file name, for messages
  int line = 0;                                             // 1-based; 0 when unknown
  int column = 0;

  // Declared here, defined in the .cc: a struct holding vectors of itself
  // must not have them implicitly defined while it is still incomplete
  // (clang 14 with libstdc++ 12 refuses it).
  ConfigNode();
  ConfigNode(const ConfigNode&);
  ConfigNode(ConfigNode&&) noexcept;
  ConfigNode& operator=(const ConfigNode&);
  ConfigNode& operator=(ConfigNode&&) noexcept;
  ~ConfigNode();

  // The value under `key` in a map, or nullptr.
  const ConfigNode* Find(std::string_view key) const;
  // "FILE:LINE:COLUMN", for error messages.
  std::string Where() const;
};

// Parses YAML text. A syntax error names the line and column.
Result<ConfigNode> ParseYamlConfig(std::string_view text, std::string_view source_name);
// Reads and parses a YAML file; refuses files over 1 MiB. `what` names the
// file in those errors: "cannot read rule file /etc/...".
Result<ConfigNode> LoadYamlConfigFile(const std::string& path, std::string_view what = "config");

}  // namespace wattline

#endif  // WATTLINE_COMMON_CONFIG_CONFIG_TREE_H_
