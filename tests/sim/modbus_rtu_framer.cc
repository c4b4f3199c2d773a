#include "tests/sim/modbus_rtu_framer.h"

namespace wattline::sim {
namespace {

constexpr size_t kMaxRtuFrame = 256;  // MODBUS_RTU_MAX_ADU_LENGTH

}  // namespace

uint16_t ModbusCrc16(const uint8_t* data, size_t size) {
  uint16_t crc = 0xFFFF;
  for (size_t i = 0; i < size; ++i) {
    crc ^= data[i];
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc & 1) != 0 ? static_cast<uint16_t>((crc >> 1) ^ 0xA001)
                           : static_cast<uint16_t>(crc >> 1);
    }
  }
  return crc;
}

size_t RtuRequestLength(const uint8_t* bytes, size_t size) {
  if (size < 2) return 0;
  const uint8_t function = bytes[1];
  if (function <= 6) return 8;  // unit, function, address, count or value, CRC
  if (function == 15 || function == 16) return size < 7 ? 0 : 9 + size_t{bytes[6]};
  if (function == 22) return 10;  // mask write: address, AND mask, OR mask
  if (function == 23) return size < 11 ? 0 : 13 + size_t{bytes[10]};
  return 4;  // 7 (read exception status), 17 (report slave id), unknown
}

void RtuRequestFramer::Append(const uint8_t* data, size_t size) {
  buffer_.insert(buffer_.end(), data, data + size);
}

RtuRequestFramer::Next RtuRequestFramer::TakeFrame(std::vector<uint8_t>* frame) {
  const size_t length = RtuRequestLength(buffer_.data(), buffer_.size());
  if (length == 0) return Next::kNeedMore;
  if (length > kMaxRtuFrame) {
    buffer_.clear();
    return Next::kBadFrame;
  }
  if (buffer_.size() < length) return Next::kNeedMore;
  const uint16_t received = static_cast<uint16_t>(buffer_[length - 2] | (buffer_[length - 1] << 8));
  if (ModbusCrc16(buffer_.data(), length - 2) != received) {
    buffer_.clear();
    return Next::kBadFrame;
  }
  frame->assign(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(length));
  buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(length));
  return Next::kFrame;
}

}  // namespace wattline::sim
