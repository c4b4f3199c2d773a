#include "agent/modbus/modbus_value.h"

#include <array>
#include <bit>
#include <charconv>
#include <cstring>
#include <string>

namespace wattline::agent::modbus {
namespace {

struct TableName {
  RegisterTable table;
  std::string_view name;
};
constexpr std::array<TableName, 4> kTableNames = {{
    {RegisterTable::kCoil, "coil"},
    {RegisterTable::kDiscreteInput, "discrete_input"},
    {RegisterTable::kInputRegister, "input"},
    {RegisterTable::kHoldingRegister, "holding"},
}};

struct TypeName {
  ValueType type;
  std::string_view name;
};
constexpr std::array<TypeName, 12> kTypeNames = {{
    {ValueType::kBool, "bool"},
    {ValueType::kInt16, "int16"},
    {ValueType::kUint16, "uint16"},
    {ValueType::kInt32, "int32"},
    {ValueType::kUint32, "uint32"},
    {ValueType::kInt64, "int64"},
    {ValueType::kUint64, "uint64"},
    {ValueType::kFloat32, "float32"},
    {ValueType::kFloat64, "float64"},
    {ValueType::kAcc16, "acc16"},
    {ValueType::kAcc32, "acc32"},
    {ValueType::kAcc64, "acc64"},
}};

struct OrderName {
  WordOrder order;
  std::string_view name;
};
constexpr std::array<OrderName, 4> kOrderNames = {{
    {WordOrder::kABCD, "ABCD"},
    {WordOrder::kCDAB, "CDAB"},
    {WordOrder::kBADC, "BADC"},
    {WordOrder::kDCBA, "DCBA"},
}};

uint16_t SwapBytes(uint16_t word) { return static_cast<uint16_t>((word << 8) | (word >> 8)); }

bool AllDigits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// The table a Modicon number's leading digit names.
std::optional<RegisterTable> ModiconTable(char digit) {
  switch (digit) {
    case '0':
      return RegisterTable::kCoil;
    case '1':
      return RegisterTable::kDiscreteInput;
    case '3':
      return RegisterTable::kInputRegister;
    case '4':
      return RegisterTable::kHoldingRegister;
    default:
      return std::nullopt;
  }
}

}  // namespace

bool IsBitTable(RegisterTable table) {
  return table == RegisterTable::kCoil || table == RegisterTable::kDiscreteInput;
}

int RegisterCount(ValueType type) {
  switch (type) {
    case ValueType::kBool:
    case ValueType::kInt16:
    case ValueType::kUint16:
    case ValueType::kAcc16:
      return 1;
    case ValueType::kInt32:
    case ValueType::kUint32:
    case ValueType::kFloat32:
    case ValueType::kAcc32:
      return 2;
    case ValueType::kInt64:
    case ValueType::kUint64:
    case ValueType::kFloat64:
    case ValueType::kAcc64:
      return 4;
  }
  return 1;
}

std::string_view RegisterTableName(RegisterTable table) {
  for (const TableName& entry : kTableNames) {
    if (entry.table == table) return entry.name;
  }
  return "?";
}
std::string_view ValueTypeName(ValueType type) {
  for (const TypeName& entry : kTypeNames) {
    if (entry.type == type) return entry.name;
  }
  return "?";
}
std::string_view WordOrderName(WordOrder order) {
  for (const OrderName& entry : kOrderNames) {
    if (entry.order == order) return entry.name;
  }
  return "?";
}
std::optional<RegisterTable> ParseRegisterTable(std::string_view name) {
  for (const TableName& entry : kTableNames) {
    if (entry.name == name) return entry.table;
  }
  return std::nullopt;
}
std::optional<ValueType> ParseValueType(std::string_view name) {
  for (const TypeName& entry : kTypeNames) {
    if (entry.name == name) return entry.type;
  }
  return std::nullopt;
}
std::optional<WordOrder> ParseWordOrder(std::string_view name) {
  for (const OrderName& entry : kOrderNames) {
    if (entry.name == name) return entry.order;
  }
  return std::nullopt;
}

uint64_t AssembleWords(std::span<const uint16_t> words, ValueType type, WordOrder order) {
  const size_t count = static_cast<size_t>(RegisterCount(type));
  const bool reverse_words = order == WordOrder::kCDAB || order == WordOrder::kDCBA;
  const bool swap_bytes = order == WordOrder::kBADC || order == WordOrder::kDCBA;
  uint64_t bits = 0;
  for (size_t i = 0; i < count && i < words.size(); ++i) {
    uint16_t word = words[reverse_words ? count - 1 - i : i];
    if (swap_bytes) word = SwapBytes(word);
    bits = (bits << 16) | word;
  }
  return bits;
}

double BitsToDouble(uint64_t bits, ValueType type) {
  switch (type) {
    case ValueType::kBool:
      return bits != 0 ? 1.0 : 0.0;
    case ValueType::kInt16:
      return static_cast<int16_t>(static_cast<uint16_t>(bits));
    case ValueType::kInt32:
      return static_cast<int32_t>(static_cast<uint32_t>(bits));
    case ValueType::kInt64:
      return static_cast<double>(static_cast<int64_t>(bits));
    case ValueType::kUint16:
    case ValueType::kAcc16:
      return static_cast<uint16_t>(bits);
    case ValueType::kUint32:
    case ValueType::kAcc32:
      return static_cast<uint32_t>(bits);
    case ValueType::kUint64:
    case ValueType::kAcc64:
      return static_cast<double>(bits);
    case ValueType::kFloat32:
      return std::bit_cast<float>(static_cast<uint32_t>(bits));
    case ValueType::kFloat64:
      return std::bit_cast<double>(bits);
  }
  return 0;
}

double DecodeRegisters(std::span<const uint16_t> words, ValueType type, WordOrder order) {
  return BitsToDouble(AssembleWords(words, type, order), type);
}

Result<ParsedAddress> ParseRegisterAddress(std::string_view text) {
  const std::string quoted = "\"" + std::string(text) + "\"";
  ParsedAddress parsed;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    uint32_t value = 0;
    const char* begin = text.data() + 2;
    const char* end = text.data() + text.size();
    auto [stop, ec] = std::from_chars(begin, end, value, 16);
    if (ec != std::errc() || stop != end || value > 0xFFFF) {
      return Status::InvalidArgument("address " + quoted + " is not a hex number 0x0-0xFFFF");
    }
    parsed.address = static_cast<uint16_t>(value);
    return parsed;
  }
  if (!AllDigits(text)) {
    return Status::InvalidArgument("address " + quoted +
                                   " is neither a number, 0x hex, nor 30001-style notation");
  }
  if (text.size() > 6) return Status::InvalidArgument("address " + quoted + " is too large");
  uint32_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  std::optional<RegisterTable> table =
      text.size() >= 5 ? ModiconTable(text[0]) : std::optional<RegisterTable>();
  if (!table) {
    if (value > 0xFFFF) {
      return Status::InvalidArgument("address " + quoted + " is beyond 65535");
    }
    parsed.address = static_cast<uint16_t>(value);
    return parsed;
  }
  // Modicon: the leading digit names the table, the rest is 1-based.
  const uint32_t number = value % (text.size() == 5 ? 10000u : 100000u);
  const uint32_t limit = text.size() == 5 ? 9999u : 65536u;
  if (number == 0 || number > limit) {
    return Status::InvalidArgument(
        "address " + quoted + " is not a valid register number (" + std::string(1, text[0]) +
        "xxxx notation counts from 1; write a wire address of 10000 or more in hex, e.g. 0x" +
        "9C40 for 40000)");
  }
  parsed.address = static_cast<uint16_t>(number - 1);
  parsed.table = table;
  return parsed;
}

}  // namespace wattline::agent::modbus
