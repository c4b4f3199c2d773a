# Every libFuzzer target of the project: its sources, its seed corpus and the
# libraries it needs. The fuzz targets live beside their parsers (*_fuzz.cc);
# this is the one list of them.
#
# Two builds read this list (tests/fuzz/CMakeLists.txt):
#   - the fuzz build (clang, WATTLINE_BUILD_FUZZERS=ON) compiles each target
#     with -fsanitize=fuzzer,address,undefined;
#   - the normal build registers one ctest per target, fuzz.<name>, that runs
#     the fuzz build's binary for WATTLINE_FUZZ_SECONDS on a copy of its corpus.
#
# wattline_fuzzer(NAME <name> CORPUS <dir> SOURCES <files...> [PKG <pkg-config modules...>]
#                 [LIBS <targets of the fuzz build...>]
#                 [EMBED INCLUDE <h> NAMESPACE <ns> TYPE <t> FUNCTION <f> FILES <files...>])
# Paths are relative to the repository root (EMBED FILES may also be absolute,
# as agent/profiles/profiles.cmake's lists are). LIBS: wattline_proto (the wire
# schema's generated code) and wattline_remote_write_proto (remote write's) are
# the library targets the fuzz build makes.
# EMBED: the table of built-in files the parser reads, generated as for the
# agent (cmake/WattlineEmbedFiles.cmake; same arguments but OUTPUT).

wattline_fuzzer(NAME shelly_gen2_parser_fuzz
  CORPUS agent/shelly/fuzz_corpus/shelly_gen2
  SOURCES agent/shelly/shelly_gen2_parser_fuzz.cc agent/shelly/shelly_gen2_parser.cc
          agent/shelly/shelly_json.cc common/labels.cc common/status.cc)

wattline_fuzzer(NAME shelly_gen1_parser_fuzz
  CORPUS agent/shelly/fuzz_corpus/shelly_gen1
  SOURCES agent/shelly/shelly_gen1_parser_fuzz.cc agent/shelly/shelly_gen1_parser.cc
          agent/shelly/shelly_json.cc common/labels.cc common/status.cc)

wattline_fuzzer(NAME shelly_mqtt_fuzz
  CORPUS agent/shelly/fuzz_corpus/shelly_mqtt
  SOURCES agent/shelly/shelly_mqtt_fuzz.cc agent/shelly/shelly_gen1_mqtt_parser.cc
          agent/shelly/shelly_gen2_mqtt_status.cc agent/shelly/shelly_gen2_parser.cc
          agent/shelly/shelly_json.cc common/labels.cc common/status.cc)

wattline_fuzzer(NAME shelly_emdata_history_fuzz
  CORPUS agent/shelly/fuzz_corpus/shelly_emdata
  SOURCES agent/shelly/shelly_emdata_history_fuzz.cc agent/shelly/shelly_emdata_history.cc
          common/labels.cc common/status.cc)

wattline_fuzzer(NAME promql_parser_fuzz
  CORPUS aggregator/query/fuzz_corpus/promql
  SOURCES aggregator/query/parser_fuzz.cc aggregator/query/lexer.cc aggregator/query/parser.cc
          aggregator/query/ast.cc aggregator/query/function_table.cc aggregator/query/quote.cc aggregator/query/number.cc aggregator/query/time_param.cc
          aggregator/storage/label_matcher.cc aggregator/storage/regexp_error.cc common/duration.cc common/labels.cc common/status.cc
  PKG re2)

# Alert label and annotation templates (Go's text/template as Prometheus uses it).
wattline_fuzzer(NAME alert_template_fuzz
  CORPUS aggregator/rules/fuzz_corpus/alert_template
  SOURCES aggregator/rules/alert_template_fuzz.cc aggregator/rules/alert_template_builtins.cc
          aggregator/rules/alert_template_exec.cc aggregator/rules/alert_template_fmt.cc
          aggregator/rules/alert_template_funcs.cc aggregator/rules/alert_template_lex.cc
          aggregator/rules/alert_template_node.cc aggregator/rules/alert_template_parse.cc
          aggregator/rules/alert_template_prom_funcs.cc aggregator/rules/alert_template_value.cc
          aggregator/rules/go_regexp.cc aggregator/rules/go_strconv.cc aggregator/rules/go_unicode.cc
          aggregator/storage/regexp_error.cc
          aggregator/query/quote.cc aggregator/query/number.cc common/labels.cc common/rfc3339.cc
          common/status.cc
  PKG re2)

wattline_fuzzer(NAME modbus_profile_fuzz
  CORPUS agent/modbus/fuzz_corpus/modbus_profile
  SOURCES agent/modbus/modbus_profile_fuzz.cc agent/modbus/modbus_profile.cc
          agent/modbus/modbus_value.cc agent/modbus/read_plan.cc agent/modbus/poll_plan.cc
          agent/modbus/sunspec.cc common/config/config_tree.cc common/labels.cc common/status.cc
  PKG yaml-cpp)

wattline_fuzzer(NAME zigbee2mqtt_fuzz
  CORPUS agent/zigbee2mqtt/fuzz_corpus/zigbee2mqtt
  SOURCES agent/zigbee2mqtt/zigbee2mqtt_fuzz.cc agent/zigbee2mqtt/zigbee2mqtt_devices.cc
          agent/zigbee2mqtt/zigbee2mqtt_series.cc agent/zigbee2mqtt/zigbee2mqtt_state_mapper.cc
          agent/zigbee2mqtt/zigbee2mqtt_topics.cc
          common/labels.cc common/status.cc)

