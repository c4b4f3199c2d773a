#include "agent/http/http_client.h"

#include <httplib.h>

#include <exception>

namespace wattline::agent {
namespace {

// Builds and configures one httplib client for `options`, already checked by
// HttpClient::Create().
Result<std::unique_ptr<httplib::Client>> MakeClient(const HttpClientOptions& options) {
  const bool https = options.origin.rfind("https://", 0) == 0;
  std::unique_ptr<httplib::Client> client;
  if (https && !options.cert_file.empty()) {
    client = std::make_unique<httplib::Client>(options.origin, options.cert_file, options.key_file);
  } else {
    client = std::make_unique<httplib::Client>(options.origin);
  }
  if (!client->is_valid()) {
    return Status::InvalidArgument(options.origin + ": cannot set up the client (bad URL, or "
                                   "unreadable certificate or key)");
  }
  if (https) {
    client->set_ca_cert_path(options.ca_file.c_str());
    client->enable_server_certificate_verification(true);
  }
  switch (options.auth) {
    case HttpAuthKind::kNone: break;
    case HttpAuthKind::kBasic: client->set_basic_auth(options.username, options.password); break;
    case HttpAuthKind::kDigest:
#ifdef CPPHTTPLIB_OPENSSL_SUPPORT
      client->set_digest_auth(options.username, options.password);
      break;
#else
      return Status::InvalidArgument(options.origin +
                                     ": digest authentication needs cpp-httplib with OpenSSL");
#endif
  }
  client->set_keep_alive(true);
  client->set_connection_timeout(std::chrono::milliseconds(options.connect_timeout_ms));
  client->set_read_timeout(std::chrono::milliseconds(options.io_timeout_ms));
  client->set_write_timeout(std::chrono::milliseconds(options.io_timeout_ms));
  return client;
}

class HttplibClient final : public HttpClient {
 public:
  HttplibClient(const HttpClientOptions& options, std::unique_ptr<httplib::Client> client)
      : options_(options), client_(std::move(client)) {}

  Result<HttpResponseData> Get(const std::string& path_and_query) override {
    return Exchange([&](httplib::Client& client) { return client.Get(path_and_query); });
  }

  Result<HttpResponseData> Post(
      const std::string& path, const std::string& body, const std::string& content_type,
      const std::vector<std::pair<std::string, std::string>>& headers) override {
    httplib::Headers h(headers.begin(), headers.end());
    return Exchange(
        [&](httplib::Client& client) { return client.Post(path, h, body, content_type); });
  }

 private:
  template <typename Request>
  Result<HttpResponseData> Exchange(Request request) {
    if (client_ == nullptr) {
      Result<std::unique_ptr<httplib::Client>> client = MakeClient(options_);
      if (!client.ok()) return client.status();
      client_ = std::move(*client);
    }
    try {
      return Convert(request(*client_));
    } catch (const std::exception& e) {
      // httplib throws from inside an exchange on some server answers: its
      // digest code does map.at("nonce") on the server's challenge. The
      // client may be left mid-request (its in-flight bookkeeping is not
      // unwound), so it is dropped and the next call builds a new one.
      client_.reset();
      return Status::Internal(options_.origin + ": HTTP exchange failed: " + e.what());
    }
  }

  Result<HttpResponseData> Convert(httplib::Result result) {
    if (!result) {
      return Status::Unavailable(options_.origin + ": " + httplib::to_string(result.error()));
    }
    if (result->body.size() > options_.max_response_bytes) {
      return Status::ResourceExhausted(options_.origin + ": response over " +
                                       std::to_string(options_.max_response_bytes) + " bytes");
    }
    return HttpResponseData{result->status, std::move(result->body),
                            result->get_header_value("Date")};
  }

  HttpClientOptions options_;
  std::unique_ptr<httplib::Client> client_;  // nullptr after a failed exchange
};

}  // namespace

Result<std::unique_ptr<HttpClient>> HttpClient::Create(const HttpClientOptions& options) {
  bool https = options.origin.rfind("https://", 0) == 0;
  bool http = options.origin.rfind("http://", 0) == 0;
  if (!https && !http) {
    return Status::InvalidArgument("\"" + options.origin + "\" is not an http:// or https:// URL");
  }
  if (options.cert_file.empty() != options.key_file.empty()) {
    return Status::InvalidArgument(options.origin + ": a client certificate needs its key");
  }
  if (https && options.ca_file.empty()) {
    return Status::InvalidArgument(options.origin + ": https needs a CA file to verify the server");
  }
  if (options.auth != HttpAuthKind::kNone && options.username.empty()) {
    return Status::InvalidArgument(options.origin + ": authentication needs a username");
  }
  Result<std::unique_ptr<httplib::Client>> client = MakeClient(options);
  if (!client.ok()) return client.status();
  return std::unique_ptr<HttpClient>(new HttplibClient(options, std::move(*client)));
}

}  // namespace wattline::agent
