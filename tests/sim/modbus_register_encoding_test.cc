#include "tests/sim/modbus_register_encoding.h"

#include <gtest/gtest.h>
#include <modbus/modbus.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

namespace wattline::sim {
namespace {

using Words2 = std::array<uint16_t, 2>;
using Words4 = std::array<uint16_t, 4>;

Words2 Float32Words(float value, WordOrder order) {
  Words2 words{};
  PutFloat32(value, order, words.data());
  return words;
}

// 123456.0f is 0x47F12000; DEVICES.md D.5 checked get_abcd({0x47F1,0x2000}).
TEST(ModbusRegisterEncoding, Float32InEachWordOrder) {
  EXPECT_EQ(Float32Words(123456.0f, WordOrder::kAbcd), (Words2{0x47F1, 0x2000}));
  EXPECT_EQ(Float32Words(123456.0f, WordOrder::kCdab), (Words2{0x2000, 0x47F1}));
  EXPECT_EQ(Float32Words(123456.0f, WordOrder::kBadc), (Words2{0xF147, 0x0020}));
  EXPECT_EQ(Float32Words(123456.0f, WordOrder::kDcba), (Words2{0x0020, 0xF147}));
}

// libmodbus 3.1.6's getters read host-order words correctly (only its
// setters are broken), so they make an independent check of the encoder.
TEST(ModbusRegisterEncoding, Float32AgreesWithLibmodbusGetters) {
  for (float value : {123456.0f, -1234.5625f, 230.1f, 0.0f, -0.985f, 12345.678f}) {
    EXPECT_EQ(modbus_get_float_abcd(Float32Words(value, WordOrder::kAbcd).data()), value);
    EXPECT_EQ(modbus_get_float_cdab(Float32Words(value, WordOrder::kCdab).data()), value);
    EXPECT_EQ(modbus_get_float_badc(Float32Words(value, WordOrder::kBadc).data()), value);
    EXPECT_EQ(modbus_get_float_dcba(Float32Words(value, WordOrder::kDcba).data()), value);
  }
}

// The SDM630 import energy of DEVICES.md D.5's end-to-end check.
TEST(ModbusRegisterEncoding, Sdm630ImportEnergyWords) {
  EXPECT_EQ(Float32Words(12345.678f, WordOrder::kAbcd), (Words2{0x4640, 0xE6B6}));
}

TEST(ModbusRegisterEncoding, SixteenBitValuesSwapBytesOnlyInBadcAndDcba) {
  uint16_t word = 0;
  PutInt16(-12345, WordOrder::kAbcd, &word);  // 0xCFC7
  EXPECT_EQ(word, 0xCFC7);
  PutInt16(-12345, WordOrder::kCdab, &word);
  EXPECT_EQ(word, 0xCFC7);
  PutInt16(-12345, WordOrder::kBadc, &word);
  EXPECT_EQ(word, 0xC7CF);
  PutUint16(0xA1B2, WordOrder::kDcba, &word);
  EXPECT_EQ(word, 0xB2A1);
}

TEST(ModbusRegisterEncoding, ThirtyTwoBitIntegers) {
  Words2 words{};
  PutUint32(0x12345678, WordOrder::kAbcd, words.data());
  EXPECT_EQ(words, (Words2{0x1234, 0x5678}));
  PutUint32(0x12345678, WordOrder::kCdab, words.data());
  EXPECT_EQ(words, (Words2{0x5678, 0x1234}));
  PutUint32(0x12345678, WordOrder::kBadc, words.data());
  EXPECT_EQ(words, (Words2{0x3412, 0x7856}));
  PutUint32(0x12345678, WordOrder::kDcba, words.data());
  EXPECT_EQ(words, (Words2{0x7856, 0x3412}));
  PutInt32(-123456789, WordOrder::kAbcd, words.data());  // 0xF8A432EB
  EXPECT_EQ(words, (Words2{0xF8A4, 0x32EB}));
}

TEST(ModbusRegisterEncoding, SixtyFourBitValuesExtendTheSameRules) {
  Words4 words{};
  PutUint64(0x0102030405060708, WordOrder::kAbcd, words.data());
  EXPECT_EQ(words, (Words4{0x0102, 0x0304, 0x0506, 0x0708}));
  PutUint64(0x0102030405060708, WordOrder::kCdab, words.data());
  EXPECT_EQ(words, (Words4{0x0708, 0x0506, 0x0304, 0x0102}));
  PutUint64(0x0102030405060708, WordOrder::kBadc, words.data());
  EXPECT_EQ(words, (Words4{0x0201, 0x0403, 0x0605, 0x0807}));
  PutUint64(0x0102030405060708, WordOrder::kDcba, words.data());
  EXPECT_EQ(words, (Words4{0x0807, 0x0605, 0x0403, 0x0201}));
  PutInt64(-2, WordOrder::kAbcd, words.data());
  EXPECT_EQ(words, (Words4{0xFFFF, 0xFFFF, 0xFFFF, 0xFFFE}));
  PutFloat64(1.0, WordOrder::kAbcd, words.data());  // 0x3FF0000000000000
  EXPECT_EQ(words, (Words4{0x3FF0, 0, 0, 0}));
}

// kDcba is the value's little-endian memory image sent byte by byte.
TEST(ModbusRegisterEncoding, DcbaIsLittleEndianBytes) {
  const double value = -98765.4321012345;
  Words4 words{};
  PutFloat64(value, WordOrder::kDcba, words.data());
  uint8_t wire[8];
  for (int i = 0; i < 4; ++i) {
    wire[2 * i] = static_cast<uint8_t>(words[i] >> 8);
    wire[2 * i + 1] = static_cast<uint8_t>(words[i]);
  }
  uint64_t bits = 0;
  for (int i = 7; i >= 0; --i) bits = (bits << 8) | wire[i];
  double decoded = 0;
  std::memcpy(&decoded, &bits, sizeof decoded);
  EXPECT_EQ(decoded, value);
}

TEST(ModbusRegisterEncoding, GetBitsUndoesPutBits) {
  for (int registers : {1, 2, 4}) {
    const uint64_t mask = registers == 4 ? ~uint64_t{0} : (uint64_t{1} << (16 * registers)) - 1;
    const uint64_t bits = 0xFEDCBA9876543210 & mask;
    for (WordOrder order : kAllWordOrders) {
      uint16_t words[4] = {};
      PutBits(bits, registers, order, words);
      EXPECT_EQ(GetBits(words, registers, order), bits)
          << registers << " registers, " << WordOrderName(order);
    }
  }
}

TEST(ModbusRegisterEncoding, StringsAreTwoCharactersPerRegisterNulPadded) {
  uint16_t words[4] = {1, 1, 1, 1};
  PutString("SunS", 2, words);
  EXPECT_EQ(words[0], 0x5375);
  EXPECT_EQ(words[1], 0x6E53);
  PutString("abc", 3, words);
  EXPECT_EQ(words[0], 0x6162);
  EXPECT_EQ(words[1], 0x6300);
  EXPECT_EQ(words[2], 0x0000);
  PutString("toolong", 1, words);
  EXPECT_EQ(words[0], 0x746F);
  EXPECT_EQ(words[1], 0x6300);  // untouched past `registers`
}

TEST(ModbusRegisterEncoding, NamesRoundTrip) {
  for (WordOrder order : kAllWordOrders) {
    EXPECT_EQ(ParseWordOrder(WordOrderName(order)), order);
  }
  EXPECT_FALSE(ParseWordOrder("ABCD").has_value());
  EXPECT_EQ(RegisterCount(ValueType::kUint16), 1);
  EXPECT_EQ(RegisterCount(ValueType::kFloat32), 2);
  EXPECT_EQ(RegisterCount(ValueType::kInt64), 4);
}

}  // namespace
}  // namespace wattline::sim
