# The device profiles shipped inside the agent binary, one list per kind:
# the agent's build embeds them (agent/modbus, agent/mqtt_json) and so does
# the fuzz build (tests/fuzz/fuzzers.cmake), from these same lists. Sorted by
# name; a new profile adds one line here.
set(WATTLINE_MODBUS_PROFILE_FILES
  "${WATTLINE_ROOT}/agent/profiles/eastron_sdm120.yaml"
  "${WATTLINE_ROOT}/agent/profiles/eastron_sdm630.yaml"
  "${WATTLINE_ROOT}/agent/profiles/eastron_sdm72.yaml"
  "${WATTLINE_ROOT}/agent/profiles/shelly_pro3em.yaml"
  "${WATTLINE_ROOT}/agent/profiles/sunspec_meter_203.yaml"
)
set(WATTLINE_MQTT_JSON_PROFILE_FILES
  "${WATTLINE_ROOT}/agent/profiles/mqtt_json/ahoy.yaml"
  "${WATTLINE_ROOT}/agent/profiles/mqtt_json/opendtu.yaml"
  "${WATTLINE_ROOT}/agent/profiles/mqtt_json/tasmota_energy.yaml"
)