# The profile named by SunSpec discovery (builtin_profiles.h); only that one is
# read, so only it is embedded.
wattline_fuzzer(NAME sunspec_discovery_fuzz
  CORPUS agent/modbus/fuzz_corpus/sunspec
  SOURCES agent/modbus/sunspec_discovery_fuzz.cc agent/modbus/sunspec.cc
          agent/modbus/poll_plan.cc agent/modbus/read_plan.cc agent/modbus/modbus_value.cc
          agent/modbus/modbus_profile.cc agent/modbus/builtin_profiles.cc
          agent/sources/profile_lookup.cc common/config/config_tree.cc
          common/labels.cc common/status.cc
  PKG yaml-cpp
  EMBED INCLUDE agent/modbus/builtin_profiles.h NAMESPACE wattline::agent::modbus
        TYPE BuiltinProfileText FUNCTION BuiltinProfileTexts
        FILES agent/profiles/sunspec_meter_203.yaml)

# The mqtt_json mapping with its built-in profiles embedded, for the two
# targets below.
set(mqtt_json_fuzz_common
  agent/mqtt_json/mqtt_json_mapper.cc agent/mqtt_json/mqtt_json_mapping.cc
  agent/mqtt_json/mqtt_json_profiles.cc agent/mqtt_json/topic_pattern.cc
  agent/mqtt_json/json_path.cc agent/mqtt_json/device_time.cc agent/sources/profile_lookup.cc
  common/config/config_tree.cc common/duration.cc common/labels.cc common/status.cc
  PKG yaml-cpp nlohmann_json
  EMBED INCLUDE agent/mqtt_json/mqtt_json_profiles.h NAMESPACE wattline::agent
        TYPE MqttJsonProfileText FUNCTION BuiltinMqttJsonProfileTexts
        FILES ${WATTLINE_MQTT_JSON_PROFILE_FILES})

# Every shipped mqtt_json profile is mapped against every input.
wattline_fuzzer(NAME mqtt_json_mapper_fuzz
  CORPUS agent/mqtt_json/fuzz_corpus/mqtt_json
  SOURCES agent/mqtt_json/mqtt_json_mapper_fuzz.cc ${mqtt_json_fuzz_common})

# A user's own mqtt_json profile file (the built-ins are linked, not read).
wattline_fuzzer(NAME mqtt_json_profile_fuzz
  CORPUS agent/mqtt_json/fuzz_corpus/mqtt_json_profile
  SOURCES agent/mqtt_json/mqtt_json_profile_fuzz.cc ${mqtt_json_fuzz_common})

wattline_fuzzer(NAME batch_codec_fuzz
  CORPUS common/fuzz_corpus/batch
  SOURCES common/batch_codec_fuzz.cc common/batch_codec.cc common/batch.cc
          common/zstd_frame.cc common/labels.cc common/status.cc
  PKG libzstd
  LIBS wattline_proto)

wattline_fuzzer(NAME chunk_codec_fuzz
  CORPUS aggregator/storage/fuzz_corpus/chunk
  SOURCES aggregator/storage/chunk_codec_fuzz.cc aggregator/storage/chunk_codec.cc
          aggregator/storage/chunk_zstd.cc aggregator/storage/chunk_zstd_frame.cc
          common/zstd_frame.cc common/status.cc
  PKG zlib libzstd)

wattline_fuzzer(NAME rollups_fuzz
  CORPUS aggregator/storage/fuzz_corpus/rollups
  SOURCES aggregator/storage/rollups_fuzz.cc aggregator/storage/rollup.cc
          aggregator/storage/sample_points.cc aggregator/storage/chunk_codec.cc
          aggregator/storage/chunk_zstd.cc aggregator/storage/chunk_zstd_frame.cc
          common/zstd_frame.cc common/status.cc
  PKG zlib libzstd)

wattline_fuzzer(NAME prom_text_import_fuzz
  CORPUS aggregator/ingest/fuzz_corpus/prom_text
  SOURCES aggregator/ingest/prom_text_import_fuzz.cc aggregator/ingest/prom_text_import.cc
          aggregator/ingest/series_grouper.cc aggregator/query/number.cc
          common/labels.cc common/status.cc)

wattline_fuzzer(NAME remote_write_fuzz
  CORPUS aggregator/ingest/fuzz_corpus/remote_write
  SOURCES aggregator/ingest/remote_write_fuzz.cc aggregator/ingest/remote_write.cc
          aggregator/ingest/series_grouper.cc common/labels.cc common/status.cc
  PKG snappy
  LIBS wattline_remote_write_proto)

wattline_fuzzer(NAME http_connection_fuzz
  CORPUS aggregator/http/fuzz_corpus
  SOURCES aggregator/http/http_connection_fuzz.cc aggregator/http/http_connection.cc
          aggregator/http/http_routes.cc aggregator/http/http_types.cc
          aggregator/http/socket_stream.cc aggregator/http/url_query.cc
          aggregator/pki/openssl_error.cc aggregator/pki/x509_builder.cc common/log.cc
          common/status.cc
  PKG openssl
  LIBS http_parser)
