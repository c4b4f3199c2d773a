#include "aggregator/http/http_connection.h"

#include <http_parser.h>

#include <chrono>
#include <climits>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aggregator/http/url_query.h"
#include "common/log.h"

namespace wattline::aggregator {
namespace {

// A refused body whose Content-Length says where it ends is read and
// dropped, so the client, which may be sending it already, reads the answer
// and the connection carries on; up to this much, so that a sender without
// a token cannot keep a thread reading for as long as it likes.
constexpr uint64_t kMaxDroppedBytes = 64 << 20;

class Connection {
 public:
  Connection(SocketStream& stream, const HttpRoutes& routes, const ConnectionTimeouts& timeouts,
             const std::atomic<bool>& stopping)
      : stream_(stream), routes_(routes), timeouts_(timeouts), stopping_(stopping) {
    http_parser_init(&parser_, HTTP_REQUEST);
    parser_.data = this;
  }

  void Serve() {
    while (!stopping_.load(std::memory_order_relaxed)) {
      if (!ServeOne()) return;
    }
  }

 private:
  enum class LastHeaderPart { kNone, kField, kValue };

  // One request and its answer; whether the connection carries on.
  bool ServeOne() {
    StartMessage();
    if (begin_ == end_) {
      begin_ = 0;
      const ssize_t got = stream_.ReadWithin(buffer_, sizeof(buffer_), timeouts_.keep_alive_ms);
      if (got <= 0) return false;
      end_ = static_cast<size_t>(got);
    }
    // The whole head within the timeout, not each read of it: a client
    // sending a byte now and then must not hold the thread for ever.
    const auto head_deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(timeouts_.head_ms);
    if (!ParseUntil(headers_done_, head_deadline)) return AnswerParseFailure();
    HttpRequest request = Head();
    const BodyFraming framing{
        .chunked = (parser_.flags & F_CHUNKED) != 0,
        .other_transfer_encoding =
            parser_.uses_transfer_encoding != 0 && (parser_.flags & F_CHUNKED) == 0,
        .length = parser_.content_length == ULLONG_MAX ? 0 : parser_.content_length};
    const bool keep_alive = http_should_keep_alive(&parser_) != 0;
    const bool expects_continue = parser_.http_major == 1 && parser_.http_minor >= 1 &&
                                  framing.has_body() &&
                                  AsciiLower(request.Header("expect")) == "100-continue";
    const HttpRoute* route = nullptr;
    if (std::optional<HttpResponse> refused = routes_.Screen(request, framing, &route)) {
      // A body it can drop is read to its end, the connection kept; any
      // other is left unread and the connection closed, so that the rest
      // cannot be taken for another request. With Expect: 100-continue the
      // client waits for this answer before it sends the body.
      const bool droppable =
          !framing.has_body() || (!framing.chunked && !framing.other_transfer_encoding &&
                                  !expects_continue && framing.length <= kMaxDroppedBytes);
      if (!droppable) return Answer(*refused, request.method, /*keep_alive=*/false);
      drop_body_ = true;
      if (!ParseUntil(message_done_)) return false;
      return Answer(*refused, request.method, keep_alive);
    }
    if (expects_continue && !stream_.Write("HTTP/1.1 100 Continue\r\n\r\n", {})) return false;
    body_limit_ = route->options.max_body_bytes;
    if (!framing.chunked) body_.reserve(static_cast<size_t>(framing.length));
    if (!ParseUntil(message_done_)) {
      if (!over_limit_ && HTTP_PARSER_ERRNO(&parser_) == HPE_OK) return false;  // I/O
      HttpResponse refused =
          over_limit_ ? BodyTooLarge(*route) : Refuse(400, "cannot read the request body");
      if (route->options.on_refusal) route->options.on_refusal(refused.status);
      return Answer(refused, request.method, /*keep_alive=*/false);
    }
    if (route->options.form_fields && AsciiLower(request.Header("content-type"))
                                          .starts_with("application/x-www-form-urlencoded")) {
      AppendQueryFields(body_, &request.params);
    }
    request.body = std::move(body_);
    return Answer(Handle(*route, request), request.method, keep_alive);
  }

  // The route's answer; 500 if the handler throws, which would otherwise
  // end the process from this thread.
  static HttpResponse Handle(const HttpRoute& route, const HttpRequest& request) {
    try {
      return route.handler(request);
    } catch (const std::exception& error) {
      LogError("http", request.method + " " + request.path + ": " + error.what());
      return Refuse(500, "internal error");
    }
  }

  void StartMessage() {
    url_.clear();
    headers_.clear();
    last_header_part_ = LastHeaderPart::kNone;
    headers_done_ = message_done_ = false;
    drop_body_ = over_limit_ = false;
    body_.clear();
    body_limit_ = 0;
  }

  // Feeds the parser, reading as it needs, until `done` (a callback sets it
  // and pauses the parser). False at the end of the stream, on an I/O error
  // or timeout, past `deadline`, or when the parser fails (its errno says
  // why).
  bool ParseUntil(const bool& done,
                  std::optional<std::chrono::steady_clock::time_point> deadline = std::nullopt) {
    static const http_parser_settings kSettings = [] {
      http_parser_settings settings;
      http_parser_settings_init(&settings);
      settings.on_url = &Connection::OnUrl;
      settings.on_header_field = &Connection::OnHeaderField;
      settings.on_header_value = &Connection::OnHeaderValue;
      settings.on_headers_complete = &Connection::OnHeadersComplete;
      settings.on_body = &Connection::OnBody;
      settings.on_message_complete = &Connection::OnMessageComplete;
      return settings;
    }();
    while (!done) {
      if (begin_ == end_) {
        begin_ = end_ = 0;
        const ssize_t got =
            deadline ? stream_.ReadWithin(buffer_, sizeof(buffer_),
                                          std::chrono::duration_cast<std::chrono::milliseconds>(
                                              *deadline - std::chrono::steady_clock::now())
                                              .count())
                     : stream_.Read(buffer_, sizeof(buffer_));
        if (got <= 0) return false;
        end_ = static_cast<size_t>(got);
      }
      begin_ += http_parser_execute(&parser_, &kSettings, buffer_ + begin_, end_ - begin_);
      const http_errno error = HTTP_PARSER_ERRNO(&parser_);
      if (error == HPE_PAUSED) {
        http_parser_pause(&parser_, 0);
      } else if (error != HPE_OK) {
        return false;
      }
    }
    return true;
  }

