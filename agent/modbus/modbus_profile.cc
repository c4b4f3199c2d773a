#include "agent/modbus/modbus_profile.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "common/config/config_tree.h"

namespace wattline::agent::modbus {
namespace {

constexpr std::streamoff kMaxProfileBytes = 1 << 20;

// Labels a profile may not set: the source sets device, the aggregator agent,
// and names starting with __ are Prometheus's own.
bool IsReservedLabel(std::string_view name) {
  return name == "device" || name == "agent" || name.starts_with("__");
}

Status Error(const ConfigNode& node, std::string_view path, std::string_view what) {
  return Status::InvalidArgument(node.Where() + ": " + std::string(path) + ": " +
                                 std::string(what));
}

Result<std::string> Scalar(const ConfigNode& node, std::string_view path) {
  if (node.kind != ConfigNode::Kind::kScalar) return Error(node, path, "must be a single value");
  return node.scalar;
}

// A whole number, decimal or 0x hex, in [min, max].
Result<int64_t> Integer(const ConfigNode& node, std::string_view path, int64_t min, int64_t max) {
  Result<std::string> text = Scalar(node, path);
  if (!text.ok()) return text.status();
  const std::string& s = *text;
  int64_t value = 0;
  std::from_chars_result parsed{};
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    parsed = std::from_chars(s.data() + 2, s.data() + s.size(), value, 16);
  } else {
    parsed = std::from_chars(s.data(), s.data() + s.size(), value);
  }
  if (parsed.ec != std::errc() || parsed.ptr != s.data() + s.size() || s.empty()) {
    return Error(node, path, "expected a whole number, got \"" + s + "\"");
  }
  if (value < min || value > max) {
    return Error(
        node, path,
        std::to_string(value) + " is outside " + std::to_string(min) + "-" + std::to_string(max));
  }
  return value;
}

// An unsigned raw value of up to 64 bits, decimal or 0x hex.
Result<uint64_t> RawValue(const ConfigNode& node, std::string_view path) {
  Result<std::string> text = Scalar(node, path);
  if (!text.ok()) return text.status();
  const std::string& s = *text;
  uint64_t value = 0;
  std::from_chars_result parsed{};
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    parsed = std::from_chars(s.data() + 2, s.data() + s.size(), value, 16);
  } else {
    parsed = std::from_chars(s.data(), s.data() + s.size(), value);
  }
  if (parsed.ec != std::errc() || parsed.ptr != s.data() + s.size() || s.empty()) {
    return Error(node, path,
                 "expected a raw register value (decimal or 0x hex), got \"" + s + "\"");
  }
  return value;
}

Result<double> Number(const ConfigNode& node, std::string_view path) {
  Result<std::string> text = Scalar(node, path);
  if (!text.ok()) return text.status();
  const std::string& s = *text;
  double value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size() || s.empty() || !std::isfinite(value)) {
    return Error(node, path, "expected a finite number, got \"" + s + "\"");
  }
  return value;
}

Result<bool> Bool(const ConfigNode& node, std::string_view path) {
  Result<std::string> text = Scalar(node, path);
  if (!text.ok()) return text.status();
  if (*text == "true") return true;
  if (*text == "false") return false;
  return Error(node, path, "expected true or false, got \"" + *text + "\"");
}

Result<RegisterTable> Table(const ConfigNode& node, std::string_view path) {
  Result<std::string> text = Scalar(node, path);
  if (!text.ok()) return text.status();
  std::optional<RegisterTable> table = ParseRegisterTable(*text);
  if (!table) {
    return Error(node, path,
                 "unknown table \"" + *text + "\" (coil, discrete_input, input or holding)");
  }
  return *table;
}

Result<ValueType> Type(const ConfigNode& node, std::string_view path) {
  Result<std::string> text = Scalar(node, path);
  if (!text.ok()) return text.status();
  std::optional<ValueType> type = ParseValueType(*text);
  if (!type) {
    return Error(node, path,
                 "unknown type \"" + *text +
                     "\" (bool, int16, uint16, int32, uint32, int64, uint64, float32, float64, "
                     "acc16, acc32, acc64)");
  }
  return *type;
}

Result<WordOrder> Order(const ConfigNode& node, std::string_view path) {
  Result<std::string> text = Scalar(node, path);
  if (!text.ok()) return text.status();
  std::optional<WordOrder> order = ParseWordOrder(*text);
  if (!order) {
    return Error(node, path, "unknown word order \"" + *text + "\" (ABCD, CDAB, BADC or DCBA)");
  }
  return *order;
}

