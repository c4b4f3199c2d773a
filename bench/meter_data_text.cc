#include "bench/meter_data_text.h"

#include <charconv>
#include <cstdio>

namespace wattline::bench {
namespace {

// The quantities of a phase in the order they are written, with the
// decimals they are reported with.
struct Quantity {
  const char* name;
  int decimals;
};
constexpr Quantity kQuantities[] = {
    {"voltage_volts", 2},
    {"current_amperes", 3},
    {"power_watts", 1},
    {"power_factor", 3},
    {"frequency_hertz", 3},
    {"energy_imported_watt_hours_total", 1},
    {"energy_exported_watt_hours_total", 1},
};
constexpr size_t kQuantityCount = std::size(kQuantities);
static_assert(kQuantityCount * 3 == kMeterDataSeriesPerDevice);
constexpr const char* kPhases[] = {"a", "b", "c"};

double Value(const MeterStep& step, const MeterPhaseReading& phase, size_t quantity) {
  switch (quantity) {
    case 0:
      return phase.voltage_v;
    case 1:
      return phase.current_a;
    case 2:
      return phase.power_w;
    case 3:
      return phase.power_factor;
    case 4:
      return step.frequency_hz;
    case 5:
      return phase.imported_wh;
    default:
      return phase.exported_wh;
  }
}

}  // namespace

MeterDataTextFormatter::MeterDataTextFormatter(int devices) {
  for (int device = 0; device < devices; ++device) {
    char agent[16];
    std::snprintf(agent, sizeof agent, "home-%03d", device + 1);
    for (const char* phase : kPhases) {
      for (const Quantity& quantity : kQuantities) {
        prefixes_.push_back(std::string(quantity.name) + "{agent=\"" + agent +
                            "\",device=\"panel\",phase=\"" + phase + "\"} ");
      }
    }
  }
}

void MeterDataTextFormatter::Append(const MeterStep& step, std::string* out) const {
  // The timestamp is the same on every line of the step.
  char stamp[24];
  stamp[0] = ' ';
  char* stamp_end = std::to_chars(stamp + 1, stamp + sizeof stamp - 1, step.timestamp_ms).ptr;
  *stamp_end++ = '\n';
  const size_t stamp_size = static_cast<size_t>(stamp_end - stamp);

  size_t series = 0;
  char value[32];
  for (const MeterDeviceReading& device : step.devices) {
    for (const MeterPhaseReading& phase : device.phases) {
      for (size_t q = 0; q < kQuantityCount; ++q) {
        out->append(prefixes_[series++]);
        char* end = std::to_chars(value, value + sizeof value, Value(step, phase, q),
                                  std::chars_format::fixed, kQuantities[q].decimals)
                        .ptr;
        out->append(value, static_cast<size_t>(end - value));
        out->append(stamp, stamp_size);
      }
    }
  }
}

}  // namespace wattline::bench
