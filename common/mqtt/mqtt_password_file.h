// An MQTT password kept in a file of its own (the agent's
// `mqtt.password_file`, the aggregator's `notify.mqtt_password_file`), so the
// config file that names it can be world-readable.
//
// Thread-safety: thread-safe (no shared state); reads a file, so call it
// where config is read.
#ifndef WATTLINE_COMMON_MQTT_MQTT_PASSWORD_FILE_H_
#define WATTLINE_COMMON_MQTT_MQTT_PASSWORD_FILE_H_

#include <string>

#include "common/status.h"

namespace wattline {

// The first line of `path` (a trailing "\n" or "\r\n" dropped; at most the
// first 64 KiB are read).
// Errors: kNotFound (no such file), kPermissionDenied (cannot be opened, or
// readable by every user: mode o+r), kInvalidArgument (the first line is
// empty), kIoError; each naming the file.
Result<std::string> ReadMqttPasswordFile(const std::string& path);

}  // namespace wattline

#endif  // WATTLINE_COMMON_MQTT_MQTT_PASSWORD_FILE_H_
