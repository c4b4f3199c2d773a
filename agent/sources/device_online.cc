#include "agent/sources/device_online.h"

#include <string>

namespace wattline::agent {

Sample DeviceOnlineSample(std::string_view device, bool online, int64_t timestamp_ms) {
  Sample sample;
  // Already in canonical order: "__name__" < "device".
  sample.labels = {{std::string(kMetricNameLabel), std::string(kDeviceOnlineMetric)},
                   {"device", std::string(device)}};
  sample.timestamp_ms = timestamp_ms;
  sample.value = online ? 1 : 0;
  return sample;
}

}  // namespace wattline::agent
