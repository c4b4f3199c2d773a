// What one simulated meter (a unit) is: its model and the faults injected
// into it, as given on modbus-meter-sim's command line.
//
// Thread-safety: pure functions.
#ifndef WATTLINE_TESTS_SIM_MODBUS_UNIT_CONFIG_H_
#define WATTLINE_TESTS_SIM_MODBUS_UNIT_CONFIG_H_

#include <string_view>
#include <vector>

#include "common/status.h"
#include "tests/sim/modbus_register_maps.h"

namespace wattline::sim {

struct UnitFaults {
  bool silent = false;     // never answer
  int exception_code = 0;  // answer every request with this exception; 0: none
  int max_registers = 0;   // refuse larger reads with exception 3; 0: the model's limit
};

struct UnitConfig {
  MeterSpec meter;  // meter.unit_id is the unit id
  UnitFaults faults;
};

// Parses --unit's "ID:MODEL[:OPTIONS]", OPTIONS being comma-separated
// key=value pairs. ID is 1..255; sunspec203 takes base=40000|50000|0.
// Errors: InvalidArgument, with the reason.
Result<UnitConfig> ParseUnitFlag(std::string_view text);

// Parses --fault's "ID:exception:CODE" (CODE 1..11), "ID:silent" or
// "ID:max_registers:N" (N 1..125) into the unit of `units` with that id.
// Errors: InvalidArgument for a malformed fault or an id no unit has.
Status ApplyFaultFlag(std::string_view text, std::vector<UnitConfig>* units);

}  // namespace wattline::sim

#endif  // WATTLINE_TESTS_SIM_MODBUS_UNIT_CONFIG_H_
