#include "agent/modbus/modbus_connection.h"

#include <modbus/modbus.h>

#include <cerrno>
#include <cstring>
#include <thread>
#include <vector>

#include "agent/net/host_port.h"

namespace wattline::agent::modbus {
namespace {

std::string ReadDescription(RegisterTable table, uint16_t address, uint16_t count, int unit) {
  return "read " + std::string(RegisterTableName(table)) + " " + std::to_string(address) + "+" +
         std::to_string(count) + " from unit " + std::to_string(unit);
}

}  // namespace

int64_t InterFrameDelayMicros(int baud) {
  if (baud <= 0 || baud > 19200) return 1750;
  // 3.5 characters of 11 bits (start, 8 data, parity or a second stop, stop),
  // in µs, rounded up: 4011 µs at 9600 baud.
  return (38'500'000LL + baud - 1) / baud;
}

Result<std::unique_ptr<ModbusConnection>> ModbusConnection::CreateTcp(const TcpEndpoint& endpoint) {
  if (endpoint.host.empty()) return Status::InvalidArgument("Modbus TCP host is empty");
  if (endpoint.port < 1 || endpoint.port > 65535) {
    return Status::InvalidArgument("Modbus TCP port " + std::to_string(endpoint.port) +
                                   " is outside 1-65535");
  }
  // modbus_new_tcp_pi resolves names (modbus_new_tcp takes IPv4 numbers only).
  modbus_t* context =
      modbus_new_tcp_pi(endpoint.host.c_str(), std::to_string(endpoint.port).c_str());
  if (context == nullptr) {
    return Status::InvalidArgument("cannot set up Modbus TCP to " + endpoint.host + ": " +
                                   modbus_strerror(errno));
  }
  return std::unique_ptr<ModbusConnection>(
      new ModbusConnection(context, "tcp://" + HostPort(endpoint.host, endpoint.port), false, 0));
}

Result<std::unique_ptr<ModbusConnection>> ModbusConnection::CreateRtu(const SerialLine& line) {
  if (line.device.empty()) return Status::InvalidArgument("serial port is empty");
  if (line.parity != 'N' && line.parity != 'E' && line.parity != 'O') {
    return Status::InvalidArgument("parity must be N, E or O");
  }
  if (line.baud <= 0) return Status::InvalidArgument("baud must be positive");
  if (line.data_bits < 5 || line.data_bits > 8) {
    return Status::InvalidArgument("data bits must be 5-8");
  }
  if (line.stop_bits < 1 || line.stop_bits > 2) {
    return Status::InvalidArgument("stop bits must be 1 or 2");
  }
  modbus_t* context =
      modbus_new_rtu(line.device.c_str(), line.baud, line.parity, line.data_bits, line.stop_bits);
  if (context == nullptr) {
    return Status::InvalidArgument("cannot set up Modbus RTU on " + line.device + ": " +
                                   modbus_strerror(errno));
  }
  return std::unique_ptr<ModbusConnection>(
      new ModbusConnection(context, line.device, true, InterFrameDelayMicros(line.baud)));
}

ModbusConnection::ModbusConnection(modbus_t* context, std::string name, bool rtu,
                                   int64_t frame_gap_us)
    : context_(context), name_(std::move(name)), rtu_(rtu), frame_gap_us_(frame_gap_us) {
  SetTimeout(timeout_ms_);
}

ModbusConnection::~ModbusConnection() {
  Close();
  modbus_free(context_);
}

void ModbusConnection::SetUnit(int unit) { unit_ = unit; }

void ModbusConnection::SetTimeout(int64_t timeout_ms) {
  timeout_ms_ = timeout_ms;
  const auto seconds = static_cast<uint32_t>(timeout_ms / 1000);
  const auto micros = static_cast<uint32_t>((timeout_ms % 1000) * 1000);
  // Also bounds a TCP connect (libmodbus waits response_timeout for it).
  modbus_set_response_timeout(context_, seconds, micros);
}

void ModbusConnection::Close() {
  if (connected_) modbus_close(context_);
  connected_ = false;
}

ModbusStatus ModbusConnection::Connect() {
  if (modbus_connect(context_) == -1) {
    const int error = errno;
    // libmodbus leaves the socket or tty open on some failures.
    modbus_close(context_);
    return ModbusStatus::Error(
        ModbusErrorKind::kConnect,
        Status::Unavailable("cannot connect to " + name_ + ": " + modbus_strerror(error)));
  }
  connected_ = true;
  last_transaction_end_ = std::chrono::steady_clock::now();
  return ModbusStatus::Ok();
}

void ModbusConnection::WaitForQuietLine() {
  if (!rtu_) return;
  std::this_thread::sleep_until(last_transaction_end_ + std::chrono::microseconds(frame_gap_us_));
}

ModbusStatus ModbusConnection::Read(RegisterTable table, uint16_t address, uint16_t count,
                                    uint16_t* dest) {
  const bool was_connected = connected_;
  ModbusStatus status = ReadOnce(table, address, count, dest);
  // A TCP device or gateway may drop a connection that sat idle between
  // polls; that is no failure of the device, so reconnect once, at once.
  if (status.kind == ModbusErrorKind::kConnect && was_connected && !rtu_) {
    status = ReadOnce(table, address, count, dest);
  }
  return status;
}

ModbusStatus ModbusConnection::ReadOnce(RegisterTable table, uint16_t address, uint16_t count,
                                        uint16_t* dest) {
  const bool bits = IsBitTable(table);
  if (cancelled_.load()) {
    return ModbusStatus::Error(ModbusErrorKind::kCancelled,
                               Status::Unavailable(name_ + ": the bus is shutting down"));
  }
  if (count == 0 || count > (bits ? MODBUS_MAX_READ_BITS : MODBUS_MAX_READ_REGISTERS)) {
    return ModbusStatus::Error(
        ModbusErrorKind::kMalformed,
        Status::Internal(ReadDescription(table, address, count, unit_) + ": count out of range"));
  }
  if (!connected_) {
    ModbusStatus connected = Connect();
    if (!connected.ok()) return connected;
  }
  if (modbus_set_slave(context_, unit_) == -1) {
    return ModbusStatus::Error(
        ModbusErrorKind::kMalformed,
        Status::InvalidArgument(name_ + ": unit " + std::to_string(unit_) + " is not valid here"));
  }
  WaitForQuietLine();
  int rc = -1;
  std::vector<uint8_t> bit_values;
  switch (table) {
    case RegisterTable::kCoil:
    case RegisterTable::kDiscreteInput:
      bit_values.resize(count);
      rc = table == RegisterTable::kCoil
               ? modbus_read_bits(context_, address, count, bit_values.data())
               : modbus_read_input_bits(context_, address, count, bit_values.data());
      break;
    case RegisterTable::kInputRegister:
      rc = modbus_read_input_registers(context_, address, count, dest);
      break;
    case RegisterTable::kHoldingRegister:
      rc = modbus_read_registers(context_, address, count, dest);
      break;
  }
  const int error = errno;
  last_transaction_end_ = std::chrono::steady_clock::now();
  if (rc == -1) return Fail(error, ReadDescription(table, address, count, unit_));
  if (rc != count) {
    return Fail(EMBBADDATA, ReadDescription(table, address, count, unit_) + ": got " +
                                std::to_string(rc) + " values");
  }
  for (size_t i = 0; i < bit_values.size(); ++i) dest[i] = bit_values[i] != 0 ? 1 : 0;
  return ModbusStatus::Ok();
}

ModbusStatus ModbusConnection::Fail(int error, std::string_view what) {
  const std::string message = name_ + ": " + std::string(what) + ": " + modbus_strerror(error);
  if (error > MODBUS_ENOBASE && error <= EMBXGTAR) {
    // The device answered; the line and connection are fine.
    return ModbusStatus::Error(ModbusErrorKind::kException,
                               Status::Unavailable(message + " (Modbus exception " +
                                                   std::to_string(error - MODBUS_ENOBASE) + ")"));
  }
  const bool malformed = error == EMBBADCRC || error == EMBBADDATA || error == EMBBADEXC ||
                         error == EMBUNKEXC || error == EMBBADSLAVE || error == EMBMDATA;
  if (malformed || error == ETIMEDOUT) {
    // A late or damaged answer must not be read as the next one: on a serial
    // line drop what has arrived; over TCP start a fresh connection, which also
    // drops whatever is still on its way.
    if (rtu_) {
      modbus_flush(context_);
    } else {
      Close();
    }
    return ModbusStatus::Error(malformed ? ModbusErrorKind::kMalformed : ModbusErrorKind::kTimeout,
                               Status::Unavailable(message));
  }
  Close();
  return ModbusStatus::Error(ModbusErrorKind::kConnect, Status::Unavailable(message));
}

}  // namespace wattline::agent::modbus