// Profile-wide defaults for the fields.
struct Defaults {
  std::optional<RegisterTable> table;
  ValueType type = ValueType::kFloat32;
  WordOrder order = WordOrder::kABCD;
};

Status ReadSunSpec(const ConfigNode& node, SunSpecOptions* out) {
  if (node.kind != ConfigNode::Kind::kMap) return Error(node, "sunspec", "must be a mapping");
  bool has_model = false;
  for (const auto& [key, value] : node.entries) {
    const std::string path = "sunspec." + key;
    if (key == "model") {
      Result<int64_t> model = Integer(value, path, 1, 0xFFFE);
      if (!model.ok()) return model.status();
      out->model = static_cast<uint16_t>(*model);
      has_model = true;
    } else if (key == "bases") {
      if (value.kind != ConfigNode::Kind::kList || value.items.empty() || value.items.size() > 8) {
        return Error(value, path, "must be a list of 1-8 wire addresses");
      }
      out->bases.clear();
      for (const ConfigNode& item : value.items) {
        Result<int64_t> base = Integer(item, path, 0, 0xFFFF);
        if (!base.ok()) return base.status();
        out->bases.push_back(static_cast<uint16_t>(*base));
      }
    } else {
      return Error(value, path, "unknown key");
    }
  }
  if (!has_model) return Error(node, "sunspec.model", "missing");
  return Status::Ok();
}

Status ReadLabels(const ConfigNode& node, std::string_view path, Labels* out) {
  if (node.kind != ConfigNode::Kind::kMap) {
    return Error(node, path, "must be a mapping of label names to values");
  }
  for (const auto& [key, value] : node.entries) {
    const std::string label_path = std::string(path) + "." + key;
    if (!IsValidLabelName(key)) return Error(value, label_path, "not a valid label name");
    if (IsReservedLabel(key)) {
      return Error(value, label_path, "reserved: the agent sets device, agent and __ labels");
    }
    Result<std::string> text = Scalar(value, label_path);
    if (!text.ok()) return text.status();
    if (text->empty()) return Error(value, label_path, "must not be empty");
    for (const Label& existing : *out) {
      if (existing.name == key) return Error(value, label_path, "repeated");
    }
    out->push_back({key, *text});
  }
  std::sort(out->begin(), out->end(),
            [](const Label& a, const Label& b) { return a.name < b.name; });
  return Status::Ok();
}

