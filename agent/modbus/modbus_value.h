// What a Modbus field is on the wire: the table it lives in, its address, its
// type and the order of its words and bytes; and how register words become a
// number (DEVICES.md D.1).
//
// Words are host-order uint16_t, as libmodbus hands them over: the two bytes of
// one register are already assembled, high byte first on the wire. What varies
// between devices is the order of the registers of a multi-register value and,
// rarely, of the bytes inside each register. The four orders are named after a
// 32-bit value whose big-endian bytes are A B C D:
//
//   ABCD  high word first, bytes as sent       (Eastron, SunSpec)
//   CDAB  low word first                       (Shelly Pro 3EM, Carlo Gavazzi)
//   BADC  high word first, bytes of each word swapped
//   DCBA  low word first, bytes swapped: little-endian throughout
//
// The same rule extends to 64-bit values (ABCD = words from most to least
// significant; CDAB reverses the words) and to 16-bit ones, where only the
// byte swap matters (BADC and DCBA swap the two bytes; ABCD and CDAB do not).
//
// Thread-safety: pure functions.
#ifndef WATTLINE_AGENT_MODBUS_MODBUS_VALUE_H_
#define WATTLINE_AGENT_MODBUS_MODBUS_VALUE_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "common/status.h"

namespace wattline::agent::modbus {

// The four Modbus data tables, each read with its own function code.
enum class RegisterTable {
  kCoil,             // FC01, 1 bit, "0xxxx"
  kDiscreteInput,    // FC02, 1 bit, "1xxxx"
  kInputRegister,    // FC04, 16 bits, "3xxxx"
  kHoldingRegister,  // FC03, 16 bits, "4xxxx"
};

enum class ValueType {
  kBool,  // one coil or discrete input: 0 or 1
  kInt16,
  kUint16,
  kInt32,
  kUint32,
  kInt64,
  kUint64,
  kFloat32,  // IEEE 754 binary32
  kFloat64,  // IEEE 754 binary64
  // SunSpec accumulators: unsigned counters, decoded as uintN. They differ
  // only in their "not implemented" value (0), see sunspec.h.
  kAcc16,
  kAcc32,
  kAcc64,
};

enum class WordOrder { kABCD, kCDAB, kBADC, kDCBA };

// True for coils and discrete inputs.
bool IsBitTable(RegisterTable table);

// Registers (or bits, for kBool) one value occupies: 1, 2 or 4.
int RegisterCount(ValueType type);

// Names as written in profiles: "coil", "discrete_input", "input", "holding";
// "bool", "int16", ..., "float64", "acc32"; "ABCD", ... Parsing is exact
// (lower case for tables and types, upper case for orders); nullopt when the
// name is unknown.
std::string_view RegisterTableName(RegisterTable table);
std::string_view ValueTypeName(ValueType type);
std::string_view WordOrderName(WordOrder order);
std::optional<RegisterTable> ParseRegisterTable(std::string_view name);
std::optional<ValueType> ParseValueType(std::string_view name);
std::optional<WordOrder> ParseWordOrder(std::string_view name);

// The value's bits as one big-endian integer, after undoing `order`; the
// result has RegisterCount(type) * 16 significant bits.
// REQUIRES: type != kBool; words.size() == RegisterCount(type).
uint64_t AssembleWords(std::span<const uint16_t> words, ValueType type, WordOrder order);

// The number those bits stand for: two's complement for signed types, IEEE 754
// for floats (NaN and infinities come out as such; callers drop them).
// REQUIRES: type != kBool; bits fits the type's width.
double BitsToDouble(uint64_t bits, ValueType type);

// AssembleWords then BitsToDouble.
double DecodeRegisters(std::span<const uint16_t> words, ValueType type, WordOrder order);

// A register address as written in a profile.
struct ParsedAddress {
  uint16_t address = 0;                // on the wire, 0-based
  std::optional<RegisterTable> table;  // when the notation names one
};

// Accepts:
//   - Modicon notation, 1-based with the table as the first digit: five
//     digits 00001-09999 (coil), 10001-19999 (discrete input), 30001-39999
//     (input register), 40001-49999 (holding register), or six digits
//     000001-065536, 100001-165536, 300001-365536, 400001-465536.
//     The wire address is the number minus 1 and minus the table's offset:
//     30073 is input register 72.
//   - hexadecimal 0x0000-0xFFFF (also 0X), a wire address, no table implied;
//   - any other decimal 0-65535, a wire address, no table implied. To name a
//     wire address of 10000 or more that would read as Modicon notation, use
//     hex.
// Errors: InvalidArgument naming the text and why.
Result<ParsedAddress> ParseRegisterAddress(std::string_view text);

}  // namespace wattline::agent::modbus

#endif  // WATTLINE_AGENT_MODBUS_MODBUS_VALUE_H_
