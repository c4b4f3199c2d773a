// The point tables behind MeterPoints(), one function per model. Internal to
// modbus_register_maps.cc; tests call MeterPoints() instead. The values and
// their sources are described in modbus_register_maps.h.
#ifndef WATTLINE_TESTS_SIM_MODBUS_METER_TABLES_H_
#define WATTLINE_TESTS_SIM_MODBUS_METER_TABLES_H_

#include <cstdint>
#include <vector>

#include "tests/sim/modbus_register_maps.h"

namespace wattline::sim {

std::vector<RegisterPoint> Sdm630Points();
std::vector<RegisterPoint> Sdm120Points();
std::vector<RegisterPoint> Sdm72Points();
// `base`: the address of "SunS"; `unit_id`: served as model 1 "DA".
std::vector<RegisterPoint> SunSpec203Points(uint16_t base, int unit_id);
std::vector<RegisterPoint> ShellyPro3emPoints();
std::vector<RegisterPoint> PatternPoints();

}  // namespace wattline::sim

#endif  // WATTLINE_TESTS_SIM_MODBUS_METER_TABLES_H_
