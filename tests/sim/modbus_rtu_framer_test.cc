#include "tests/sim/modbus_rtu_framer.h"

#include <gtest/gtest.h>

#include <vector>

namespace wattline::sim {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes WithCrc(Bytes frame) {
  const uint16_t crc = ModbusCrc16(frame.data(), frame.size());
  frame.push_back(static_cast<uint8_t>(crc & 0xFF));
  frame.push_back(static_cast<uint8_t>(crc >> 8));
  return frame;
}

// The frames of DEVICES.md D.1.
TEST(ModbusRtuFramer, CrcMatchesKnownFrames) {
  EXPECT_EQ(WithCrc({0x01, 0x03, 0x00, 0x02, 0x00, 0x02}),
            (Bytes{0x01, 0x03, 0x00, 0x02, 0x00, 0x02, 0x65, 0xCB}));
  EXPECT_EQ(WithCrc({0x01, 0x04, 0x00, 0x00, 0x00, 0x4C}),
            (Bytes{0x01, 0x04, 0x00, 0x00, 0x00, 0x4C, 0xF1, 0xFF}));
}

TEST(ModbusRtuFramer, LengthsFollowTheFunctionCode) {
  const Bytes read = {0x01, 0x04, 0, 0, 0, 2};
  EXPECT_EQ(RtuRequestLength(read.data(), 1), 0u);
  EXPECT_EQ(RtuRequestLength(read.data(), 2), 8u);
  const Bytes write = {0x01, 0x10, 0x00, 0x1C, 0x00, 0x02, 0x04};
  EXPECT_EQ(RtuRequestLength(write.data(), 6), 0u);
  EXPECT_EQ(RtuRequestLength(write.data(), 7), 13u);  // 01 10 00 1C 00 02 04 + 4 + CRC
  const Bytes report_slave_id = {0x01, 0x11};
  EXPECT_EQ(RtuRequestLength(report_slave_id.data(), 2), 4u);
}

TEST(ModbusRtuFramer, SplitsBackToBackFramesAndWaitsForPartialOnes) {
  const Bytes first = WithCrc({0x01, 0x04, 0x00, 0x48, 0x00, 0x02});
  const Bytes second = WithCrc({0x07, 0x03, 0x9C, 0x40, 0x00, 0x02});
  Bytes stream = first;
  stream.insert(stream.end(), second.begin(), second.end());
  RtuRequestFramer framer;
  framer.Append(stream.data(), stream.size() - 3);
  Bytes frame;
  ASSERT_EQ(framer.TakeFrame(&frame), RtuRequestFramer::Next::kFrame);
  EXPECT_EQ(frame, first);
  EXPECT_EQ(framer.TakeFrame(&frame), RtuRequestFramer::Next::kNeedMore);
  framer.Append(stream.data() + stream.size() - 3, 3);
  ASSERT_EQ(framer.TakeFrame(&frame), RtuRequestFramer::Next::kFrame);
  EXPECT_EQ(frame, second);
  EXPECT_EQ(framer.buffered(), 0u);
}

TEST(ModbusRtuFramer, BadCrcDropsEverythingBuffered) {
  Bytes bad = WithCrc({0x01, 0x04, 0x00, 0x00, 0x00, 0x4C});
  bad[7] ^= 0x01;
  const Bytes good = WithCrc({0x01, 0x04, 0x00, 0x00, 0x00, 0x02});
  RtuRequestFramer framer;
  framer.Append(bad.data(), bad.size());
  framer.Append(good.data(), good.size());
  Bytes frame;
  EXPECT_EQ(framer.TakeFrame(&frame), RtuRequestFramer::Next::kBadFrame);
  EXPECT_EQ(framer.buffered(), 0u);
  framer.Append(good.data(), good.size());
  ASSERT_EQ(framer.TakeFrame(&frame), RtuRequestFramer::Next::kFrame);
  EXPECT_EQ(frame, good);
}

TEST(ModbusRtuFramer, ResetDropsAPartialFrame) {
  const Bytes frame = WithCrc({0x02, 0x04, 0x00, 0x00, 0x00, 0x02});
  RtuRequestFramer framer;
  framer.Append(frame.data(), 5);
  framer.Reset();
  framer.Append(frame.data(), frame.size());
  Bytes out;
  ASSERT_EQ(framer.TakeFrame(&out), RtuRequestFramer::Next::kFrame);
  EXPECT_EQ(out, frame);
}

}  // namespace
}  // namespace wattline::sim
