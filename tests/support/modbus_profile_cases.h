// What each shipped Modbus profile (agent/profiles/*.yaml) must produce when
// it reads modbus-meter-sim's meter of the same model: every series, and the
// simulator point its value comes from. The Modbus source's test and the
// system test check the agent against this one table; the values themselves
// come from the simulator's (tests/sim/modbus_register_maps.h).
#ifndef WATTLINE_TESTS_SUPPORT_MODBUS_PROFILE_CASES_H_
#define WATTLINE_TESTS_SUPPORT_MODBUS_PROFILE_CASES_H_

#include <string_view>
#include <vector>

#include "tests/sim/modbus_register_maps.h"

namespace wattline::testing {

// One series a profile must produce from one simulator point.
struct ModbusExpectedSeries {
  const char* point;   // the simulator's point name
  const char* metric;  // the series' metric name
  const char* phase;   // "" for none
  double scale;        // from the point's unit to the series'
};

// Per shipped profile: the simulator model, and every series it must produce
// (and nothing else).
struct ModbusProfileCase {
  const char* profile;
  sim::MeterModel model;
  std::vector<ModbusExpectedSeries> series;
};

const std::vector<ModbusProfileCase>& ModbusProfileCases();
// The case of the profile named `profile`. REQUIRES: there is one.
const ModbusProfileCase& ModbusProfileCaseFor(std::string_view profile);

// The series' expected value: the simulator's value for `series.point` on
// the meter `spec`, times the scale. REQUIRES: the point exists.
double ExpectedModbusValue(const sim::MeterSpec& spec, const ModbusExpectedSeries& series);

}  // namespace wattline::testing

#endif  // WATTLINE_TESTS_SUPPORT_MODBUS_PROFILE_CASES_H_
