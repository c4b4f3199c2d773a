// Read planning: which Modbus requests fetch a set of fields. Fields that lie
// close together in one table are merged into one request, so an SDM630's
// voltages, currents, powers, frequency and energies (76 registers) cost one
// round trip instead of twenty-odd: on a 9600-baud RS485 bus each request
// costs its frame time plus a turnaround, and the bus is shared.
//
// A request never exceeds the device's limit (Modbus allows 125 registers or
// 2000 bits; an Eastron meter takes 80 registers), never bridges a gap of
// more than `max_gap` unused registers (a register nobody asked for may not
// exist on the device and fail the whole request), and, when the device
// requires it, starts at an even address and reads an even count (Eastron
// rejects odd ones, DEVICES.md D.1). Bit tables (coils, discrete inputs) are
// never aligned.
//
// Thread-safety: pure functions.
#ifndef WATTLINE_AGENT_MODBUS_READ_PLAN_H_
#define WATTLINE_AGENT_MODBUS_READ_PLAN_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "agent/modbus/modbus_value.h"
#include "common/status.h"

namespace wattline::agent::modbus {

// Modbus's own limits per request (libmodbus's MODBUS_MAX_READ_REGISTERS and
// MODBUS_MAX_READ_BITS).
inline constexpr int kMaxReadRegisters = 125;
inline constexpr int kMaxReadBits = 2000;

struct ReadLimits {
  int max_registers = kMaxReadRegisters;  // 1..125
  int max_bits = kMaxReadBits;            // 1..2000
  bool even_alignment = false;            // registers only
  int max_gap = 16;                       // unused registers (or bits) bridged, >= 0
};

// The registers (or bits) one field occupies.
struct RegisterSpan {
  RegisterTable table = RegisterTable::kInputRegister;
  uint16_t address = 0;
  uint16_t count = 1;  // >= 1
};

// One request, and the spans (indices into the planner's input) it covers.
struct PlannedRead {
  RegisterTable table = RegisterTable::kInputRegister;
  uint16_t address = 0;
  uint16_t count = 0;
  std::vector<size_t> spans;
};

// Plans the requests for `spans`, in table order (coils, discrete inputs,
// input registers, holding registers) then address order. Spans may overlap
// or repeat (several SunSpec fields share one scale-factor register).
//
// Errors: InvalidArgument when limits are out of range, a span is empty,
// runs past address 65535, or does not fit in one request by itself (after
// alignment); the message names the span's table and address.
Result<std::vector<PlannedRead>> PlanReads(std::span<const RegisterSpan> spans,
                                           const ReadLimits& limits);

}  // namespace wattline::agent::modbus

#endif  // WATTLINE_AGENT_MODBUS_READ_PLAN_H_
