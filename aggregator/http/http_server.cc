#include "aggregator/http/http_server.h"

#include <httplib.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cctype>

#include "aggregator/pki/openssl_error.h"
#include "aggregator/pki/x509_builder.h"
#include "common/log.h"

namespace wattline::aggregator {
namespace {

// The verified peer's CN, or "" (no certificate, or an ambiguous one).
std::string PeerCommonName(const SSL* ssl) {
  if (ssl == nullptr) return {};
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (cert == nullptr) return {};
  Result<std::string> name = CertificateCommonName(cert);
  X509_free(cert);
  return name.ok() ? *name : std::string();
}

HttpRequest ToRequest(const httplib::Request& in) {
  HttpRequest out;
  out.method = in.method;
  out.path = in.path;
  for (const auto& [name, value] : in.params) out.params.emplace_back(name, value);
  for (const auto& [name, value] : in.headers) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    out.headers.emplace(std::move(lower), value);
  }
  out.body = in.body;
#ifdef CPPHTTPLIB_OPENSSL_SUPPORT
  out.peer_identity = PeerCommonName(in.ssl);
#endif
  return out;
}

class HttplibServer final : public HttpServer {
 public:
  HttplibServer(HttpServerOptions options, std::unique_ptr<httplib::Server> server)
      : options_(std::move(options)), server_(std::move(server)) {
    server_->set_payload_max_length(options_.max_body_bytes);
    server_->set_keep_alive_max_count(100'000);
    server_->set_keep_alive_timeout(std::max<int64_t>(1, options_.keep_alive_timeout_ms / 1000));
    server_->set_read_timeout(std::chrono::milliseconds(options_.io_timeout_ms));
    server_->set_write_timeout(std::chrono::milliseconds(options_.io_timeout_ms));
  }

  ~HttplibServer() override { Stop(); }

  void Handle(const std::string& method, const std::string& path, HttpHandler handler) override {
    auto adapter = [handler = std::move(handler)](const httplib::Request& req,
                                                  httplib::Response& res) {
      HttpResponse response = handler(ToRequest(req));
      res.status = response.status;
      for (const auto& [name, value] : response.headers) res.set_header(name, value);
      res.set_content(std::move(response.body), response.content_type);
    };
    if (method == "GET") server_->Get(path, adapter);
    if (method == "POST") server_->Post(path, adapter);
  }

  Result<int> Bind() override {
    int port = options_.port == 0 ? server_->bind_to_any_port(options_.host)
                                  : (server_->bind_to_port(options_.host, options_.port)
                                         ? options_.port
                                         : -1);
    if (port <= 0) {
      return Status::Unavailable(options_.name + ": cannot listen on " + options_.host + ":" +
                                 std::to_string(options_.port));
    }
    return port;
  }

  void StartServing() override {
    thread_ = std::thread([this] {
      if (!server_->listen_after_bind()) LogError(options_.name, "listener stopped with an error");
    });
  }

  void Stop() override {
    server_->stop();
    if (thread_.joinable()) thread_.join();
  }

 private:
  HttpServerOptions options_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

// Builds the TLS context: our certificate, and a peer certificate required
// and verified against the client CA.
bool SetUpTls(SSL_CTX& ctx, const HttpServerOptions& options, std::string* error) {
  ClearOpenSslErrors();
  SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(&ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  if (SSL_CTX_use_certificate_chain_file(&ctx, options.cert_file.c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(&ctx, options.key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(&ctx) != 1) {
    *error = OpenSslError("cannot load " + options.cert_file + " / " + options.key_file).message();
    return false;
  }
  if (SSL_CTX_load_verify_locations(&ctx, options.client_ca_file.c_str(), nullptr) != 1) {
    *error = OpenSslError("cannot load client CA " + options.client_ca_file).message();
    return false;
  }
  STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(options.client_ca_file.c_str());
  if (names != nullptr) SSL_CTX_set_client_CA_list(&ctx, names);
  SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  return true;
}

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::Create(const HttpServerOptions& options) {
  bool tls = !options.cert_file.empty();
  if (tls != !options.key_file.empty() || tls != !options.client_ca_file.empty()) {
    return Status::InvalidArgument(options.name + ": TLS needs cert, key and client CA together");
  }
  std::unique_ptr<httplib::Server> server;
  if (tls) {
    std::string error;
    auto ssl_server = std::make_unique<httplib::SSLServer>(
        [&options, &error](SSL_CTX& ctx) { return SetUpTls(ctx, options, &error); });
    if (!ssl_server->is_valid()) {
      return Status::InvalidArgument(options.name + ": " +
                                     (error.empty() ? "cannot set up TLS" : error));
    }
    server = std::move(ssl_server);
  } else {
    server = std::make_unique<httplib::Server>();
  }
  return std::unique_ptr<HttpServer>(new HttplibServer(options, std::move(server)));
}

}  // namespace wattline::aggregator
