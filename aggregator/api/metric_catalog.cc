#include "aggregator/api/metric_catalog.h"

#include <array>

namespace wattline::aggregator {
namespace {

struct CatalogEntry {
  std::string_view name;
  std::string_view type;
  std::string_view help;
  std::string_view unit;
};

constexpr std::array kCatalog = {
    // The meters' quantities (docs/sources.md).
    CatalogEntry{"power_watts", "gauge", "Active power; negative when exporting.", "watts"},
    CatalogEntry{"voltage_volts", "gauge", "RMS voltage.", "volts"},
    CatalogEntry{"current_amperes", "gauge", "RMS current.", "amperes"},
    CatalogEntry{"frequency_hertz", "gauge", "Grid frequency.", "hertz"},
    CatalogEntry{"power_factor", "gauge", "Power factor, active over apparent power.", ""},
    CatalogEntry{"apparent_power_volt_amperes", "gauge", "Apparent power.", "volt_amperes"},
    CatalogEntry{"reactive_power_volt_amperes_reactive", "gauge", "Reactive power.",
                 "volt_amperes_reactive"},
    CatalogEntry{"energy_imported_watt_hours_total", "counter",
                 "Energy taken from the grid, as the meter counts it.", "watt_hours"},
    CatalogEntry{"energy_exported_watt_hours_total", "counter",
                 "Energy returned to the grid, as the meter counts it.", "watt_hours"},
    // Each device's health (agent/sources/health_metrics.h).
    CatalogEntry{"wattline_agent_device_polls_total", "counter",
                 "Reads of the device attempted (MQTT: messages handled).", ""},
    CatalogEntry{"wattline_agent_device_errors_total", "counter",
                 "Failed reads of the device, by reason.", ""},
    CatalogEntry{"wattline_agent_device_samples_total", "counter", "Samples the device produced.",
                 ""},
    CatalogEntry{"wattline_agent_device_last_success_timestamp_seconds", "gauge",
                 "When the device last answered, in Unix seconds.", "seconds"},
    CatalogEntry{"wattline_agent_device_poll_duration_seconds", "gauge",
                 "Round trip of the device's last good poll.", "seconds"},
    // The MQTT broker connection.
    CatalogEntry{"wattline_agent_mqtt_connected", "gauge",
                 "1 while connected to the MQTT broker, 0 otherwise.", ""},
    CatalogEntry{"wattline_agent_mqtt_connects_total", "counter",
                 "Connections the MQTT broker accepted.", ""},
    CatalogEntry{"wattline_agent_mqtt_disconnects_total", "counter",
                 "MQTT connections lost, or closed when the agent stopped.", ""},
    CatalogEntry{"wattline_agent_mqtt_connect_errors_total", "counter",
                 "MQTT connection attempts that failed or were refused.", ""},
    CatalogEntry{"wattline_agent_mqtt_messages_total", "counter",
                 "MQTT messages received and handed to the sources.", ""},
    CatalogEntry{"wattline_agent_mqtt_oversized_messages_total", "counter",
                 "MQTT messages dropped for their size.", ""},
    // Tariffs and carbon, served from the energy config (energy/schedule_series.h).
    CatalogEntry{"tariff_import_price_per_kwh", "gauge",
                 "Price of a kWh taken from the grid now, in the tariff's currency.", ""},
    CatalogEntry{"tariff_export_price_per_kwh", "gauge",
                 "Payment for a kWh fed into the grid now, in the tariff's currency.", ""},
    CatalogEntry{"tariff_standing_charge_per_day", "gauge",
                 "The tariff's fixed charge per day, in its currency.", ""},
    CatalogEntry{"carbon_intensity_grams_per_kwh", "gauge",
                 "Grams of CO2 (equivalent) emitted per kWh taken from the grid now.", ""},
};

}  // namespace

MetricMetadata DescribeMetric(std::string_view name) {
  for (const CatalogEntry& entry : kCatalog) {
    if (entry.name == name) {
      return {std::string(entry.type), std::string(entry.help), std::string(entry.unit)};
    }
  }
  return {name.ends_with("_total") ? "counter" : "gauge", "", ""};
}

}  // namespace wattline::aggregator
