#include "common/config/config_tree.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>

namespace wattline {

ConfigNode::ConfigNode() = default;
ConfigNode::ConfigNode(const ConfigNode&) = default;
ConfigNode::ConfigNode(ConfigNode&&) noexcept = default;
ConfigNode& ConfigNode::operator=(const ConfigNode&) = default;
ConfigNode& ConfigNode::operator=(ConfigNode&&) noexcept = default;
ConfigNode::~ConfigNode() = default;
namespace {

constexpr std::streamoff kMaxConfigBytes = 1 << 20;

ConfigNode Convert(const YAML::Node& node, const std::string& source) {
  ConfigNode out;
  out.source = source;
  out.line = node.Mark().line + 1;
  out.column = node.Mark().column + 1;
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      out.kind = ConfigNode::Kind::kScalar;
      out.scalar = node.Scalar();
      break;
    case YAML::NodeType::Sequence:
      out.kind = ConfigNode::Kind::kList;
      for (const YAML::Node& item : node) out.items.push_back(Convert(item, source));
      break;
    case YAML::NodeType::Map:
      out.kind = ConfigNode::Kind::kMap;
      for (const auto& entry : node) {
        out.entries.emplace_back(entry.first.Scalar(), Convert(entry.second, source));
      }
      break;
    default:
      out.kind = ConfigNode::Kind::kNull;
  }
  return out;
}

}  // namespace

const ConfigNode* ConfigNode::Find(std::string_view key) const {
  for (const auto& [name, value] : entries) {
    if (name == key) return &value;
  }
  return nullptr;
}

std::string ConfigNode::Where() const {
  return source + ":" + std::to_string(line) + ":" + std::to_string(column);
}

Result<ConfigNode> ParseYamlConfig(std::string_view text, std::string_view source_name) {
  std::string source(source_name);
  try {
    // yaml-cpp reports errors by exception; they stop here.
    YAML::Node root = YAML::Load(std::string(text));
    ConfigNode tree = Convert(root, source);
    if (tree.kind == ConfigNode::Kind::kNull) tree.kind = ConfigNode::Kind::kMap;
    if (tree.kind != ConfigNode::Kind::kMap) {
      return Status::InvalidArgument(tree.Where() + ": the configuration must be a mapping");
    }
    return tree;
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(source + ":" + std::to_string(e.mark.line + 1) + ":" +
                                   std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
}

Result<ConfigNode> LoadYamlConfigFile(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return Status::NotFound("cannot read " + std::string(what) + " " + path);
  if (in.tellg() > kMaxConfigBytes) {
    return Status::InvalidArgument(std::string(what) + " " + path + " is over 1 MiB");
  }
  in.seekg(0);
  std::ostringstream text;
  text << in.rdbuf();
  return ParseYamlConfig(text.str(), path);
}

}  // namespace wattline
