#include "agent/zigbee2mqtt/zigbee2mqtt_series.h"

namespace wattline::agent {
namespace {

struct Unit {
  std::string_view unit;
  std::string_view word;  // the metric name's unit suffix
  double scale;           // to the word's unit
};

constexpr Unit kUnits[] = {
    {"W", "watts", 1},
    {"kW", "watts", 1000},
    {"mW", "watts", 0.001},
    {"V", "volts", 1},
    {"mV", "volts", 0.001},
    {"A", "amperes", 1},
    {"mA", "amperes", 0.001},
    {"Wh", "watt_hours", 1},
    {"kWh", "watt_hours", 1000},
    {"VA", "volt_amperes", 1},
    {"kVA", "volt_amperes", 1000},
    {"var", "volt_amperes_reactive", 1},
    {"VAr", "volt_amperes_reactive", 1},
    {"VAR", "volt_amperes_reactive", 1},
    {"kvar", "volt_amperes_reactive", 1000},
    {"kVAr", "volt_amperes_reactive", 1000},
    {"Hz", "hertz", 1},
    {"\u00b0C", "celsius", 1},
    {"%", "ratio", 0.01},
    {"lx", "lux", 1},
    {"Pa", "pascals", 1},
    {"hPa", "pascals", 100},
    {"kPa", "pascals", 1000},
    {"lqi", "lqi", 1},
};

struct KnownName {
  std::string_view name;
  std::string_view metric;
  std::string_view word;          // the unit word the expose's unit must have
  std::string_view default_unit;  // when the expose names none; "" = dimensionless
};

constexpr KnownName kKnownNames[] = {
    {"power", "power_watts", "watts", "W"},
    {"energy", "energy_imported_watt_hours_total", "watt_hours", "kWh"},
    {"produced_energy", "energy_exported_watt_hours_total", "watt_hours", "kWh"},
    {"voltage", "voltage_volts", "volts", "V"},
    {"current", "current_amperes", "amperes", "A"},
    {"power_factor", "power_factor", "ratio", ""},
    {"frequency", "frequency_hertz", "hertz", "Hz"},
    {"ac_frequency", "frequency_hertz", "hertz", "Hz"},
    {"apparent_power", "apparent_power_volt_amperes", "volt_amperes", "VA"},
    {"reactive_power", "reactive_power_volt_amperes_reactive", "volt_amperes_reactive", "VAr"},
    {"temperature", "temperature_celsius", "celsius", "\u00b0C"},
    {"device_temperature", "device_temperature_celsius", "celsius", "\u00b0C"},
    {"humidity", "humidity_ratio", "ratio", "%"},
    {"battery", "battery_ratio", "ratio", "%"},
    {"illuminance", "illuminance_lux", "lux", "lx"},
    {"illuminance_lux", "illuminance_lux", "lux", "lx"},
    {"pressure", "pressure_pascals", "pascals", "hPa"},
    {"linkquality", "link_quality", "lqi", "lqi"},
};

const Unit* FindUnit(std::string_view unit) {
  for (const Unit& u : kUnits) {
    if (u.unit == unit) return &u;
  }
  return nullptr;
}

// The known name `name` stands for, and its phase ("" for none).
const KnownName* FindKnown(std::string_view name, std::string* phase) {
  for (const KnownName& known : kKnownNames) {
    if (known.name == name) return &known;
  }
  if (name.size() > 2 && name[name.size() - 2] == '_') {
    const char last = name.back();
    if (last == 'a' || last == 'b' || last == 'c') {
      std::string_view stem = name.substr(0, name.size() - 2);
      for (const KnownName& known : kKnownNames) {
        if (known.name == stem) {
          *phase = std::string(1, last);
          return &known;
        }
      }
    }
  }
  return nullptr;
}

// A metric name from an expose name: characters outside [a-zA-Z0-9_] become
// '_'; "" when the result is still not a metric name.
std::string MetricStem(std::string_view name) {
  std::string stem;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    stem += ok ? c : '_';
  }
  return IsValidMetricName(stem) ? stem : std::string();
}

// Series for a known name with `unit` ("" = its default).
std::optional<Z2mFieldSeries> KnownSeries(const KnownName& known, std::string_view property,
                                          std::string_view unit, const std::string& phase) {
  if (unit.empty()) unit = known.default_unit;
  Z2mFieldSeries series;
  series.property = std::string(property);
  series.metric = std::string(known.metric);
  if (!unit.empty()) {
    const Unit* u = FindUnit(unit);
    if (u == nullptr || u->word != known.word) return std::nullopt;
    series.scale = u->scale;
  }
  if (!phase.empty()) series.labels.push_back({"phase", phase});
  return series;
}

}  // namespace

std::optional<Z2mFieldSeries> SeriesForExpose(const Z2mExpose& expose) {
  std::string phase;
  std::optional<Z2mFieldSeries> series;
  if (const KnownName* known = FindKnown(expose.name, &phase); known != nullptr) {
    series = KnownSeries(*known, expose.property, expose.unit, phase);
  } else {
    if ((expose.access & 2) != 0 || expose.unit.empty()) return std::nullopt;
    const Unit* unit = FindUnit(expose.unit);
    if (unit == nullptr || unit->word == "lqi") return std::nullopt;
    std::string metric = MetricStem(expose.name);
    if (metric.empty()) return std::nullopt;
    const std::string suffix = "_" + std::string(unit->word);
    if (!metric.ends_with(suffix)) metric += suffix;
    series = Z2mFieldSeries{expose.property, std::move(metric), unit->scale, {}};
  }
  if (series.has_value() && !expose.endpoint.empty()) {
    series->labels.push_back({"endpoint", expose.endpoint});
  }
  return series;
}

std::optional<std::vector<Z2mFieldSeries>> SeriesForDevice(const Z2mDevice& device) {
  if (!device.has_definition) return std::nullopt;
  std::vector<Z2mFieldSeries> all;
  for (const Z2mExpose& expose : device.numeric_exposes) {
    bool seen = false;
    for (const Z2mFieldSeries& series : all) seen = seen || series.property == expose.property;
    if (seen) continue;
    std::optional<Z2mFieldSeries> series = SeriesForExpose(expose);
    if (series.has_value()) all.push_back(std::move(*series));
  }
  return all;
}

std::optional<Z2mFieldSeries> SeriesForKnownField(std::string_view property) {
  std::string phase;
  const KnownName* known = FindKnown(property, &phase);
  if (known == nullptr) return std::nullopt;
  return KnownSeries(*known, property, "", phase);
}

}  // namespace wattline::agent
