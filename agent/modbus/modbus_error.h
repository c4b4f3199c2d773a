// How a Modbus request failed, as far as the caller needs to know: to decide
// whether to retry, whether to reconnect, and which reason word to count in
// DeviceHealth (agent/sources/device_health.h).
//
// Thread-safety: plain values.
#ifndef WATTLINE_AGENT_MODBUS_MODBUS_ERROR_H_
#define WATTLINE_AGENT_MODBUS_MODBUS_ERROR_H_

#include <string_view>
#include <utility>

#include "agent/sources/device_health.h"
#include "common/status.h"

namespace wattline::agent::modbus {

enum class ModbusErrorKind {
  kNone,
  kTimeout,    // no answer in time: the device is off, or the wrong unit id
  kException,  // the device answered with a Modbus exception (illegal address...)
  kMalformed,  // an answer came but was damaged (CRC) or did not match the request
  kConnect,    // the TCP connection or serial port could not be opened, or broke
  kCancelled,  // the bus is shutting down
};

// A Status plus the kind of failure. ok() iff kind == kNone.
struct [[nodiscard]] ModbusStatus {
  ModbusErrorKind kind = ModbusErrorKind::kNone;
  Status status;

  static ModbusStatus Ok() { return {}; }
  static ModbusStatus Error(ModbusErrorKind kind, Status status) {
    return {kind, std::move(status)};
  }
  bool ok() const { return kind == ModbusErrorKind::kNone; }
};

// The DeviceHealth reason word: timeout, protocol (exceptions), malformed,
// connect. Cancelled and none count as connect; they are never recorded.
inline std::string_view HealthReason(ModbusErrorKind kind) {
  switch (kind) {
    case ModbusErrorKind::kTimeout:
      return kErrorTimeout;
    case ModbusErrorKind::kException:
      return kErrorProtocol;
    case ModbusErrorKind::kMalformed:
      return kErrorMalformed;
    case ModbusErrorKind::kNone:
    case ModbusErrorKind::kConnect:
    case ModbusErrorKind::kCancelled:
      return kErrorConnect;
  }
  return kErrorConnect;
}

// Whether repeating the request may help: not after an exception (the
// device's answer will not change) nor once the bus is shutting down.
inline bool IsRetryable(ModbusErrorKind kind) {
  return kind == ModbusErrorKind::kTimeout || kind == ModbusErrorKind::kMalformed ||
         kind == ModbusErrorKind::kConnect;
}

}  // namespace wattline::agent::modbus

#endif  // WATTLINE_AGENT_MODBUS_MODBUS_ERROR_H_
