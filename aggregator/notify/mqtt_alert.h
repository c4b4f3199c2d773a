// Alerts as MQTT messages (notify.mqtt_url), shaped for Home Assistant: one
// retained topic per alert, whose payload says its current state, so a
// subscriber that (re)connects is told at once what is firing.
//
//   <topic_prefix>/alerts/<alertname>/<id>          retained, QoS 1
//   {"status": "firing", "state": "ON",             // "resolved", "OFF"
//    "labels": {"alertname": "HighPower", "device": "oven", "site": "home"},
//    "annotations": {"summary": "oven draws 3 kW"},
//    "startsAt": "2026-01-01T00:05:00Z",
//    "endsAt": "2026-01-01T00:09:00Z",   // resolved at, or valid until
//    "value": 3012.5,                    // null when not a finite number
//    "generatorURL": "http://wattline:9780/graph?g0.expr=..."}
//
// With a discovery prefix (Home Assistant's MQTT discovery, "homeassistant"
// by default) each alert's state message is preceded by a retained
//
//   <discovery_prefix>/binary_sensor/wattline_<alertname>_<id>/config
//
// that makes it a binary_sensor (device_class "problem", ON while firing,
// the payload's fields as attributes, unavailable while the aggregator's
// <topic_prefix>/status says "offline"; mqtt_publisher.h).
//
// Topic levels: <alertname> and <id> hold only [A-Za-z0-9_-] (anything else
// becomes '_'), so no label value can add a level ('/'), a wildcard ('+',
// '#'), a NUL or a character Home Assistant refuses in an object id. <id> is
// the readable part (the values of the labels other than alertname, in
// label-name order, joined by '_', at most 32 characters) then '-' and the
// fingerprint: the first 12 hex digits of the 64-bit FNV-1a hash of the
// sorted label set written as name 0xff value 0xff for each label. The
// fingerprint keeps two alerts apart whose readable parts collide; it is a
// stable contract (changing it orphans retained topics), so do not change it.
//
// Thread-safety: pure functions.
#ifndef WATTLINE_AGGREGATOR_NOTIFY_MQTT_ALERT_H_
#define WATTLINE_AGGREGATOR_NOTIFY_MQTT_ALERT_H_

#include <string>
#include <string_view>
#include <vector>

#include "aggregator/notify/mqtt_publisher_options.h"
#include "aggregator/rules/alerting_rule.h"
#include "common/labels.h"
#include "common/status.h"

namespace wattline::aggregator {

// The payload above for one alert, as JSON: what is queued for the "mqtt"
// receiver. Labels as AlertmanagerAlert's (the external labels added where
// the alert has none of that name). Topics are made from it when it is sent
// (MqttAlertMessages), so a changed topic_prefix applies to what waits.
std::string MqttAlert(const Alert& alert, std::string_view expr, const AlertContext& context);

// `text` as one topic level: every character outside [A-Za-z0-9_-] (so
// every byte of a multi-byte UTF-8 character) replaced by '_'; "_" for "".
std::string MqttTopicLevel(std::string_view text);

// <id> above for canonical `labels` (sorted by name).
std::string MqttAlertId(const Labels& labels);

// The messages that publish one queued payload (MqttAlert's): the discovery
// config when `options.discovery_prefix` is set, then the state. All
// retained. Errors: kInvalidArgument when `payload` is not such JSON (never
// for what MqttAlert made).
Result<std::vector<MqttMessage>> MqttAlertMessages(const MqttPublisherOptions& options,
                                                   std::string_view payload);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_NOTIFY_MQTT_ALERT_H_
