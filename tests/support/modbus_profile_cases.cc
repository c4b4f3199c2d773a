#include "tests/support/modbus_profile_cases.h"

#include <cstdio>
#include <cstdlib>

namespace wattline::testing {

const std::vector<ModbusProfileCase>& ModbusProfileCases() {
  static const std::vector<ModbusProfileCase> cases = {
      {"eastron_sdm630",
       sim::MeterModel::kSdm630,
       {
           {"l1_voltage", "voltage_volts", "a", 1},
           {"l2_voltage", "voltage_volts", "b", 1},
           {"l3_voltage", "voltage_volts", "c", 1},
           {"l1_current", "current_amperes", "a", 1},
           {"l2_current", "current_amperes", "b", 1},
           {"l3_current", "current_amperes", "c", 1},
           {"l1_active_power", "power_watts", "a", 1},
           {"l2_active_power", "power_watts", "b", 1},
           {"l3_active_power", "power_watts", "c", 1},
           {"l1_apparent_power", "apparent_power_volt_amperes", "a", 1},
           {"l2_apparent_power", "apparent_power_volt_amperes", "b", 1},
           {"l3_apparent_power", "apparent_power_volt_amperes", "c", 1},
           {"l1_reactive_power", "reactive_power_volt_amperes_reactive", "a", 1},
           {"l2_reactive_power", "reactive_power_volt_amperes_reactive", "b", 1},
           {"l3_reactive_power", "reactive_power_volt_amperes_reactive", "c", 1},
           {"l1_power_factor", "power_factor", "a", 1},
           {"l2_power_factor", "power_factor", "b", 1},
           {"l3_power_factor", "power_factor", "c", 1},
           {"sum_current", "current_amperes", "total", 1},
           {"total_active_power", "power_watts", "total", 1},
           {"total_apparent_power", "apparent_power_volt_amperes", "total", 1},
           {"total_reactive_power", "reactive_power_volt_amperes_reactive", "total", 1},
           {"total_power_factor", "power_factor", "total", 1},
           {"frequency", "frequency_hertz", "", 1},
           {"import_active_energy", "energy_imported_watt_hours_total", "total", 1000},
           {"export_active_energy", "energy_exported_watt_hours_total", "total", 1000},
       }},
      {"eastron_sdm120",
       sim::MeterModel::kSdm120,
       {
           {"voltage", "voltage_volts", "", 1},
           {"current", "current_amperes", "", 1},
           {"active_power", "power_watts", "", 1},
           {"apparent_power", "apparent_power_volt_amperes", "", 1},
           {"reactive_power", "reactive_power_volt_amperes_reactive", "", 1},
           {"power_factor", "power_factor", "", 1},
           {"frequency", "frequency_hertz", "", 1},
           {"import_active_energy", "energy_imported_watt_hours_total", "", 1000},
           {"export_active_energy", "energy_exported_watt_hours_total", "", 1000},
       }},
      {"eastron_sdm72",
       sim::MeterModel::kSdm72,
       {
           {"l1_voltage", "voltage_volts", "a", 1},
           {"l2_voltage", "voltage_volts", "b", 1},
           {"l3_voltage", "voltage_volts", "c", 1},
           {"l1_current", "current_amperes", "a", 1},
           {"l2_current", "current_amperes", "b", 1},
           {"l3_current", "current_amperes", "c", 1},
           {"l1_active_power", "power_watts", "a", 1},
           {"l2_active_power", "power_watts", "b", 1},
           {"l3_active_power", "power_watts", "c", 1},
           {"total_active_power", "power_watts", "total", 1},
           {"frequency", "frequency_hertz", "", 1},
           {"import_active_energy", "energy_imported_watt_hours_total", "total", 1000},
           {"export_active_energy", "energy_exported_watt_hours_total", "total", 1000},
       }},
      {"sunspec_meter_203",
       sim::MeterModel::kSunSpec203,
       {
           {"A", "current_amperes", "total", 1},
           {"AphA", "current_amperes", "a", 1},
           {"AphB", "current_amperes", "b", 1},
           {"AphC", "current_amperes", "c", 1},
           {"PhVphA", "voltage_volts", "a", 1},
           {"PhVphB", "voltage_volts", "b", 1},
           {"PhVphC", "voltage_volts", "c", 1},
           {"Hz", "frequency_hertz", "", 1},
           {"W", "power_watts", "total", 1},
           {"WphA", "power_watts", "a", 1},
           {"WphB", "power_watts", "b", 1},
           {"WphC", "power_watts", "c", 1},
           {"VA", "apparent_power_volt_amperes", "total", 1},
           {"VAphA", "apparent_power_volt_amperes", "a", 1},
           {"VAphB", "apparent_power_volt_amperes", "b", 1},
           {"VAphC", "apparent_power_volt_amperes", "c", 1},
           // VARphA/B/C are "not implemented" in the simulator: no series.
           {"VAR", "reactive_power_volt_amperes_reactive", "total", 1},
           {"PF", "power_factor", "total", 0.01},
           {"PFphA", "power_factor", "a", 0.01},
           {"PFphB", "power_factor", "b", 0.01},
           {"PFphC", "power_factor", "c", 0.01},
           {"TotWhExp", "energy_exported_watt_hours_total", "total", 1},
           {"TotWhExpPhA", "energy_exported_watt_hours_total", "a", 1},
           {"TotWhExpPhB", "energy_exported_watt_hours_total", "b", 1},
           {"TotWhExpPhC", "energy_exported_watt_hours_total", "c", 1},
           {"TotWhImp", "energy_imported_watt_hours_total", "total", 1},
           {"TotWhImpPhA", "energy_imported_watt_hours_total", "a", 1},
           {"TotWhImpPhB", "energy_imported_watt_hours_total", "b", 1},
           {"TotWhImpPhC", "energy_imported_watt_hours_total", "c", 1},
       }},
      {"shelly_pro3em",
       sim::MeterModel::kShellyPro3em,
       {
           {"n_current", "current_amperes", "n", 1},
           {"total_current", "current_amperes", "total", 1},
           {"total_act_power", "power_watts", "total", 1},
           {"total_aprt_power", "apparent_power_volt_amperes", "total", 1},
           {"a_voltage", "voltage_volts", "a", 1},
           {"b_voltage", "voltage_volts", "b", 1},
           {"c_voltage", "voltage_volts", "c", 1},
           {"a_current", "current_amperes", "a", 1},
           {"b_current", "current_amperes", "b", 1},
           {"c_current", "current_amperes", "c", 1},
           {"a_act_power", "power_watts", "a", 1},
           {"b_act_power", "power_watts", "b", 1},
           {"c_act_power", "power_watts", "c", 1},
           {"a_aprt_power", "apparent_power_volt_amperes", "a", 1},
           {"b_aprt_power", "apparent_power_volt_amperes", "b", 1},
           {"c_aprt_power", "apparent_power_volt_amperes", "c", 1},
           {"a_pf", "power_factor", "a", 1},
           {"b_pf", "power_factor", "b", 1},
           {"c_pf", "power_factor", "c", 1},
           {"a_freq", "frequency_hertz", "a", 1},
           {"b_freq", "frequency_hertz", "b", 1},
           {"c_freq", "frequency_hertz", "c", 1},
           {"total_act", "energy_imported_watt_hours_total", "total", 1},
           {"total_act_ret", "energy_exported_watt_hours_total", "total", 1},
           {"a_perpetual_act_energy", "energy_imported_watt_hours_total", "a", 1},
           {"b_perpetual_act_energy", "energy_imported_watt_hours_total", "b", 1},
           {"c_perpetual_act_energy", "energy_imported_watt_hours_total", "c", 1},
           {"a_perpetual_act_ret_energy", "energy_exported_watt_hours_total", "a", 1},
           {"b_perpetual_act_ret_energy", "energy_exported_watt_hours_total", "b", 1},
           {"c_perpetual_act_ret_energy", "energy_exported_watt_hours_total", "c", 1},
       }},
  };
  return cases;
}

const ModbusProfileCase& ModbusProfileCaseFor(std::string_view profile) {
  for (const ModbusProfileCase& profile_case : ModbusProfileCases()) {
    if (profile_case.profile == profile) return profile_case;
  }
  std::fprintf(stderr, "no Modbus profile case named %.*s\n", static_cast<int>(profile.size()),
               profile.data());
  std::abort();
}

double ExpectedModbusValue(const sim::MeterSpec& spec, const ModbusExpectedSeries& series) {
  return sim::ServedValue(spec, series.point) * series.scale;
}

}  // namespace wattline::testing
