// SunSpec: finding a model in a device's holding registers, and the values
// that mean "not implemented" (DEVICES.md D.4; sunspec/models, pysunspec2).
//
// A SunSpec device marks the start of its map with "SunS" (0x5375 0x6E53) at
// one of a few base addresses (40000, 50000 or 0, wire addresses). Models
// follow it, each a header of ID and L (the length of the block after the
// header), until the end model 0xFFFF. A profile names the model it reads;
// its field addresses are offsets from that model's ID register.
//
// Thread-safety: pure functions; FindSunSpecModel runs on whatever thread
// `read` may be called on (the bus worker).
#ifndef WATTLINE_AGENT_MODBUS_SUNSPEC_H_
#define WATTLINE_AGENT_MODBUS_SUNSPEC_H_

#include <cstdint>
#include <functional>

#include "agent/modbus/modbus_error.h"
#include "agent/modbus/modbus_profile.h"
#include "agent/modbus/modbus_value.h"

namespace wattline::agent::modbus {

inline constexpr uint16_t kSunSpecMarker0 = 0x5375;  // "Su"
inline constexpr uint16_t kSunSpecMarker1 = 0x6E53;  // "nS"
inline constexpr uint16_t kSunSpecEndModel = 0xFFFF;
inline constexpr uint16_t kSunSpecScaleFactorMissing = 0x8000;
// Models walked before giving up: a real device has a handful; this bounds the
// walk over a map that loops or never ends.
inline constexpr int kMaxSunSpecModels = 128;

// Reads `count` holding registers at `address` into dest[0 .. count).
using HoldingReader = std::function<ModbusStatus(uint16_t address, uint16_t count, uint16_t* dest)>;

struct SunSpecModelLocation {
  uint16_t address = 0;  // of the model's ID register
  uint16_t length = 0;   // L: registers after the ID and L registers
};

// Looks for the "SunS" marker at each of options.bases in turn, then walks
// the models after it to the one with id options.model.
//
// Errors: the reader's own error when a read times out, breaks the
// connection or is damaged; kException when no base holds the marker (an
// exception at a base only means "not here"), when the walk ends, runs past
// address 65535 or passes kMaxSunSpecModels without finding the model; the
// message names the bases or the models seen.
ModbusStatus FindSunSpecModel(const HoldingReader& read, const SunSpecOptions& options,
                              SunSpecModelLocation* out);

// True when `bits` (the value's bits as AssembleWords gives them) is the
// "not implemented" value of SunSpec `type`: 0x8000 for int16, 0xFFFF for
// uint16, 0x80000000 for int32, 0xFFFFFFFF for uint32, the same pattern for
// 64 bits, 0 for the accumulators (acc16/32/64), NaN for floats.
bool IsSunSpecNotImplemented(uint64_t bits, ValueType type);

}  // namespace wattline::agent::modbus

#endif  // WATTLINE_AGENT_MODBUS_SUNSPEC_H_
