#include "common/mqtt/mosquitto_status.h"

#include <mosquitto.h>
#include <netdb.h>

#include <cstring>
#include <mutex>
#include <string>

namespace wattline {

Status InitMosquittoLibrary() {
  static std::once_flag once;
  static int rc = MOSQ_ERR_SUCCESS;
  // mosquitto_lib_init() sets up OpenSSL and the library's globals; it is not
  // itself safe to race, hence call_once.
  std::call_once(once, [] { rc = mosquitto_lib_init(); });
  return MosquittoStatus(rc, "initialise libmosquitto");
}

Status MosquittoStatus(int rc, std::string_view what, int error_number) {
  if (rc == MOSQ_ERR_SUCCESS) return Status::Ok();
  std::string message(what);
  message += ": ";
  switch (rc) {
    case MOSQ_ERR_ERRNO:
      // mosquitto_strerror() would read errno again, which may have moved on.
      message += std::strerror(error_number);
      break;
    case MOSQ_ERR_EAI:
      message += "cannot resolve host: ";
      message += gai_strerror(error_number);
      break;
    default:
      message += mosquitto_strerror(rc);
      break;
  }
  switch (rc) {
    case MOSQ_ERR_AUTH:
    case MOSQ_ERR_ACL_DENIED:
      return Status::PermissionDenied(message);
    case MOSQ_ERR_NOMEM:
    case MOSQ_ERR_PAYLOAD_SIZE:
    case MOSQ_ERR_OVERSIZE_PACKET:
      return Status::ResourceExhausted(message);
    case MOSQ_ERR_INVAL:
    case MOSQ_ERR_MALFORMED_UTF8:
    case MOSQ_ERR_QOS_NOT_SUPPORTED:
    case MOSQ_ERR_RETAIN_NOT_SUPPORTED:
      return Status::InvalidArgument(message);
    case MOSQ_ERR_EAI:
      if (error_number == EAI_NONAME || error_number == EAI_NODATA) {
        return Status::NotFound(message);
      }
      return Status::Unavailable(message);
    case MOSQ_ERR_NO_CONN:
    case MOSQ_ERR_CONN_REFUSED:
    case MOSQ_ERR_CONN_LOST:
    case MOSQ_ERR_TLS:
    case MOSQ_ERR_TLS_HANDSHAKE:
    case MOSQ_ERR_ERRNO:
    case MOSQ_ERR_KEEPALIVE:
    case MOSQ_ERR_LOOKUP:
    case MOSQ_ERR_TIMEOUT:
    case MOSQ_ERR_OCSP:
    case MOSQ_ERR_PROXY:
    case MOSQ_ERR_ADMINISTRATIVE_ACTION:
      return Status::Unavailable(message);
    default:
      return Status::Internal(message);
  }
}

Status MosquittoConnackStatus(int connack_code, std::string_view what) {
  if (connack_code == 0) return Status::Ok();
  std::string message(what);
  message += ": broker refused the connection: ";
  message += mosquitto_connack_string(connack_code);
  switch (connack_code) {
    case 2:
      return Status::InvalidArgument(message);
    case 4:
    case 5:
      return Status::PermissionDenied(message);
    default:
      return Status::Unavailable(message);
  }
}

}  // namespace wattline
