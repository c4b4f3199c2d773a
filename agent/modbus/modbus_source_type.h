// `type: modbus_tcp` and `type: modbus_rtu` in the agent's `sources:` list:
// one entry per bus (a TCP endpoint or a serial port), with its devices.
//
//   sources:
//     - type: modbus_tcp
//       host: 192.168.1.60      # required
//       port: 502
//       timeout: 1s             # defaults for the devices below
//       interval: 10s
//       retries: 1
//       devices:
//         - device: heatpump    # the device label, required
//           unit: 1             # slave id
//           profile: eastron_sdm630   # required
//           interval: 10s       # overrides
//           timeout: 1s
//           retries: 1
//     - type: modbus_rtu
//       serial_port: /dev/ttyUSB0   # required
//       baud: 9600
//       parity: N               # N, E or O
//       data_bits: 8
//       stop_bits: 1
//       devices: [...]
//
// A profile is a built-in name, PROFILE_DIR/NAME.yaml, or a path (a value with
// a '/'); see builtin_profiles.h. Profiles are loaded and checked when the
// config is read, so --check-config reports a broken profile with its file and
// line.
#ifndef WATTLINE_AGENT_MODBUS_MODBUS_SOURCE_TYPE_H_
#define WATTLINE_AGENT_MODBUS_MODBUS_SOURCE_TYPE_H_

#include "agent/sources/source_type.h"

namespace wattline::agent {

const SourceType& ModbusTcpSourceType();
const SourceType& ModbusRtuSourceType();

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_MODBUS_MODBUS_SOURCE_TYPE_H_
