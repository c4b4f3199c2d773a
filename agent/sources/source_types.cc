// The one list of source types. A new kind of device adds one line here.
#include <array>

#include "agent/modbus/modbus_source_type.h"
#include "agent/mqtt_json/mqtt_json_source.h"
#include "agent/shelly/shelly_gen1_http_source.h"
#include "agent/shelly/shelly_gen1_mqtt_source.h"
#include "agent/shelly/shelly_gen2_http_source.h"
#include "agent/shelly/shelly_gen2_mqtt_source.h"
#include "agent/sources/source_type.h"
#include "agent/zigbee2mqtt/zigbee2mqtt_source_type.h"

namespace wattline::agent {

std::span<const SourceType* const> SourceTypes() {
  static const std::array<const SourceType*, 8> kTypes = {
      &ShellyGen2HttpSourceType(),
      &ShellyGen1HttpSourceType(),
      &ShellyGen2MqttSourceType(),
      &ShellyGen1MqttSourceType(),
      &Zigbee2MqttSourceType(),
      &MqttJsonSourceType(),
      &ModbusTcpSourceType(),
      &ModbusRtuSourceType(),
  };
  return kTypes;
}

}  // namespace wattline::agent
