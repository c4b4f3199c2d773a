// The agent's HTTP(S) client: the only file of the agent that includes
// httplib.h. One client talks to one origin over one keep-alive connection.
//
// Thread-safety: not thread-safe, and blocking. The agent runs each request
// on the libuv thread pool and never uses one client from two requests at
// once (each source and the uploader own their client).
#ifndef WATTLINE_AGENT_HTTP_HTTP_CLIENT_H_
#define WATTLINE_AGENT_HTTP_HTTP_CLIENT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace wattline::agent {

// How a client proves who it is to the server, on every request.
enum class HttpAuthKind {
  kNone,
  // RFC 7617: "Authorization: Basic" with every request (Shelly Gen1).
  kBasic,
  // RFC 7616: the first request of each exchange is answered 401 with a
  // challenge, and the client repeats it once with the digest of the
  // credentials; MD5, SHA-256 and SHA-512 as the challenge names (Shelly
  // Gen2+ asks for SHA-256). Each Get()/Post() therefore costs two round
  // trips when the server asks for it.
  kDigest,
};

struct HttpClientOptions {
  // "http://host[:port]" or "https://host[:port]".
  std::string origin;
  HttpAuthKind auth = HttpAuthKind::kNone;
  // For kBasic and kDigest. Never logged.
  std::string username;
  std::string password;
  // For https: the CA that signed the server's certificate, and this
  // client's certificate and key for mutual TLS (both or neither).
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  int64_t connect_timeout_ms = 5000;
  int64_t io_timeout_ms = 10000;
  // Responses larger than this are refused.
  size_t max_response_bytes = 1 << 20;
};

struct HttpResponseData {
  int status = 0;
  std::string body;
  std::string date_header;  // the server's Date header, or ""
};

class HttpClient {
 public:
  // InvalidArgument on a malformed origin, an incomplete TLS setup, or
  // kBasic/kDigest without a username.
  static Result<std::unique_ptr<HttpClient>> Create(const HttpClientOptions& options);
  virtual ~HttpClient() = default;

  // Unavailable when the server cannot be reached, the TLS handshake fails
  // or the connection breaks; ResourceExhausted when the response is over
  // max_response_bytes; Internal when the HTTP library gives up on what the
  // server sent (e.g. a digest challenge without a nonce), after which the
  // next call starts on a new connection. Any HTTP status is a successful
  // exchange: a refused login is a response with status 401.
  virtual Result<HttpResponseData> Get(const std::string& path_and_query) = 0;
  virtual Result<HttpResponseData> Post(
      const std::string& path, const std::string& body, const std::string& content_type,
      const std::vector<std::pair<std::string, std::string>>& headers) = 0;
};

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_HTTP_HTTP_CLIENT_H_
