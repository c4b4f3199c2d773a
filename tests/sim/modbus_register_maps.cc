#include "tests/sim/modbus_register_maps.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "tests/sim/modbus_meter_tables.h"

namespace wattline::sim {
namespace {

// The bits PutBits() writes for a numeric point.
uint64_t EncodedBits(const RegisterPoint& point) {
  switch (point.type) {
    case ValueType::kFloat32:
      return std::bit_cast<uint32_t>(static_cast<float>(std::get<double>(point.raw)));
    case ValueType::kFloat64:
      return std::bit_cast<uint64_t>(std::get<double>(point.raw));
    default:
      break;
  }
  const uint64_t bits = IsSigned(point.type) ? static_cast<uint64_t>(std::get<int64_t>(point.raw))
                                             : std::get<uint64_t>(point.raw);
  const int width = 16 * RegisterCount(point.type);
  return width == 64 ? bits : bits & ((uint64_t{1} << width) - 1);
}

RegisterImage BuildTable(const std::vector<RegisterPoint>& points, RegisterTable table) {
  RegisterImage image;
  int first = std::numeric_limits<int>::max();
  int end = 0;
  for (const RegisterPoint& point : points) {
    if (point.table != table) continue;
    first = std::min(first, static_cast<int>(point.address));
    end = std::max(end, point.address + point.registers);
  }
  if (end == 0) return image;
  image.start = static_cast<uint16_t>(first);
  image.words.assign(static_cast<size_t>(end - first), 0);
  for (const RegisterPoint& point : points) {
    if (point.table != table) continue;
    uint16_t* dest = &image.words[point.address - image.start];
    if (point.is_string()) {
      PutString(point.text(), point.registers, dest);
    } else {
      PutBits(EncodedBits(point), point.registers, point.order, dest);
    }
  }
  return image;
}

BitImage BuildBits(const std::vector<BitBlock>& blocks, RegisterTable table) {
  BitImage image;
  int first = std::numeric_limits<int>::max();
  int end = 0;
  for (const BitBlock& block : blocks) {
    if (block.table != table) continue;
    first = std::min(first, static_cast<int>(block.address));
    end = std::max(end, block.address + static_cast<int>(block.bits.size()));
  }
  if (end == 0) return image;
  image.start = static_cast<uint16_t>(first);
  image.bits.assign(static_cast<size_t>(end - first), 0);
  for (const BitBlock& block : blocks) {
    if (block.table != table) continue;
    for (size_t i = 0; i < block.bits.size(); ++i) {
      image.bits[block.address - image.start + i] = block.bits[i] ? 1 : 0;
    }
  }
  return image;
}

}  // namespace

std::string_view MeterModelName(MeterModel model) {
  switch (model) {
    case MeterModel::kSdm120:
      return "sdm120";
    case MeterModel::kSdm630:
      return "sdm630";
    case MeterModel::kSdm72:
      return "sdm72";
    case MeterModel::kSunSpec203:
      return "sunspec203";
    case MeterModel::kShellyPro3em:
      return "shelly_pro3em";
    case MeterModel::kPattern:
      return "pattern";
  }
  return "?";
}

std::optional<MeterModel> ParseMeterModel(std::string_view name) {
  for (MeterModel model :
       {MeterModel::kSdm120, MeterModel::kSdm630, MeterModel::kSdm72, MeterModel::kSunSpec203,
        MeterModel::kShellyPro3em, MeterModel::kPattern}) {
    if (MeterModelName(model) == name) return model;
  }
  return std::nullopt;
}

std::string_view RegisterTableName(RegisterTable table) {
  switch (table) {
    case RegisterTable::kCoils:
      return "coils";
    case RegisterTable::kDiscreteInputs:
      return "discrete_inputs";
    case RegisterTable::kHoldingRegisters:
      return "holding";
    case RegisterTable::kInputRegisters:
      return "input";
  }
  return "?";
}

double RegisterPoint::value() const {
  if (!implemented || is_string()) return std::numeric_limits<double>::quiet_NaN();
  double raw_value = 0;
  if (type == ValueType::kFloat32) {
    raw_value = static_cast<float>(std::get<double>(raw));
  } else if (type == ValueType::kFloat64) {
    raw_value = std::get<double>(raw);
  } else if (IsSigned(type)) {
    raw_value = static_cast<double>(std::get<int64_t>(raw));
  } else {
    raw_value = static_cast<double>(std::get<uint64_t>(raw));
  }
  // Dividing by 10^n rounds 2301 × 10^-1 to the double nearest 230.1, as a
  // decoder dividing by the power of ten does; multiplying by 0.1 may not.
  if (scale_exponent < 0) return raw_value / std::pow(10.0, -scale_exponent);
  return raw_value * std::pow(10.0, scale_exponent);
}

MeterRules RulesFor(MeterModel model) {
  MeterRules rules;
  switch (model) {
    case MeterModel::kSdm120:
    case MeterModel::kSdm630:
    case MeterModel::kSdm72:
      // D.1: FC03, FC04 and FC16 only, even addresses and counts, 80 registers.
      rules.even_addresses_only = true;
      rules.max_registers = 80;
      rules.function_codes = {3, 4, 16};
      break;
    default:
      break;
  }
  return rules;
}

std::vector<RegisterPoint> MeterPoints(const MeterSpec& spec) {
  switch (spec.model) {
    case MeterModel::kSdm120:
      return Sdm120Points();
    case MeterModel::kSdm630:
      return Sdm630Points();
    case MeterModel::kSdm72:
      return Sdm72Points();
    case MeterModel::kSunSpec203:
      return SunSpec203Points(spec.sunspec_base, spec.unit_id);
    case MeterModel::kShellyPro3em:
      return ShellyPro3emPoints();
    case MeterModel::kPattern:
      return PatternPoints();
  }
  return {};
}

std::vector<BitBlock> MeterBits(const MeterSpec& spec) {
  if (spec.model != MeterModel::kPattern) return {};
  std::vector<BitBlock> blocks(2);
  blocks[0].table = RegisterTable::kCoils;
  blocks[1].table = RegisterTable::kDiscreteInputs;
  for (int i = 0; i < kPatternBitCount; ++i) {
    blocks[0].bits.push_back(((kPatternCoilBits >> i) & 1) != 0);
    blocks[1].bits.push_back(((kPatternDiscreteBits >> i) & 1) != 0);
  }
  return blocks;
}

const RegisterPoint* FindPoint(const std::vector<RegisterPoint>& points, std::string_view name) {
  for (const RegisterPoint& point : points) {
    if (point.name == name) return &point;
  }
  return nullptr;
}

double ServedValue(const MeterSpec& spec, std::string_view name) {
  const std::vector<RegisterPoint> points = MeterPoints(spec);
  const RegisterPoint* point = FindPoint(points, name);
  if (point == nullptr) {
    std::fprintf(stderr, "ServedValue: model %s has no point \"%.*s\"\n",
                 std::string(MeterModelName(spec.model)).c_str(), static_cast<int>(name.size()),
                 name.data());
    std::abort();
  }
  return point->value();
}

MeterImage BuildMeterImage(const MeterSpec& spec) {
  const std::vector<RegisterPoint> points = MeterPoints(spec);
  const std::vector<BitBlock> bits = MeterBits(spec);
  MeterImage image;
  image.coils = BuildBits(bits, RegisterTable::kCoils);
  image.discrete_inputs = BuildBits(bits, RegisterTable::kDiscreteInputs);
  image.holding = BuildTable(points, RegisterTable::kHoldingRegisters);
  image.input = BuildTable(points, RegisterTable::kInputRegisters);
  return image;
}

uint16_t PatternAddress(ValueType type, WordOrder order) {
  return static_cast<uint16_t>(kPatternBase + 16 * static_cast<int>(type) +
                               4 * static_cast<int>(order));
}

std::string PatternPointName(RegisterTable table, ValueType type, WordOrder order) {
  std::string name = table == RegisterTable::kHoldingRegisters ? "h." : "";
  name += ValueTypeName(type);
  name += "_";
  name += WordOrderName(order);
  return name;
}

}  // namespace wattline::sim
