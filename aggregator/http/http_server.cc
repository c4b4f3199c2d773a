#include "aggregator/http/http_server.h"

#include <httplib.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>
#include <chrono>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "aggregator/pki/openssl_error.h"
#include "aggregator/pki/x509_builder.h"
#include "common/log.h"

namespace wattline::aggregator {
namespace {

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// The verified peer's CN, or "" (no certificate, or an ambiguous one).
std::string PeerCommonName(const SSL* ssl) {
  if (ssl == nullptr) return {};
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (cert == nullptr) return {};
  Result<std::string> name = CertificateCommonName(cert);
  X509_free(cert);
  return name.ok() ? *name : std::string();
}

// Appends the fields of a URL query or form body, in order. Not httplib's
// parse_query_text, which drops a repeated name=value pair: a repeated
// match[] must arrive as often as it was sent, as Go's url.ParseQuery keeps
// it. A field without "=" has the value "".
void AppendQueryFields(std::string_view text,
                       std::vector<std::pair<std::string, std::string>>* params) {
  httplib::detail::split(
      text.data(), text.data() + text.size(), '&', [params](const char* begin, const char* end) {
        const std::string_view field(begin, static_cast<size_t>(end - begin));
        const size_t equals = field.find('=');
        params->emplace_back(
            httplib::detail::decode_url(std::string(field.substr(0, equals)),
                                        /*convert_plus_to_space=*/true),
            equals == std::string_view::npos
                ? std::string()
                : httplib::detail::decode_url(std::string(field.substr(equals + 1)), true));
      });
}

// The request line and headers; the body is read separately (ReadBody).
HttpRequest ToRequest(const httplib::Request& in) {
  HttpRequest out;
  out.method = in.method;
  out.path = in.path;
  if (const size_t query = in.target.find('?'); query != std::string::npos) {
    AppendQueryFields(std::string_view(in.target).substr(query + 1), &out.params);
  }
  for (const auto& [name, value] : in.headers) out.headers.emplace(Lower(name), value);
#ifdef CPPHTTPLIB_OPENSSL_SUPPORT
  out.peer_identity = PeerCommonName(in.ssl);
#endif
  return out;
}

void Answer(HttpResponse response, httplib::Response& res) {
  res.status = response.status;
  for (const auto& [name, value] : response.headers) res.set_header(name, value);
  res.set_content(std::move(response.body), response.content_type);
}

// Answers and closes the connection, whose unread body could otherwise be
// taken for the next request. httplib 0.11 closes a connection after a
// response only when writing it fails, so the body goes out through a
// content provider that reports a failure once everything is written.
// `declare_length`: the Content-Length httplib adds itself only on the
// routing path, not to an answer to Expect: 100-continue.
void AnswerAndClose(HttpResponse response, httplib::Response& res, bool declare_length) {
  res.status = response.status;
  for (const auto& [name, value] : response.headers) res.set_header(name, value);
  res.set_header("Connection", "close");
  auto body = std::make_shared<std::string>(std::move(response.body));
  if (body->empty()) *body = std::to_string(response.status) + "\n";
  if (declare_length) res.set_header("Content-Length", std::to_string(body->size()));
  res.set_content_provider(body->size(), response.content_type,
                           [body](size_t offset, size_t length, httplib::DataSink& sink) {
                             sink.write(body->data() + offset, length);
                             return false;
                           });
}

// The Content-Encodings httplib inflates itself before a handler sees the
// body (pkg-config's cpp-httplib flags, and the library, have
// CPPHTTPLIB_ZLIB_SUPPORT and CPPHTTPLIB_BROTLI_SUPPORT): its own test, in
// prepare_content_receiver, made case-insensitive.
bool HttplibInflates(const std::string& encoding) {
  const std::string lower = Lower(encoding);
  return lower == "gzip" || lower == "deflate" || lower.find("br") != std::string::npos;
}

// What the headers say of the body. httplib reads a chunked body when
// Transfer-Encoding is exactly "chunked" and, for any other
// Transfer-Encoding without a Content-Length, until the connection closes.
struct BodyFraming {
  bool chunked = false;
  bool other_transfer_encoding = false;
  bool bad_length = false;
  uint64_t length = 0;  // Content-Length, when not chunked
  // A malformed length counts as a body: where it ends is unknown.
  bool has_body() const { return chunked || other_transfer_encoding || bad_length || length > 0; }
};

BodyFraming FramingOf(const httplib::Request& req) {
  BodyFraming framing;
  if (req.has_header("Transfer-Encoding")) {
    framing.chunked = Lower(req.get_header_value("Transfer-Encoding")) == "chunked";
    framing.other_transfer_encoding = !framing.chunked;
    return framing;
  }
  if (!req.has_header("Content-Length")) return framing;
  const std::string& text = req.get_header_value("Content-Length");
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), framing.length);
  framing.bad_length = text.empty() || error != std::errc() || end != text.data() + text.size();
  return framing;
}