Status ReadField(const ConfigNode& node, const std::string& path, const Defaults& defaults,
                 bool sunspec, ProfileField* field) {
  if (node.kind != ConfigNode::Kind::kMap) return Error(node, path, "must be a mapping");
  field->where = node.Where();
  field->type = defaults.type;
  field->order = defaults.order;
  std::optional<RegisterTable> table = defaults.table;
  std::optional<RegisterTable> implied;
  const ConfigNode* table_node = nullptr;
  const ConfigNode* address_node = nullptr;
  const ConfigNode* type_node = nullptr;
  bool has_name = false;
  for (const auto& [key, value] : node.entries) {
    const std::string key_path = path + "." + key;
    if (key == "name") {
      Result<std::string> name = Scalar(value, key_path);
      if (!name.ok()) return name.status();
      if (!IsValidMetricName(*name)) return Error(value, key_path, "not a valid metric name");
      field->name = *name;
      has_name = true;
    } else if (key == "labels") {
      WATTLINE_RETURN_IF_ERROR(ReadLabels(value, key_path, &field->labels));
    } else if (key == "table") {
      Result<RegisterTable> parsed = Table(value, key_path);
      if (!parsed.ok()) return parsed.status();
      table = *parsed;
      table_node = &value;
    } else if (key == "address") {
      Result<std::string> text = Scalar(value, key_path);
      if (!text.ok()) return text.status();
      Result<ParsedAddress> address = ParseRegisterAddress(*text);
      if (!address.ok()) return Error(value, key_path, address.status().message());
      field->address = address->address;
      implied = address->table;
      address_node = &value;
    } else if (key == "type") {
      Result<ValueType> type = Type(value, key_path);
      if (!type.ok()) return type.status();
      field->type = *type;
      type_node = &value;
    } else if (key == "order") {
      Result<WordOrder> order = Order(value, key_path);
      if (!order.ok()) return order.status();
      field->order = *order;
    } else if (key == "scale") {
      Result<double> scale = Number(value, key_path);
      if (!scale.ok()) return scale.status();
      if (*scale == 0) return Error(value, key_path, "must not be 0");
      field->scale = *scale;
    } else if (key == "offset") {
      Result<double> offset = Number(value, key_path);
      if (!offset.ok()) return offset.status();
      field->offset = *offset;
    } else if (key == "sunssf") {
      if (!sunspec) return Error(value, key_path, "only a SunSpec profile has scale factors");
      Result<int64_t> sunssf = Integer(value, key_path, 0, 0xFFFF);
      if (!sunssf.ok()) return sunssf.status();
      field->sunssf = static_cast<uint16_t>(*sunssf);
    } else if (key == "invalid") {
      if (value.kind != ConfigNode::Kind::kList) {
        return Error(value, key_path, "must be a list of raw values");
      }
      for (const ConfigNode& item : value.items) {
        Result<uint64_t> raw = RawValue(item, key_path);
        if (!raw.ok()) return raw.status();
        field->invalid.push_back(*raw);
      }
    } else if (key == "unit") {
      Result<std::string> unit = Scalar(value, key_path);
      if (!unit.ok()) return unit.status();
      field->unit = *unit;
    } else {
      return Error(value, key_path, "unknown key");
    }
  }
  if (!has_name) return Error(node, path + ".name", "missing");
  if (address_node == nullptr) return Error(node, path + ".address", "missing");
  if (sunspec) {
    if (implied) {
      return Error(*address_node, path + ".address",
                   "in a SunSpec profile the address is the offset from the model's ID "
                   "register, not 3xxxx/4xxxx notation");
    }
    if (table && *table != RegisterTable::kHoldingRegister) {
      return Error(table_node != nullptr ? *table_node : node, path + ".table",
                   "SunSpec points are holding registers");
    }
    table = RegisterTable::kHoldingRegister;
  }
  if (implied) {
    if (table_node != nullptr && *table != *implied) {
      return Error(*table_node, path + ".table",
                   "address " + address_node->scalar + " is in the " +
                       std::string(RegisterTableName(*implied)) + " table, not " +
                       std::string(RegisterTableName(*table)));
    }
    table = implied;
  }
  if (!table) {
    return Error(node, path + ".table",
                 "missing: give table (or a profile-wide table), or write the address as "
                 "30001-style notation");
  }
  field->table = *table;
  const bool bit_table = IsBitTable(field->table);
  const bool bool_type = field->type == ValueType::kBool;
  if (bit_table != bool_type) {
    return Error(type_node != nullptr ? *type_node : node, path + ".type",
                 bit_table ? "coils and discrete inputs hold type bool"
                           : "type bool is for coils and discrete inputs");
  }
  if (uint32_t{field->address} + static_cast<uint32_t>(RegisterCount(field->type)) > 0x10000) {
    return Error(*address_node, path + ".address", "the value runs past address 65535");
  }
  return Status::Ok();
}

// Two fields must not share a register, nor make the same series.
Status CheckDistinct(const ModbusProfile& profile) {
  std::vector<size_t> order(profile.fields.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const ProfileField& x = profile.fields[a];
    const ProfileField& y = profile.fields[b];
    return std::pair(x.table, x.address) < std::pair(y.table, y.address);
  });
  for (size_t i = 1; i < order.size(); ++i) {
    const ProfileField& before = profile.fields[order[i - 1]];
    const ProfileField& after = profile.fields[order[i]];
    const uint32_t before_end =
        uint32_t{before.address} + static_cast<uint32_t>(RegisterCount(before.type));
    if (before.table == after.table && after.address < before_end) {
      const size_t first = std::min(order[i - 1], order[i]);
      const size_t second = std::max(order[i - 1], order[i]);
      return Status::InvalidArgument(profile.fields[second].where + ": fields[" +
                                     std::to_string(second) +
                                     "]: its registers overlap those of fields[" +
                                     std::to_string(first) + "] at " + profile.fields[first].where);
    }
  }
  std::set<std::string> series;
  for (size_t i = 0; i < profile.fields.size(); ++i) {
    const ProfileField& field = profile.fields[i];
    Labels labels = field.labels;
    labels.push_back({std::string(kMetricNameLabel), field.name});
    std::sort(labels.begin(), labels.end(),
              [](const Label& a, const Label& b) { return a.name < b.name; });
    const std::string key = LabelsToString(labels);
    if (!series.insert(key).second) {
      return Status::InvalidArgument(field.where + ": fields[" + std::to_string(i) +
                                     "]: the series " + key + " is already made by another field");
    }
  }
  return Status::Ok();
}

}  // namespace

