// How the meter simulator puts numbers into Modbus registers.
//
// Registers here are host-order uint16_t words, as libmodbus keeps them in
// modbus_mapping_t: the word's high byte is the first byte on the wire
// (DEVICES.md D.1, "bytes inside a register are always big-endian on the
// wire"). Everything is done by hand; libmodbus 3.1.6's modbus_set_float_*
// write raw memory bytes and put the wrong order into host-order words
// (DEVICES.md D.5, "Float helper pitfall").
//
// Word orders. Name the bytes of a value A (most significant) to D (least)
// for 32 bits; the letters give the order in which they travel on the wire:
//   kAbcd  high word first, high byte first in each word (big-endian)
//   kCdab  low word first, high byte first in each word (Shelly Pro 3EM)
//   kBadc  high word first, bytes swapped in each word
//   kDcba  low word first, bytes swapped in each word (little-endian)
// The same two choices (word order, byte order in a word) extend to the other
// widths: a 64-bit kCdab value sends its least significant word first and its
// most significant word last; a 16-bit value has one word, so kAbcd and kCdab
// send it as is and kBadc and kDcba byte-swap it.
//
// Thread-safety: all functions are pure.
#ifndef WATTLINE_TESTS_SIM_MODBUS_REGISTER_ENCODING_H_
#define WATTLINE_TESTS_SIM_MODBUS_REGISTER_ENCODING_H_

#include <cstdint>
#include <optional>
#include <string_view>

namespace wattline::sim {

enum class WordOrder { kAbcd, kCdab, kBadc, kDcba };
inline constexpr WordOrder kAllWordOrders[] = {WordOrder::kAbcd, WordOrder::kCdab, WordOrder::kBadc,
                                               WordOrder::kDcba};

enum class ValueType { kInt16, kUint16, kInt32, kUint32, kInt64, kUint64, kFloat32, kFloat64 };
inline constexpr ValueType kAllValueTypes[] = {
    ValueType::kInt16, ValueType::kUint16, ValueType::kInt32,   ValueType::kUint32,
    ValueType::kInt64, ValueType::kUint64, ValueType::kFloat32, ValueType::kFloat64};

// "abcd", "cdab", "badc", "dcba".
std::string_view WordOrderName(WordOrder order);
std::optional<WordOrder> ParseWordOrder(std::string_view name);
// "int16", "uint16", ..., "float32", "float64".
std::string_view ValueTypeName(ValueType type);

// 1 for 16-bit types, 2 for 32-bit, 4 for 64-bit.
int RegisterCount(ValueType type);
bool IsSigned(ValueType type);  // the intN types
bool IsFloat(ValueType type);

// Writes the low 16 × `registers` bits of `bits` to dest[0 .. registers) in
// `order`. REQUIRES: registers is 1, 2 or 4.
void PutBits(uint64_t bits, int registers, WordOrder order, uint16_t* dest);
// The inverse of PutBits: the value right-aligned, upper bits zero.
uint64_t GetBits(const uint16_t* src, int registers, WordOrder order);

// Typed front ends over PutBits. Each writes RegisterCount(type) words.
void PutInt16(int16_t value, WordOrder order, uint16_t* dest);
void PutUint16(uint16_t value, WordOrder order, uint16_t* dest);
void PutInt32(int32_t value, WordOrder order, uint16_t* dest);
void PutUint32(uint32_t value, WordOrder order, uint16_t* dest);
void PutInt64(int64_t value, WordOrder order, uint16_t* dest);
void PutUint64(uint64_t value, WordOrder order, uint16_t* dest);
void PutFloat32(float value, WordOrder order, uint16_t* dest);
void PutFloat64(double value, WordOrder order, uint16_t* dest);

// ASCII text, two characters per register, first character in the high byte,
// NUL-padded to `registers` words and cut if longer (SunSpec strings,
// DEVICES.md D.4).
void PutString(std::string_view text, int registers, uint16_t* dest);

}  // namespace wattline::sim

#endif  // WATTLINE_TESTS_SIM_MODBUS_REGISTER_ENCODING_H_
