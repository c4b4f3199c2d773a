// One libmosquitto client object, as the agent's MqttClient and the
// aggregator's MqttPublisher use it: made from MqttOptions, and asked what
// its socket should be polled for. Keeps mosquitto_new()'s and the TLS
// options' details, and OpenSSL, out of the clients.
//
// Thread-safety: a mosquitto object is used by one thread at a time.
#ifndef WATTLINE_COMMON_MQTT_MOSQUITTO_HANDLE_H_
#define WATTLINE_COMMON_MQTT_MOSQUITTO_HANDLE_H_

#include "common/mqtt/mqtt_options.h"
#include "common/status.h"

struct mosquitto;

namespace wattline {

// A new mosquitto object for `options.client_id`, with a clean session,
// MQTT 3.1.1, the credentials and the TLS settings of `options` (the broker's
// certificate verified, and its name checked against the host), and
// `userdata` handed to its callbacks. The caller owns it: mosquitto_destroy().
// REQUIRES: CheckMqttOptions(options) is OK; InitMosquittoLibrary() was called.
// Errors: kInvalidArgument naming a TLS file that cannot be read;
// kResourceExhausted when out of memory.
Result<mosquitto*> NewMosquitto(const MqttOptions& options, void* userdata);

// True while the TLS handshake is running: only mosquitto_loop_read() moves
// it on then, whether the socket became readable or writable.
bool TlsHandshaking(mosquitto* mosq);

// Whether the socket must be polled for writability: data is queued, or the
// TLS handshake waits to write. (mosquitto_want_write() alone keeps
// reporting a stale "want write" from the handshake's first step, which
// would make the poll spin until the broker answers.)
bool WantsWrite(mosquitto* mosq);

}  // namespace wattline

#endif  // WATTLINE_COMMON_MQTT_MOSQUITTO_HANDLE_H_
