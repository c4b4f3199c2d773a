// The libmodbus adapter: one Modbus TCP connection or one serial (RTU) line.
// This is the only file that includes <modbus/modbus.h>; libmodbus's int
// return codes and errno values become ModbusStatus here and nowhere else.
//
// Every call blocks, for up to the response timeout (or the connect time of
// TCP): call them on the bus's worker thread (modbus_bus.h), never on the
// loop. A connection is used by one thread at a time; only Cancel() may be
// called from another thread.
//
// Connection handling: a read connects first when not connected. After a
// broken connection the context is closed, so the next read reconnects; a TCP
// connection found broken at the start of a read (devices drop idle ones) is
// reopened and the request repeated once. After
// a timeout or a damaged answer, late bytes are flushed (RTU) or the TCP
// connection is closed, so a late answer is never taken for the next one.
//
// RTU framing: frames on a serial line are separated by at least 3.5
// character times (t3.5; Modbus over Serial Line V1.02 §2.5.1.1, DEVICES.md
// D.1). A read waits until t3.5 has passed since the end of the previous
// transaction on this line before it sends, so two slaves polled back to back
// see two frames, not one.
#ifndef WATTLINE_AGENT_MODBUS_MODBUS_CONNECTION_H_
#define WATTLINE_AGENT_MODBUS_MODBUS_CONNECTION_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "agent/modbus/modbus_error.h"
#include "agent/modbus/modbus_value.h"
#include "common/status.h"

typedef struct _modbus modbus_t;

namespace wattline::agent::modbus {

struct TcpEndpoint {
  std::string host;  // a name or a numeric IPv4/IPv6 address
  int port = 502;
};

struct SerialLine {
  std::string device;  // /dev/ttyUSB0
  int baud = 9600;
  char parity = 'N';  // 'N', 'E' or 'O'
  int data_bits = 8;
  int stop_bits = 1;
};

// t3.5 for `baud`: 3.5 characters of 11 bits below 19200 baud, 1750 µs
// above (the standard fixes it there).
int64_t InterFrameDelayMicros(int baud);

class ModbusConnection {
 public:
  // Errors: InvalidArgument for parameters libmodbus refuses (bad parity,
  // port out of range). Nothing is opened yet.
  static Result<std::unique_ptr<ModbusConnection>> CreateTcp(const TcpEndpoint& endpoint);
  static Result<std::unique_ptr<ModbusConnection>> CreateRtu(const SerialLine& line);
  ~ModbusConnection();
  ModbusConnection(const ModbusConnection&) = delete;
  ModbusConnection& operator=(const ModbusConnection&) = delete;

  // Where it connects, for messages: "tcp://host:port" or the serial device.
  const std::string& name() const { return name_; }
  bool is_rtu() const { return rtu_; }
  bool connected() const { return connected_; }

  // The unit (slave) id of the following requests: 1-247 on RTU, 0-247 or
  // 255 on TCP (libmodbus refuses others; the read then fails).
  void SetUnit(int unit);
  // How long a request waits for its answer, and how long a TCP connect may
  // take. REQUIRES: 1 <= timeout_ms <= 60000.
  void SetTimeout(int64_t timeout_ms);

  // Reads `count` registers or bits from `table` at `address` into dest[0 ..
  // count); bits come out as 0 or 1 per word. Connects first if needed.
  // REQUIRES: 1 <= count <= 125 for registers, <= 2000 for bits.
  // Errors: kConnect (cannot connect, connection broken), kTimeout, kException
  // (the message names the exception), kMalformed (CRC, wrong length or
  // unit), kCancelled.
  ModbusStatus Read(RegisterTable table, uint16_t address, uint16_t count, uint16_t* dest);

  void Close();

  // Makes the current and every later Read fail with kCancelled as soon as
  // possible: before a request is sent, or when the current one ends. The one
  // call that is safe from any thread.
  void Cancel() { cancelled_.store(true); }

 private:
  ModbusConnection(modbus_t* context, std::string name, bool rtu, int64_t frame_gap_us);
  ModbusStatus Connect();
  ModbusStatus ReadOnce(RegisterTable table, uint16_t address, uint16_t count, uint16_t* dest);
  // Converts the errno of a failed libmodbus call, and puts the line or
  // connection back into a state where the next request can succeed.
  ModbusStatus Fail(int error, std::string_view what);
  void WaitForQuietLine();

  modbus_t* context_;
  std::string name_;
  bool rtu_;
  bool connected_ = false;
  int unit_ = 1;
  int64_t timeout_ms_ = 1000;
  int64_t frame_gap_us_;
  std::chrono::steady_clock::time_point last_transaction_end_{};
  std::atomic<bool> cancelled_{false};
};

}  // namespace wattline::agent::modbus

#endif  // WATTLINE_AGENT_MODBUS_MODBUS_CONNECTION_H_
