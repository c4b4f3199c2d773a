#include "common/mqtt/mosquitto_handle.h"

#include <mosquitto.h>
#include <openssl/ssl.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "common/mqtt/mosquitto_status.h"

namespace wattline {
namespace {

// Where the system's CA certificates are, for a client certificate without
// `ca_file` (mosquitto_tls_set() wants a CA file or directory).
constexpr const char* kSystemCaDir = "/etc/ssl/certs";

Status SetTls(mosquitto* mosq, const MqttOptions& options) {
  for (const std::string* file : {&options.ca_file, &options.cert_file, &options.key_file}) {
    if (file->empty()) continue;
    // libmosquitto only says "invalid function arguments"; name the file and why.
    std::FILE* probe = std::fopen(file->c_str(), "r");
    if (probe == nullptr) {
      return Status::InvalidArgument("cannot read MQTT TLS file " + *file + ": " +
                                     std::strerror(errno));
    }
    std::fclose(probe);
  }
  const char* ca = options.ca_file.empty() ? nullptr : options.ca_file.c_str();
  const char* cert = options.cert_file.empty() ? nullptr : options.cert_file.c_str();
  const char* key = options.key_file.empty() ? nullptr : options.key_file.c_str();
  if (ca == nullptr) {
    WATTLINE_RETURN_IF_ERROR(
        MosquittoStatus(mosquitto_int_option(mosq, MOSQ_OPT_TLS_USE_OS_CERTS, 1),
                        "use the system's CA certificates for MQTT"));
  }
  if (ca != nullptr || cert != nullptr) {
    WATTLINE_RETURN_IF_ERROR(MosquittoStatus(
        mosquitto_tls_set(mosq, ca, ca == nullptr ? kSystemCaDir : nullptr, cert, key, nullptr),
        "set MQTT TLS files"));
  }
  // Verify the broker's certificate chain and that it names the host.
  WATTLINE_RETURN_IF_ERROR(MosquittoStatus(
      mosquitto_tls_opts_set(mosq, SSL_VERIFY_PEER, nullptr, nullptr), "set MQTT TLS options"));
  return MosquittoStatus(mosquitto_tls_insecure_set(mosq, false), "set MQTT TLS name check");
}

Status Configure(mosquitto* mosq, const MqttOptions& options) {
  WATTLINE_RETURN_IF_ERROR(
      MosquittoStatus(mosquitto_int_option(mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311),
                      "set MQTT protocol version"));
  if (!options.username.empty()) {
    WATTLINE_RETURN_IF_ERROR(MosquittoStatus(
        mosquitto_username_pw_set(mosq, options.username.c_str(),
                                  options.password.empty() ? nullptr : options.password.c_str()),
        "set MQTT username"));
  }
  if (options.tls) WATTLINE_RETURN_IF_ERROR(SetTls(mosq, options));
  return Status::Ok();
}

}  // namespace

Result<mosquitto*> NewMosquitto(const MqttOptions& options, void* userdata) {
  // clean_session = true: see agent/mqtt/mqtt_client.h.
  mosquitto* mosq = mosquitto_new(options.client_id.c_str(), true, userdata);
  if (mosq == nullptr) {
    return MosquittoStatus(errno == ENOMEM ? MOSQ_ERR_NOMEM : MOSQ_ERR_INVAL,
                           "create MQTT client " + options.client_id);
  }
  Status configured = Configure(mosq, options);
  if (!configured.ok()) {
    mosquitto_destroy(mosq);
    return configured;
  }
  return mosq;
}

bool TlsHandshaking(mosquitto* mosq) {
  auto* ssl = static_cast<SSL*>(mosquitto_ssl_get(mosq));
  return ssl != nullptr && SSL_is_init_finished(ssl) == 0;
}

bool WantsWrite(mosquitto* mosq) {
  // libmosquitto's own mosquitto_loop() makes the same distinction, with
  // internal state that its public API does not show.
  if (TlsHandshaking(mosq)) {
    return SSL_want_write(static_cast<SSL*>(mosquitto_ssl_get(mosq))) != 0;
  }
  return mosquitto_want_write(mosq);
}

}  // namespace wattline
