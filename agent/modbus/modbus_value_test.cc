#include "agent/modbus/modbus_value.h"

#include <gtest/gtest.h>
#include <modbus/modbus.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace wattline::agent::modbus {
namespace {

// Encodes by hand what a device sends: the value's big-endian bytes
// (A B C D ...), grouped into 16-bit words in the given order. This is the
// test's own encoder, written from the definition in modbus_value.h, not
// from the code under test.
std::vector<uint16_t> Encode(uint64_t bits, int registers, WordOrder order) {
  std::vector<uint8_t> bytes;
  for (int i = registers * 2 - 1; i >= 0; --i)
    bytes.push_back(static_cast<uint8_t>(bits >> (8 * i)));
  std::vector<uint16_t> words;
  for (int w = 0; w < registers; ++w) {
    uint8_t high = bytes[static_cast<size_t>(2 * w)];
    uint8_t low = bytes[static_cast<size_t>(2 * w + 1)];
    if (order == WordOrder::kBADC || order == WordOrder::kDCBA) std::swap(high, low);
    words.push_back(static_cast<uint16_t>(high << 8 | low));
  }
  if (order == WordOrder::kCDAB || order == WordOrder::kDCBA) {
    std::reverse(words.begin(), words.end());
  }
  return words;
}

constexpr WordOrder kOrders[] = {WordOrder::kABCD, WordOrder::kCDAB, WordOrder::kBADC,
                                 WordOrder::kDCBA};

struct Case {
  ValueType type;
  uint64_t bits;  // the value's bits, big-endian integer
  double expected;
};

TEST(ModbusValue, DecodesEveryTypeInEveryOrder) {
  const Case cases[] = {
      {ValueType::kInt16, 0xCFC7, -12345},
      {ValueType::kUint16, 0xA1B2, 0xA1B2},
      {ValueType::kAcc16, 0xA1B2, 0xA1B2},
      {ValueType::kInt32, 0xF8A432EB, -123456789},
      {ValueType::kUint32, 0x89ABCDEF, 0x89ABCDEF},
      {ValueType::kAcc32, 0x89ABCDEF, 0x89ABCDEF},
      {ValueType::kInt64, static_cast<uint64_t>(-1234567890123456789LL),
       static_cast<double>(-1234567890123456789LL)},
      {ValueType::kUint64, 0xFEDCBA9876543210u, static_cast<double>(0xFEDCBA9876543210u)},
      {ValueType::kAcc64, 0x0000000100000002u, 4294967298.0},
      {ValueType::kFloat32, std::bit_cast<uint32_t>(-1234.5625f), -1234.5625},
      {ValueType::kFloat64, std::bit_cast<uint64_t>(-98765.4321012345), -98765.4321012345},
  };
  for (const Case& c : cases) {
    for (WordOrder order : kOrders) {
      const std::vector<uint16_t> words = Encode(c.bits, RegisterCount(c.type), order);
      SCOPED_TRACE(std::string(ValueTypeName(c.type)) + " " + std::string(WordOrderName(order)));
      EXPECT_EQ(AssembleWords(words, c.type, order), c.bits);
      EXPECT_EQ(DecodeRegisters(words, c.type, order), c.expected);
    }
  }
}

TEST(ModbusValue, OrdersDifferOnTheWire) {
  // The same value gives four different register pairs; decoding one with
  // another's order gives a different number. Guards against an order being
  // silently ignored.
  const uint64_t bits = std::bit_cast<uint32_t>(230.1f);
  for (WordOrder sent : kOrders) {
    for (WordOrder read : kOrders) {
      const double value = DecodeRegisters(Encode(bits, 2, sent), ValueType::kFloat32, read);
      if (sent == read) {
        EXPECT_EQ(value, static_cast<double>(230.1f));
      } else {
        EXPECT_NE(value, static_cast<double>(230.1f));
      }
    }
  }
}

TEST(ModbusValue, Float32AgreesWithLibmodbusGetters) {
  // libmodbus 3.1.6's getters take host-order words like ours (its setters do
  // not round-trip, DEVICES.md D.5, so they are not used anywhere).
  const uint16_t abcd[2] = {0x47F1, 0x2000};
  EXPECT_EQ(modbus_get_float_abcd(abcd), 123456.0f);
  EXPECT_EQ(DecodeRegisters(abcd, ValueType::kFloat32, WordOrder::kABCD), 123456.0);
  for (float f : {230.1f, -1923.7f, 12345.678f, 0.0f, -0.985f, 1e-20f}) {
    const uint32_t bits = std::bit_cast<uint32_t>(f);
    const auto words = [&](WordOrder order) { return Encode(bits, 2, order); };
    EXPECT_EQ(modbus_get_float_abcd(words(WordOrder::kABCD).data()),
              static_cast<float>(
                  DecodeRegisters(words(WordOrder::kABCD), ValueType::kFloat32, WordOrder::kABCD)));
    EXPECT_EQ(modbus_get_float_cdab(words(WordOrder::kCDAB).data()),
              static_cast<float>(
                  DecodeRegisters(words(WordOrder::kCDAB), ValueType::kFloat32, WordOrder::kCDAB)));
    EXPECT_EQ(modbus_get_float_badc(words(WordOrder::kBADC).data()),
              static_cast<float>(
                  DecodeRegisters(words(WordOrder::kBADC), ValueType::kFloat32, WordOrder::kBADC)));
    EXPECT_EQ(modbus_get_float_dcba(words(WordOrder::kDCBA).data()),
              static_cast<float>(
                  DecodeRegisters(words(WordOrder::kDCBA), ValueType::kFloat32, WordOrder::kDCBA)));
    EXPECT_EQ(modbus_get_float_abcd(words(WordOrder::kABCD).data()), f);
  }
}

TEST(ModbusValue, SixteenBitOrdersOnlySwapBytes) {
  const uint16_t word[1] = {0x1234};
  EXPECT_EQ(DecodeRegisters(word, ValueType::kUint16, WordOrder::kABCD), 0x1234);
  EXPECT_EQ(DecodeRegisters(word, ValueType::kUint16, WordOrder::kCDAB), 0x1234);
  EXPECT_EQ(DecodeRegisters(word, ValueType::kUint16, WordOrder::kBADC), 0x3412);
  EXPECT_EQ(DecodeRegisters(word, ValueType::kUint16, WordOrder::kDCBA), 0x3412);
}

TEST(ModbusValue, NaNAndInfinityComeThrough) {
  const uint16_t nan[2] = {0x7FC0, 0x0000};
  EXPECT_TRUE(std::isnan(DecodeRegisters(nan, ValueType::kFloat32, WordOrder::kABCD)));
  const uint16_t inf[2] = {0x7F80, 0x0000};
  EXPECT_EQ(DecodeRegisters(inf, ValueType::kFloat32, WordOrder::kABCD),
            std::numeric_limits<double>::infinity());
}

TEST(ModbusValue, NamesRoundTrip) {
  for (ValueType type :
       {ValueType::kBool, ValueType::kInt16, ValueType::kUint16, ValueType::kInt32,
        ValueType::kUint32, ValueType::kInt64, ValueType::kUint64, ValueType::kFloat32,
        ValueType::kFloat64, ValueType::kAcc16, ValueType::kAcc32, ValueType::kAcc64}) {
    EXPECT_EQ(ParseValueType(ValueTypeName(type)), type);
  }
  for (WordOrder order : kOrders) EXPECT_EQ(ParseWordOrder(WordOrderName(order)), order);
  for (RegisterTable table : {RegisterTable::kCoil, RegisterTable::kDiscreteInput,
                              RegisterTable::kInputRegister, RegisterTable::kHoldingRegister}) {
    EXPECT_EQ(ParseRegisterTable(RegisterTableName(table)), table);
  }
  EXPECT_FALSE(ParseValueType("float"));
  EXPECT_FALSE(ParseWordOrder("abcd"));
  EXPECT_FALSE(ParseRegisterTable("inputs"));
  EXPECT_EQ(RegisterCount(ValueType::kFloat64), 4);
  EXPECT_EQ(RegisterCount(ValueType::kAcc32), 2);
  EXPECT_EQ(RegisterCount(ValueType::kBool), 1);
}

struct AddressCase {
  const char* text;
  uint16_t address;
  std::optional<RegisterTable> table;
};

TEST(ModbusAddress, AcceptsModiconHexAndPlainNumbers) {
  const AddressCase cases[] = {
      {"30001", 0, RegisterTable::kInputRegister},
      {"30073", 72, RegisterTable::kInputRegister},
      {"40003", 2, RegisterTable::kHoldingRegister},
      {"49999", 9998, RegisterTable::kHoldingRegister},
      {"10001", 0, RegisterTable::kDiscreteInput},
      {"00001", 0, RegisterTable::kCoil},
      {"310021", 10020, RegisterTable::kInputRegister},
      {"365536", 65535, RegisterTable::kInputRegister},
      {"400001", 0, RegisterTable::kHoldingRegister},
      {"0x48", 72, std::nullopt},
      {"0X9C40", 40000, std::nullopt},
      {"0xFFFF", 65535, std::nullopt},
      {"72", 72, std::nullopt},
      {"0", 0, std::nullopt},
      {"1000", 1000, std::nullopt},
      {"9999", 9999, std::nullopt},
      {"50000", 50000, std::nullopt},  // 5xxxx names no table
      {"65535", 65535, std::nullopt},
  };
  for (const AddressCase& c : cases) {
    SCOPED_TRACE(c.text);
    Result<ParsedAddress> parsed = ParseRegisterAddress(c.text);
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    EXPECT_EQ(parsed->address, c.address);
    EXPECT_EQ(parsed->table, c.table);
  }
}

TEST(ModbusAddress, RejectsWhatIsNotAnAddress) {
  for (const char* text : {"", "-1", "30000", "40000", "300000", "365537", "0x", "0x10000", "0xG1",
                           "65536", "70000", "1234567", "3e4", " 72", "72 ", "30001.0"}) {
    SCOPED_TRACE(text);
    Result<ParsedAddress> parsed = ParseRegisterAddress(text);
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.status().code(), Status::Code::kInvalidArgument);
  }
  Result<ParsedAddress> zero = ParseRegisterAddress("40000");
  EXPECT_NE(zero.status().message().find("0x9C40"), std::string::npos) << zero.status().message();
}

}  // namespace
}  // namespace wattline::agent::modbus