struct Route {
  HttpHandler handler;
  HttpRouteOptions options;
};

class HttplibServer final : public HttpServer {
 public:
  HttplibServer(HttpServerOptions options, std::unique_ptr<httplib::Server> server)
      : options_(std::move(options)), server_(std::move(server)) {
    // The limits are ours, per route (Screen, Serve): httplib's own check
    // of Content-Length must never come first.
    server_->set_payload_max_length(std::numeric_limits<size_t>::max());
    server_->set_keep_alive_max_count(100'000);
    server_->set_keep_alive_timeout(std::max<int64_t>(1, options_.keep_alive_timeout_ms / 1000));
    server_->set_read_timeout(std::chrono::milliseconds(options_.io_timeout_ms));
    server_->set_write_timeout(std::chrono::milliseconds(options_.io_timeout_ms));
    // httplib writes a response's head and body apart: without TCP_NODELAY,
    // Nagle holds the body on a kept-alive connection until the client's
    // delayed ACK (40 ms on Linux), for every query after a connection's first.
    server_->set_tcp_nodelay(true);
    // Every request is screened on its headers before any of its body is
    // read: at Expect: 100-continue, before the client sends it; then, for
    // POST, in Serve, where a refused body can be dropped; for the other
    // methods before routing, where httplib would read a body itself.
    server_->set_expect_100_continue_handler(
        [this](const httplib::Request& req, httplib::Response& res) {
          std::optional<HttpResponse> refused = Screen(req);
          if (!refused) return 100;
          AnswerAndClose(std::move(*refused), res, /*declare_length=*/true);
          return res.status;
        });
    server_->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      if (req.method == "POST") return httplib::Server::HandlerResponse::Unhandled;
      std::optional<HttpResponse> refused = Screen(req);
      if (!refused) return httplib::Server::HandlerResponse::Unhandled;
      SendRefusal(req, std::move(*refused), res, nullptr);
      return httplib::Server::HandlerResponse::Handled;
    });
    // Routes are matched exactly, here; httplib's regex routing only
    // hands every GET and POST over. POST takes a ContentReader, so that
    // httplib neither buffers the body nor parses forms itself.
    server_->Get(".*", [this](const httplib::Request& req, httplib::Response& res) {
      Serve(req, res, nullptr);
    });
    server_->Post(".*",
                  httplib::Server::HandlerWithContentReader(
                      [this](const httplib::Request& req, httplib::Response& res,
                             const httplib::ContentReader& reader) { Serve(req, res, &reader); }));
  }

  ~HttplibServer() override { Stop(); }

  void Handle(const std::string& method, const std::string& path, HttpHandler handler,
              HttpRouteOptions options) override {
    if (options.max_body_bytes == 0) options.max_body_bytes = options_.max_body_bytes;
    Route route{std::move(handler), std::move(options)};
    if (path.ends_with("/*")) {
      prefix_routes_[{method, path.substr(0, path.size() - 1)}] = std::move(route);
    } else {
      routes_[{method, path}] = std::move(route);
    }
  }

  Result<int> Bind() override {
    int port = options_.port == 0
                   ? server_->bind_to_any_port(options_.host)
                   : (server_->bind_to_port(options_.host, options_.port) ? options_.port : -1);
    if (port <= 0) {
      return Status::Unavailable(options_.name + ": cannot listen on " + options_.host + ":" +
                                 std::to_string(options_.port));
    }
    return port;
  }

  void StartServing() override {
    thread_ = std::thread([this] {
      if (!server_->listen_after_bind()) LogError(options_.name, "listener stopped with an error");
      listener_returned_ = true;
    });
    // Until its loop runs: cpp-httplib's stop() does nothing before that,
    // and the loop then never ends, so a Stop() right after this (a test, a
    // start that fails later) would wait for ever in join().
    while (!server_->is_running() && !listener_returned_) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  void Stop() override {
    server_->stop();
    if (thread_.joinable()) thread_.join();
  }

 private:
  const Route* Find(const httplib::Request& req) const {
    const std::string method = req.method == "HEAD" ? "GET" : req.method;
    if (auto it = routes_.find({method, req.path}); it != routes_.end()) return &it->second;
    // The longest prefix first: the map orders a prefix before its
    // extensions, so the last match going forward is the longest.
    const Route* found = nullptr;
    for (const auto& [key, route] : prefix_routes_) {
      if (key.first == method && req.path.starts_with(key.second)) found = &route;
    }
    return found;
  }

  // The checks on the request line and headers; an answer when they refuse.
  std::optional<HttpResponse> Screen(const httplib::Request& req) const {
    const Route* route = Find(req);
    if (route == nullptr) return Refuse(404, "no route for " + req.method + " " + req.path);
    std::optional<HttpResponse> refused = ScreenRoute(req, *route);
    if (refused && route->options.on_refusal) route->options.on_refusal(refused->status);
    return refused;
  }

  static std::optional<HttpResponse> ScreenRoute(const httplib::Request& req, const Route& route) {
    const BodyFraming framing = FramingOf(req);
    if (framing.other_transfer_encoding) {
      return Refuse(501, "Transfer-Encoding " + req.get_header_value("Transfer-Encoding") +
                             " is not supported; send chunked or a Content-Length");
    }
    if (framing.bad_length) return Refuse(400, "malformed Content-Length");
    if (req.method != "POST") {
      if (framing.has_body()) return Refuse(400, req.method + " takes no body");
      return std::nullopt;
    }
    if (HttplibInflates(req.get_header_value("Content-Encoding"))) {
      return Refuse(415, "Content-Encoding " + req.get_header_value("Content-Encoding") +
                             " is not accepted; send the body uncompressed");
    }
    if (req.is_multipart_form_data()) return Refuse(415, "multipart/form-data is not accepted");
    if (framing.length > route.options.max_body_bytes) return TooLarge(route);
    if (route.options.admit) return route.options.admit(ToRequest(req));
    return std::nullopt;
  }

  static HttpResponse TooLarge(const Route& route) {
    return Refuse(413, "the body is over this path's limit of " +
                           std::to_string(route.options.max_body_bytes) + " bytes");
  }

  // Answers `refused` in the route's place. A body of at most 64 MiB whose
  // Content-Length says where it ends, and which httplib would not inflate,
  // is read and dropped as it arrives (never buffered), so that the client,
  // which may be sending it already, reads the answer and the connection
  // carries on. Any other body is left unread and the connection closed.
  static void SendRefusal(const httplib::Request& req, HttpResponse refused, httplib::Response& res,
                          const httplib::ContentReader* reader) {
    const BodyFraming framing = FramingOf(req);
    if (!framing.has_body()) return Answer(std::move(refused), res);
    // Up to a bound: a sender without a token must not keep a listener
    // thread reading for as long as it likes.
    constexpr uint64_t kMaxDroppedBytes = 64 << 20;
    const bool droppable = reader != nullptr && !framing.chunked &&
                           !framing.other_transfer_encoding && !framing.bad_length &&
                           framing.length <= kMaxDroppedBytes &&
                           !HttplibInflates(req.get_header_value("Content-Encoding"));
    if (droppable && (*reader)([](const char*, size_t) { return true; })) {
      return Answer(std::move(refused), res);
    }
    AnswerAndClose(std::move(refused), res, /*declare_length=*/false);
  }

  // Screens a POST (GETs were screened before routing) and runs the route.
  // `reader` is null for GET.
  void Serve(const httplib::Request& req, httplib::Response& res,
             const httplib::ContentReader* reader) const {
    if (reader != nullptr) {
      if (std::optional<HttpResponse> refused = Screen(req)) {
        return SendRefusal(req, std::move(*refused), res, reader);
      }
    }
    const Route* route = Find(req);
    if (route == nullptr) return Answer(Refuse(404, "no route"), res);
    HttpRequest request = ToRequest(req);
    const BodyFraming framing = FramingOf(req);
    // Without Content-Length or chunks a request has no body (RFC 9112
    // 6.3); httplib would read until the connection closes.
    if (reader != nullptr && framing.has_body()) {
      const size_t limit = route->options.max_body_bytes;
      if (!framing.chunked) request.body.reserve(static_cast<size_t>(framing.length));
      bool over_limit = false;
      const bool read = (*reader)([&](const char* data, size_t size) {
        if (size > limit - request.body.size()) {
          over_limit = true;
          return false;
        }
        request.body.append(data, size);
        return true;
      });
      if (!read) {
        HttpResponse refused =
            over_limit ? TooLarge(*route) : Refuse(400, "cannot read the request body");
        if (route->options.on_refusal) route->options.on_refusal(refused.status);
        return AnswerAndClose(std::move(refused), res, /*declare_length=*/false);
      }
      if (route->options.form_fields && Lower(req.get_header_value("Content-Type"))
                                            .starts_with("application/x-www-form-urlencoded")) {
        AppendQueryFields(request.body, &request.params);
      }
    }
    Answer(route->handler(request), res);
  }

  HttpServerOptions options_;
  std::unique_ptr<httplib::Server> server_;
  // Written by Handle() before Bind(), then only read.
  std::map<std::pair<std::string, std::string>, Route> routes_;
  // Keyed by (method, prefix ending in "/").
  std::map<std::pair<std::string, std::string>, Route> prefix_routes_;
  std::thread thread_;
  std::atomic<bool> listener_returned_{false};
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
