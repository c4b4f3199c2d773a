#include "agent/modbus/sunspec.h"

#include <cmath>
#include <string>

namespace wattline::agent::modbus {
namespace {

std::string BaseList(const SunSpecOptions& options) {
  std::string list;
  for (uint16_t base : options.bases) {
    if (!list.empty()) list += ", ";
    list += std::to_string(base);
  }
  return list;
}

ModbusStatus NotFound(std::string message) {
  return ModbusStatus::Error(ModbusErrorKind::kException, Status::NotFound(std::move(message)));
}

}  // namespace

ModbusStatus FindSunSpecModel(const HoldingReader& read, const SunSpecOptions& options,
                              SunSpecModelLocation* out) {
  for (uint16_t base : options.bases) {
    uint16_t marker[2] = {0, 0};
    ModbusStatus status = read(base, 2, marker);
    if (status.kind == ModbusErrorKind::kException) continue;  // no registers there
    if (!status.ok()) return status;
    if (marker[0] != kSunSpecMarker0 || marker[1] != kSunSpecMarker1) continue;

    std::string seen;
    uint32_t address = uint32_t{base} + 2;
    for (int models = 0; models < kMaxSunSpecModels; ++models) {
      if (address + 2 > 0x10000) break;
      uint16_t header[2] = {0, 0};
      status = read(static_cast<uint16_t>(address), 2, header);
      if (!status.ok()) return status;
      const uint16_t id = header[0];
      const uint16_t length = header[1];
      if (id == kSunSpecEndModel) {
        return NotFound("SunSpec model " + std::to_string(options.model) + " not found at base " +
                        std::to_string(base) + " (models: " + (seen.empty() ? "none" : seen) + ")");
      }
      if (id == options.model) {
        if (address + 2 + length > 0x10000) break;
        out->address = static_cast<uint16_t>(address);
        out->length = length;
        return ModbusStatus::Ok();
      }
      if (!seen.empty()) seen += ", ";
      seen += std::to_string(id);
      address += uint32_t{length} + 2;
    }
    return NotFound("SunSpec model " + std::to_string(options.model) + " not found at base " +
                    std::to_string(base) + ": the model chain (" + seen +
                    ") has no end model within address range and " +
                    std::to_string(kMaxSunSpecModels) + " models");
  }
  return NotFound("no SunSpec marker \"SunS\" at " + BaseList(options));
}

bool IsSunSpecNotImplemented(uint64_t bits, ValueType type) {
  switch (type) {
    case ValueType::kInt16:
      return bits == 0x8000;
    case ValueType::kUint16:
      return bits == 0xFFFF;
    case ValueType::kInt32:
      return bits == 0x80000000u;
    case ValueType::kUint32:
      return bits == 0xFFFFFFFFu;
    case ValueType::kInt64:
      return bits == 0x8000000000000000u;
    case ValueType::kUint64:
      return bits == 0xFFFFFFFFFFFFFFFFu;
    case ValueType::kAcc16:
    case ValueType::kAcc32:
    case ValueType::kAcc64:
      return bits == 0;
    case ValueType::kFloat32:
    case ValueType::kFloat64:
      return std::isnan(BitsToDouble(bits, type));
    case ValueType::kBool:
      return false;
  }
  return false;
}

}  // namespace wattline::agent::modbus