RegisterSpan ModbusProfile::Span(size_t i) const {
  const ProfileField& field = fields[i];
  return RegisterSpan{field.table, field.address, static_cast<uint16_t>(RegisterCount(field.type))};
}

Result<ModbusProfile> ParseModbusProfile(std::string_view yaml, std::string_view source_name,
                                         std::string_view name) {
  Result<ConfigNode> root = ParseYamlConfig(yaml, source_name);
  if (!root.ok()) return root.status();
  ModbusProfile profile;
  profile.name = std::string(name);
  profile.source = std::string(source_name);
  profile.limits.max_gap = 16;
  Defaults defaults;
  const ConfigNode* fields = nullptr;
  for (const auto& [key, value] : root->entries) {
    if (key == "description") {
      Result<std::string> text = Scalar(value, key);
      if (!text.ok()) return text.status();
      profile.description = *text;
    } else if (key == "table") {
      Result<RegisterTable> table = Table(value, key);
      if (!table.ok()) return table.status();
      defaults.table = *table;
    } else if (key == "type") {
      Result<ValueType> type = Type(value, key);
      if (!type.ok()) return type.status();
      defaults.type = *type;
    } else if (key == "order") {
      Result<WordOrder> order = Order(value, key);
      if (!order.ok()) return order.status();
      defaults.order = *order;
    } else if (key == "max_registers_per_read") {
      Result<int64_t> max = Integer(value, key, 1, kMaxReadRegisters);
      if (!max.ok()) return max.status();
      profile.limits.max_registers = static_cast<int>(*max);
    } else if (key == "even_alignment") {
      Result<bool> even = Bool(value, key);
      if (!even.ok()) return even.status();
      profile.limits.even_alignment = *even;
    } else if (key == "max_gap") {
      Result<int64_t> gap = Integer(value, key, 0, kMaxReadRegisters);
      if (!gap.ok()) return gap.status();
      profile.limits.max_gap = static_cast<int>(*gap);
    } else if (key == "sunspec") {
      profile.sunspec.emplace();
      WATTLINE_RETURN_IF_ERROR(ReadSunSpec(value, &*profile.sunspec));
    } else if (key == "fields") {
      fields = &value;
    } else {
      return Error(value, key, "unknown key");
    }
  }
  if (fields == nullptr) return Error(*root, "fields", "missing");
  if (fields->kind != ConfigNode::Kind::kList || fields->items.empty()) {
    return Error(*fields, "fields", "must be a non-empty list");
  }
  if (fields->items.size() > kMaxProfileFields) {
    return Error(*fields, "fields", "more than " + std::to_string(kMaxProfileFields) + " fields");
  }
  for (size_t i = 0; i < fields->items.size(); ++i) {
    ProfileField field;
    const std::string path = "fields[" + std::to_string(i) + "]";
    WATTLINE_RETURN_IF_ERROR(
        ReadField(fields->items[i], path, defaults, profile.sunspec.has_value(), &field));
    // Each field must fit in one read by itself, so the plan below cannot fail
    // for a reason the user would have to trace back to a field.
    RegisterSpan span{field.table, field.address, static_cast<uint16_t>(RegisterCount(field.type))};
    Result<std::vector<PlannedRead>> alone = PlanReads({&span, 1}, profile.limits);
    if (!alone.ok()) return Error(fields->items[i], path, alone.status().message());
    profile.fields.push_back(std::move(field));
  }
  WATTLINE_RETURN_IF_ERROR(CheckDistinct(profile));
  return profile;
}

Result<ModbusProfile> LoadModbusProfileFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return Status::NotFound("cannot read profile " + path);
  if (in.tellg() > kMaxProfileBytes) {
    return Status::InvalidArgument("profile " + path + " is over 1 MiB");
  }
  in.seekg(0);
  std::ostringstream text;
  text << in.rdbuf();
  std::string name = path;
  if (size_t slash = name.find_last_of('/'); slash != std::string::npos) {
    name = name.substr(slash + 1);
  }
  if (name.ends_with(".yaml")) name.resize(name.size() - 5);
  return ParseModbusProfile(text.str(), path, name);
}

}  // namespace wattline::agent::modbus
