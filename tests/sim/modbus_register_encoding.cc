#include "tests/sim/modbus_register_encoding.h"

#include <bit>
#include <cassert>

namespace wattline::sim {
namespace {

bool WordsLowFirst(WordOrder order) {
  return order == WordOrder::kCdab || order == WordOrder::kDcba;
}
bool BytesSwapped(WordOrder order) {
  return order == WordOrder::kBadc || order == WordOrder::kDcba;
}

uint16_t SwapBytes(uint16_t word) { return static_cast<uint16_t>((word >> 8) | (word << 8)); }

}  // namespace

std::string_view WordOrderName(WordOrder order) {
  switch (order) {
    case WordOrder::kAbcd:
      return "abcd";
    case WordOrder::kCdab:
      return "cdab";
    case WordOrder::kBadc:
      return "badc";
    case WordOrder::kDcba:
      return "dcba";
  }
  return "?";
}

std::optional<WordOrder> ParseWordOrder(std::string_view name) {
  for (WordOrder order : kAllWordOrders) {
    if (WordOrderName(order) == name) return order;
  }
  return std::nullopt;
}

std::string_view ValueTypeName(ValueType type) {
  switch (type) {
    case ValueType::kInt16:
      return "int16";
    case ValueType::kUint16:
      return "uint16";
    case ValueType::kInt32:
      return "int32";
    case ValueType::kUint32:
      return "uint32";
    case ValueType::kInt64:
      return "int64";
    case ValueType::kUint64:
      return "uint64";
    case ValueType::kFloat32:
      return "float32";
    case ValueType::kFloat64:
      return "float64";
  }
  return "?";
}

int RegisterCount(ValueType type) {
  switch (type) {
    case ValueType::kInt16:
    case ValueType::kUint16:
      return 1;
    case ValueType::kInt32:
    case ValueType::kUint32:
    case ValueType::kFloat32:
      return 2;
    case ValueType::kInt64:
    case ValueType::kUint64:
    case ValueType::kFloat64:
      return 4;
  }
  return 0;
}

bool IsSigned(ValueType type) {
  return type == ValueType::kInt16 || type == ValueType::kInt32 || type == ValueType::kInt64;
}

bool IsFloat(ValueType type) { return type == ValueType::kFloat32 || type == ValueType::kFloat64; }

void PutBits(uint64_t bits, int registers, WordOrder order, uint16_t* dest) {
  assert(registers == 1 || registers == 2 || registers == 4);
  for (int i = 0; i < registers; ++i) {
    // Word i counted from the most significant end.
    const int shift = 16 * (registers - 1 - i);
    uint16_t word = static_cast<uint16_t>(bits >> shift);
    if (BytesSwapped(order)) word = SwapBytes(word);
    dest[WordsLowFirst(order) ? registers - 1 - i : i] = word;
  }
}

uint64_t GetBits(const uint16_t* src, int registers, WordOrder order) {
  assert(registers == 1 || registers == 2 || registers == 4);
  uint64_t bits = 0;
  for (int i = 0; i < registers; ++i) {
    uint16_t word = src[WordsLowFirst(order) ? registers - 1 - i : i];
    if (BytesSwapped(order)) word = SwapBytes(word);
    bits = (bits << 16) | word;
  }
  return bits;
}

void PutInt16(int16_t value, WordOrder order, uint16_t* dest) {
  PutBits(static_cast<uint16_t>(value), 1, order, dest);
}
void PutUint16(uint16_t value, WordOrder order, uint16_t* dest) { PutBits(value, 1, order, dest); }
void PutInt32(int32_t value, WordOrder order, uint16_t* dest) {
  PutBits(static_cast<uint32_t>(value), 2, order, dest);
}
void PutUint32(uint32_t value, WordOrder order, uint16_t* dest) { PutBits(value, 2, order, dest); }
void PutInt64(int64_t value, WordOrder order, uint16_t* dest) {
  PutBits(static_cast<uint64_t>(value), 4, order, dest);
}
void PutUint64(uint64_t value, WordOrder order, uint16_t* dest) { PutBits(value, 4, order, dest); }
void PutFloat32(float value, WordOrder order, uint16_t* dest) {
  PutBits(std::bit_cast<uint32_t>(value), 2, order, dest);
}
void PutFloat64(double value, WordOrder order, uint16_t* dest) {
  PutBits(std::bit_cast<uint64_t>(value), 4, order, dest);
}

void PutString(std::string_view text, int registers, uint16_t* dest) {
  for (int i = 0; i < registers; ++i) {
    const size_t first = 2 * static_cast<size_t>(i);
    const auto byte_at = [&](size_t at) -> uint16_t {
      return at < text.size() ? static_cast<unsigned char>(text[at]) : 0;
    };
    dest[i] = static_cast<uint16_t>((byte_at(first) << 8) | byte_at(first + 1));
  }
}

}  // namespace wattline::sim
