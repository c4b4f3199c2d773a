#include "tests/sim/modbus_unit_config.h"

#include <modbus/modbus.h>

#include <algorithm>
#include <charconv>
#include <string>

namespace wattline::sim {
namespace {

bool ParseInt(std::string_view text, int min, int max, int* out) {
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    return false;
  }
  *out = value;
  return true;
}

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t at = text.find(separator, start);
    parts.push_back(text.substr(start, at == std::string_view::npos ? text.npos : at - start));
    if (at == std::string_view::npos) return parts;
    start = at + 1;
  }
}

}  // namespace

Result<UnitConfig> ParseUnitFlag(std::string_view text) {
  const std::vector<std::string_view> parts = Split(text, ':');
  if (parts.size() < 2 || parts.size() > 3) {
    return Status::InvalidArgument("--unit wants ID:MODEL[:OPTIONS], got \"" + std::string(text) +
                                   "\"");
  }
  UnitConfig unit;
  if (!ParseInt(parts[0], 1, 255, &unit.meter.unit_id)) {
    return Status::InvalidArgument("--unit: bad unit id \"" + std::string(parts[0]) +
                                   "\" (1..255)");
  }
  const std::optional<MeterModel> model = ParseMeterModel(parts[1]);
  if (!model) {
    return Status::InvalidArgument(
        "--unit: unknown model \"" + std::string(parts[1]) +
        "\" (sdm120, sdm630, sdm72, sunspec203, shelly_pro3em, pattern)");
  }
  unit.meter.model = *model;
  if (parts.size() == 3) {
    for (std::string_view option : Split(parts[2], ',')) {
      int base = 0;
      if (*model == MeterModel::kSunSpec203 && option.starts_with("base=") &&
          ParseInt(option.substr(5), 0, 65535, &base) &&
          (base == 40000 || base == 50000 || base == 0)) {
        unit.meter.sunspec_base = static_cast<uint16_t>(base);
      } else {
        return Status::InvalidArgument("--unit: unknown option \"" + std::string(option) +
                                       "\" for " + std::string(parts[1]) +
                                       " (sunspec203 takes base=40000|50000|0)");
      }
    }
  }
  return unit;
}

Status ApplyFaultFlag(std::string_view text, std::vector<UnitConfig>* units) {
  const std::vector<std::string_view> parts = Split(text, ':');
  int id = 0;
  if (parts.size() < 2 || !ParseInt(parts[0], 1, 255, &id)) {
    return Status::InvalidArgument("--fault wants ID:KIND[:VALUE], got \"" + std::string(text) +
                                   "\"");
  }
  auto unit = std::find_if(units->begin(), units->end(),
                           [id](const UnitConfig& u) { return u.meter.unit_id == id; });
  if (unit == units->end()) {
    return Status::InvalidArgument("--fault " + std::string(text) + ": no --unit " +
                                   std::to_string(id) + " (give --unit first)");
  }
  if (parts.size() == 2 && parts[1] == "silent") {
    unit->faults.silent = true;
  } else if (parts.size() == 3 && parts[1] == "exception" &&
             ParseInt(parts[2], 1, MODBUS_EXCEPTION_MAX - 1, &unit->faults.exception_code)) {
  } else if (parts.size() == 3 && parts[1] == "max_registers" &&
             ParseInt(parts[2], 1, MODBUS_MAX_READ_REGISTERS, &unit->faults.max_registers)) {
  } else {
    return Status::InvalidArgument("--fault: bad \"" + std::string(text) +
                                   "\" (ID:exception:1..11, ID:silent, ID:max_registers:1..125)");
  }
  return Status::Ok();
}

}  // namespace wattline::sim
