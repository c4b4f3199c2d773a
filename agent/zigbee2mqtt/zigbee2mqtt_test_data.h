// Zigbee2MQTT messages for the tests: DEVICES.md C.1's verbatim capture, and
// a bridge/devices document in the shape of the official example (DEVICES.md
// C.3, the zigbee2mqtt.io page "MQTT Topics and Messages"), with the exposes
// the official device pages document filled in where the example has "[...]".
#ifndef WATTLINE_AGENT_ZIGBEE2MQTT_ZIGBEE2MQTT_TEST_DATA_H_
#define WATTLINE_AGENT_ZIGBEE2MQTT_ZIGBEE2MQTT_TEST_DATA_H_

#include <string_view>
#include <utility>

namespace wattline::agent::testing {

// DEVICES.md C.1, verbatim: a TS011F_plug_1 on Z2M 2.x, its state message
// on zigbee2mqtt/z1 (Koenkk/zigbee2mqtt issue 32463).
constexpr std::string_view kTs011fState =
    R"({"child_lock":"UNLOCK","countdown":0,"current":0,"energy":12.05,"identify":null,"indicator_mode":"off/on","last_seen":"2026-07-27T09:41:41+02:00","linkquality":43,"power":0,"power_outage_memory":"off","state":"OFF","switch_type_button":null,"update":{"installed_version":268449287,"latest_release_notes":null,"latest_source":null,"latest_version":268449287,"state":"idle"},"voltage":243})";

// The same capture's attribute topics (output: attribute_and_json).
constexpr std::pair<std::string_view, std::string_view> kTs011fAttributes[] = {
    {"zigbee2mqtt/z1/power", "0"},      {"zigbee2mqtt/z1/state", "OFF"},
    {"zigbee2mqtt/z1/voltage", "243"},  {"zigbee2mqtt/z1/current", "0"},
    {"zigbee2mqtt/z1/energy", "12.05"},
};

// bridge/devices:
//   z1                    TuYa TS011F_plug_1, exposes of docs/devices/TS011F_plug_1.md
//                         (a switch with a binary feature, power W, current A,
//                         voltage V, energy kWh, an enum, linkquality lqi)
//   kitchen/floor_plug    a Netvox-like plug reporting current in mA and the
//                         power factor in %; a '/' in its name
//   kitchen               a Xiaomi-like sensor: temperature °C, humidity %,
//                         battery %, voltage mV (the battery's), a composite,
//                         a settable numeric (a setting, not a reading)
//   my_sensor             unsupported (definition null), as in the official example
//   Coordinator           the coordinator, as in the official example
constexpr std::string_view kBridgeDevices = R"json([
  {"ieee_address":"0xa4c138280528b031","type":"Router","network_address":29159,"supported":true,
   "friendly_name":"z1",
   "definition":{"model":"TS011F_plug_1","vendor":"TuYa","description":"Smart plug (with power monitoring)",
     "options":[],
     "exposes":[
       {"type":"switch","features":[{"type":"binary","name":"state","property":"state","access":7,
         "value_on":"ON","value_off":"OFF","value_toggle":"TOGGLE"}]},
       {"type":"numeric","name":"power","property":"power","access":5,"unit":"W","description":"Instantaneous measured power"},
       {"type":"numeric","name":"current","property":"current","access":5,"unit":"A"},
       {"type":"numeric","name":"voltage","property":"voltage","access":5,"unit":"V"},
       {"type":"numeric","name":"energy","property":"energy","access":5,"unit":"kWh","description":"Sum of consumed energy"},
       {"type":"enum","name":"power_outage_memory","property":"power_outage_memory","access":7,"values":["on","off","restore"]},
       {"type":"numeric","name":"linkquality","property":"linkquality","access":1,"unit":"lqi","value_min":0,"value_max":255}
     ]},
   "power_source":"Mains (single phase)","interviewing":false,"interview_completed":true},
  {"ieee_address":"0x00137a000004f2b1","type":"Router","network_address":1234,"supported":true,
   "friendly_name":"kitchen/floor_plug",
   "definition":{"model":"Z809A","vendor":"Netvox","description":"Power socket with power consumption monitoring",
     "exposes":[
       {"type":"switch","features":[{"type":"binary","name":"state","property":"state","access":7}]},
       {"type":"numeric","name":"power","property":"power","access":5,"unit":"W"},
       {"type":"numeric","name":"current","property":"current","access":5,"unit":"mA"},
       {"type":"numeric","name":"voltage","property":"voltage","access":5,"unit":"V"},
       {"type":"numeric","name":"power_factor","property":"power_factor","access":5,"unit":"%"}
     ]},
   "power_source":"Mains (single phase)"},
  {"ieee_address":"0x00158d0001d8e1a2","type":"EndDevice","network_address":4321,"supported":true,
   "friendly_name":"kitchen",
   "definition":{"model":"WSDCGQ11LM","vendor":"Xiaomi","description":"Temperature and humidity sensor",
     "exposes":[
       {"type":"numeric","name":"battery","property":"battery","access":1,"unit":"%"},
       {"type":"numeric","name":"temperature","property":"temperature","access":1,"unit":"\u00b0C"},
       {"type":"numeric","name":"humidity","property":"humidity","access":1,"unit":"%"},
       {"type":"numeric","name":"pressure","property":"pressure","access":1,"unit":"hPa"},
       {"type":"numeric","name":"voltage","property":"voltage","access":1,"unit":"mV"},
       {"type":"numeric","name":"pm25","property":"pm25","access":1,"unit":"\u00b5g/m\u00b3"},
       {"type":"numeric","name":"report_interval","property":"report_interval","access":7,"unit":"%"},
       {"type":"composite","name":"color_xy","property":"color","features":[
         {"type":"numeric","name":"x","property":"x","access":7,"unit":"%"}]},
       {"type":"numeric","name":"linkquality","property":"linkquality","access":1,"unit":"lqi"}
     ]},
   "power_source":"Battery"},
  {"ieee_address":"0x00169a00022256da","type":"Router","network_address":22160,"supported":false,
   "friendly_name":"my_sensor","definition":null,"power_source":"Battery","model_id":null},
  {"ieee_address":"0x00124b00120144ae","type":"Coordinator","network_address":0,"supported":false,
   "friendly_name":"Coordinator","definition":null}
])json";

}  // namespace wattline::agent::testing

#endif  // WATTLINE_AGENT_ZIGBEE2MQTT_ZIGBEE2MQTT_TEST_DATA_H_
