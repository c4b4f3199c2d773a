// Which series a Zigbee2MQTT device's state fields become, with units in the
// metric names and values in the agent's units (W, V, A, Wh, °C, ratios).
//
// From a numeric expose (zigbee2mqtt_devices.h), by its unit:
//   W kW mW            -> *_watts                    x1, x1000, x0.001
//   V mV               -> *_volts                    x1, x0.001
//   A mA               -> *_amperes                  x1, x0.001 (Netvox plugs report mA)
//   Wh kWh             -> *_watt_hours               x1, x1000
//   VA kVA             -> *_volt_amperes
//   var VAr VAR kvar kVAr -> *_volt_amperes_reactive
//   Hz                 -> *_hertz
//   °C                 -> *_celsius
//   %                  -> *_ratio                    x0.01
//   lx                 -> *_lux
//   Pa hPa kPa         -> *_pascals                  x1, x100, x1000
// Known names get fixed metric names, and the unit must fit them:
//   power -> power_watts                energy -> energy_imported_watt_hours_total
//   voltage -> voltage_volts            produced_energy -> energy_exported_watt_hours_total
//   current -> current_amperes          power_factor -> power_factor (no unit, or % x0.01)
//   frequency, ac_frequency -> frequency_hertz
//   apparent_power -> apparent_power_volt_amperes
//   reactive_power -> reactive_power_volt_amperes_reactive
//   temperature -> temperature_celsius  device_temperature -> device_temperature_celsius
//   humidity -> humidity_ratio          battery -> battery_ratio
//   illuminance, illuminance_lux -> illuminance_lux
//   pressure -> pressure_pascals        linkquality -> link_quality (0..255, unit "lqi")
// A known name with suffix _a, _b or _c (power_a: three-phase meters) gets
// the same metric and the label phase="a". An expose with an `endpoint`
// gets the label endpoint="<endpoint>" (multi-channel devices: power_l1).
// Other names with one of the units above become <name>_<unit word>
// (energy_today kWh -> energy_today_watt_hours, soil_moisture % ->
// soil_moisture_ratio), but only when the expose is read-only: a settable
// numeric is a setting (a countdown, a set point), not a reading.
//
// Not turned into series (decided, not forgotten): exposes whose unit is not
// in the table (µg/m³, ppm, s, °F, ...: a unit we do not know cannot be
// named or converted safely); a known name whose unit does not fit it
// (power in A); non-numeric fields (state ON/OFF, strings, objects).
//
// Devices without exposes (unsupported, or before bridge/devices has been
// seen) use the known names with Zigbee2MQTT's usual units: power W,
// energy kWh, voltage V, current A, temperature °C, humidity %, battery %,
// pressure hPa, illuminance lx, frequency Hz, linkquality lqi.
//
// Thread-safety: pure functions, any thread.
#ifndef WATTLINE_AGENT_ZIGBEE2MQTT_ZIGBEE2MQTT_SERIES_H_
#define WATTLINE_AGENT_ZIGBEE2MQTT_ZIGBEE2MQTT_SERIES_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/zigbee2mqtt/zigbee2mqtt_devices.h"
#include "common/labels.h"

namespace wattline::agent {

// One state field and the series it feeds.
struct Z2mFieldSeries {
  std::string property;  // key in the state message
  std::string metric;
  double scale = 1;
  Labels labels;  // extra labels (phase, endpoint); not canonical, no device
};

// The series of one numeric expose, or nullopt (see above).
std::optional<Z2mFieldSeries> SeriesForExpose(const Z2mExpose& expose);

// The series of a device: from its exposes when it has a definition,
// otherwise nullopt (then SeriesForKnownField() is asked per field).
std::optional<std::vector<Z2mFieldSeries>> SeriesForDevice(const Z2mDevice& device);

// For devices without exposes: the series of a state field with a known
// name, assuming Zigbee2MQTT's usual unit; nullopt for other names.
std::optional<Z2mFieldSeries> SeriesForKnownField(std::string_view property);

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_ZIGBEE2MQTT_ZIGBEE2MQTT_SERIES_H_
