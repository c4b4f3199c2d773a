// Cuts a Modbus RTU byte stream into request frames, for a server that
// answers several unit ids on one line.
//
// Why not modbus_receive(): libmodbus 3.1.6 filters RTU requests on the
// context's one slave id (_modbus_rtu_check_integrity returns 0 for any other
// id, before checking the CRC), and after such a frame it sets a private
// "confirmation to ignore" flag, so the next modbus_receive() reads the next
// frame as the other slave's reply and drops it. A simulator that answers a
// frame libmodbus ignored would therefore lose the request that follows, and
// no 3.1.6 API clears the flag. So the simulator reads the bytes itself, with
// this framer, and hands each whole frame to modbus_reply() (which takes the
// unit id from the frame, not from the context).
//
// Frame lengths follow libmodbus's own rules for requests
// (compute_meta_length_after_function / compute_data_length_after_meta):
// FC 1-6 are 8 bytes, FC 15/16 are 9 + byte count, FC 22 is 10, FC 23 is
// 13 + byte count, anything else is unit + function + CRC (4 bytes), which
// modbus_reply() answers with exception 1.
//
// Not thread-safe; one framer per serial line.
#ifndef WATTLINE_TESTS_SIM_MODBUS_RTU_FRAMER_H_
#define WATTLINE_TESTS_SIM_MODBUS_RTU_FRAMER_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace wattline::sim {

// CRC-16/MODBUS (polynomial 0xA001 reflected, initial 0xFFFF). On the wire
// the low byte goes first: the CRC of 01 03 00 02 00 02 is 0xCB65, sent
// 65 CB (DEVICES.md D.1).
uint16_t ModbusCrc16(const uint8_t* data, size_t size);

// The length in bytes, CRC included, of the request frame that starts with
// bytes[0 .. size): 0 when more bytes are needed to tell.
size_t RtuRequestLength(const uint8_t* bytes, size_t size);

class RtuRequestFramer {
 public:
  enum class Next { kNeedMore, kFrame, kBadFrame };

  void Append(const uint8_t* data, size_t size);
  // kFrame: moves the first whole frame, CRC checked, into `frame`.
  // kBadFrame: the first frame failed its CRC or is longer than 256 bytes;
  // everything buffered is dropped, since where the next frame starts is
  // unknown. kNeedMore: no whole frame yet.
  Next TakeFrame(std::vector<uint8_t>* frame);
  // Drops a partial frame (the line went quiet in the middle of one).
  void Reset() { buffer_.clear(); }
  size_t buffered() const { return buffer_.size(); }

 private:
  std::vector<uint8_t> buffer_;
};

}  // namespace wattline::sim

#endif  // WATTLINE_TESTS_SIM_MODBUS_RTU_FRAMER_H_
