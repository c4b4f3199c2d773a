// The libmosquitto adapter's error conversion: the one place a libmosquitto
// return code (MOSQ_ERR_*) or a CONNACK code becomes a Status. Shared by the
// agent (agent/mqtt/) and the aggregator (aggregator/notify/mqtt_publisher.h);
// nothing above them sees a raw rc.
//
// Thread-safety: every function here is thread-safe.
#ifndef WATTLINE_COMMON_MQTT_MOSQUITTO_STATUS_H_
#define WATTLINE_COMMON_MQTT_MOSQUITTO_STATUS_H_

#include <cerrno>
#include <string_view>

#include "common/status.h"

namespace wattline {

// Calls mosquitto_lib_init() the first time it runs in the process, and
// returns its result then and on every later call. libmosquitto is never
// cleaned up: it lives as long as the process. Call before mosquitto_new().
Status InitMosquittoLibrary();

// OK for MOSQ_ERR_SUCCESS; otherwise a Status that names `what` and the cause.
// `error_number` is errno as the failing call left it (the default argument
// reads it at the call site, so call this right after the failing call): it
// explains MOSQ_ERR_ERRNO (a system call failed) and MOSQ_ERR_EAI (a
// getaddrinfo() code, which libmosquitto stores in errno).
//
// Codes: kPermissionDenied for authentication and ACL refusals; kNotFound
// when the broker's name does not exist; kUnavailable for everything a later
// retry may cure (connection refused, lost or timed out, a name lookup that
// got no answer, TLS); kInvalidArgument for bad arguments; kResourceExhausted
// for out of memory and oversize packets; kInternal for protocol errors and
// anything unexpected.
Status MosquittoStatus(int rc, std::string_view what, int error_number = errno);

// The broker's answer to CONNECT (MQTT 3.1.1 CONNACK return code): OK for 0;
// kPermissionDenied for 4 (bad user name or password) and 5 (not
// authorised); kInvalidArgument for 2 (client identifier rejected);
// kUnavailable for 1 and 3 and anything else.
Status MosquittoConnackStatus(int connack_code, std::string_view what);

}  // namespace wattline

#endif  // WATTLINE_COMMON_MQTT_MOSQUITTO_STATUS_H_