  // The request line and headers as a request; the body comes later.
  HttpRequest Head() const {
    HttpRequest request;
    request.method = http_method_str(static_cast<http_method>(parser_.method));
    http_parser_url parts;
    http_parser_url_init(&parts);
    if (http_parser_parse_url(url_.data(), url_.size(), 0, &parts) == 0) {
      auto part = [&](http_parser_url_fields field) {
        return (parts.field_set & (1 << field)) == 0
                   ? std::string_view()
                   : std::string_view(url_).substr(parts.field_data[field].off,
                                                   parts.field_data[field].len);
      };
      request.path = DecodeUrl(part(UF_PATH), /*plus_is_space=*/false);
      AppendQueryFields(part(UF_QUERY), &request.params);
    } else {
      request.path = url_;  // no route has it: answered 404
    }
    for (const auto& [name, value] : headers_) request.headers.emplace(AsciiLower(name), value);
    request.peer_identity = stream_.peer_identity();
    return request;
  }

  bool AnswerParseFailure() {
    const http_errno error = HTTP_PARSER_ERRNO(&parser_);
    if (error == HPE_OK || error == HPE_PAUSED) return false;  // I/O: nobody to answer
    HttpResponse refused;
    if (error == HPE_HEADER_OVERFLOW) {
      refused = Refuse(431, "the request line and headers are over 80 KiB");
    } else {
      refused = Refuse(400, std::string("malformed request: ") + http_errno_description(error));
    }
    return Answer(refused, "", /*keep_alive=*/false);
  }

  // Writes `response` (its head only for HEAD); whether the connection
  // carries on.
  bool Answer(const HttpResponse& response, const std::string& method, bool keep_alive) {
    keep_alive = keep_alive && !stopping_.load(std::memory_order_relaxed);
    std::string head = "HTTP/1.1 " + std::to_string(response.status) + " " +
                       http_status_str(static_cast<http_status>(response.status)) +
                       "\r\nContent-Type: " + response.content_type +
                       "\r\nContent-Length: " + std::to_string(response.body.size()) + "\r\n";
    for (const auto& [name, value] : response.headers) head += name + ": " + value + "\r\n";
    if (!keep_alive) {
      head += "Connection: close\r\n";
    } else if (parser_.http_major == 1 && parser_.http_minor == 0) {
      head += "Connection: keep-alive\r\n";
    }
    head += "\r\n";
    const bool sent = stream_.Write(head, method == "HEAD" ? std::string_view() : response.body);
    return sent && keep_alive;
  }

  static Connection& Of(http_parser* parser) { return *static_cast<Connection*>(parser->data); }

  static int OnUrl(http_parser* parser, const char* at, size_t length) {
    Of(parser).url_.append(at, length);
    return 0;
  }
  static int OnHeaderField(http_parser* parser, const char* at, size_t length) {
    Connection& self = Of(parser);
    if (self.last_header_part_ != LastHeaderPart::kField) self.headers_.emplace_back();
    self.headers_.back().first.append(at, length);
    self.last_header_part_ = LastHeaderPart::kField;
    return 0;
  }
  static int OnHeaderValue(http_parser* parser, const char* at, size_t length) {
    Connection& self = Of(parser);
    self.headers_.back().second.append(at, length);
    self.last_header_part_ = LastHeaderPart::kValue;
    return 0;
  }
  static int OnHeadersComplete(http_parser* parser) {
    Of(parser).headers_done_ = true;
    http_parser_pause(parser, 1);  // screened before the body is read
    return 0;
  }
  static int OnBody(http_parser* parser, const char* at, size_t length) {
    Connection& self = Of(parser);
    if (self.drop_body_) return 0;
    if (length > self.body_limit_ - self.body_.size()) {
      self.over_limit_ = true;
      return 1;  // stops the parser: the rest is not read
    }
    self.body_.append(at, length);
    return 0;
  }
  static int OnMessageComplete(http_parser* parser) {
    Of(parser).message_done_ = true;
    http_parser_pause(parser, 1);  // a pipelined next request waits its turn
    return 0;
  }

  SocketStream& stream_;
  const HttpRoutes& routes_;
  const ConnectionTimeouts timeouts_;
  const std::atomic<bool>& stopping_;
  http_parser parser_;
  // Read, not yet parsed: [begin_, end_).
  char buffer_[16384];
  size_t begin_ = 0;
  size_t end_ = 0;
  // The message being parsed.
  std::string url_;
  std::vector<std::pair<std::string, std::string>> headers_;
  LastHeaderPart last_header_part_ = LastHeaderPart::kNone;
  bool headers_done_ = false;
  bool message_done_ = false;
  bool drop_body_ = false;
  bool over_limit_ = false;
  std::string body_;
  size_t body_limit_ = 0;
};

}  // namespace

void ServeConnection(SocketStream& stream, const HttpRoutes& routes,
                     const ConnectionTimeouts& timeouts, const std::atomic<bool>& stopping) {
  Connection(stream, routes, timeouts, stopping).Serve();
}

}  // namespace wattline::aggregator
