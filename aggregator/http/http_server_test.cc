#include "aggregator/http/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "aggregator/api/query_api.h"
#include "aggregator/pki/pki.h"
#include "aggregator/storage/sample_store.h"
#include "common/clock.h"
#include "common/testing/temp_dir.h"

namespace wattline::aggregator {
namespace {

// One connection written and read byte for byte, for requests a polite
// client does not send. Reads give up after 10 s so that a server waiting
// for bytes that never come fails the test instead of hanging it.
class RawConnection {
 public:
  explicit RawConnection(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval timeout{10, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    connected_ = connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0;
  }
  ~RawConnection() {
    if (ssl_ != nullptr) SSL_free(ssl_);
    if (ctx_ != nullptr) SSL_CTX_free(ctx_);
    close(fd_);
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return connected_; }

  // Mutual TLS with the client certificate in `cert_file` / `key_file`.
  bool StartTls(const std::string& cert_file, const std::string& key_file) {
    ctx_ = SSL_CTX_new(TLS_client_method());
    if (SSL_CTX_use_certificate_chain_file(ctx_, cert_file.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx_, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
      return false;
    }
    ssl_ = SSL_new(ctx_);
    SSL_set_fd(ssl_, fd_);
    return SSL_connect(ssl_) == 1;
  }

  bool Send(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t sent = ssl_ != nullptr
                               ? SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size()))
                               : send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (sent <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(sent));
    }
    return true;
  }

  // What one read returns: "" on end of stream, error or timeout.
  std::string ReadSome() {
    char buffer[16384];
    const ssize_t n = ssl_ != nullptr ? SSL_read(ssl_, buffer, sizeof(buffer))
                                      : recv(fd_, buffer, sizeof(buffer), 0);
    return n > 0 ? std::string(buffer, static_cast<size_t>(n)) : std::string();
  }

  // One response with a Content-Length, read whole ("" on a timeout).
  std::string ReadResponse() {
    std::string all;
    for (std::string some = ReadSome(); !some.empty(); some = ReadSome()) {
      all += some;
      const size_t end = all.find("\r\n\r\n");
      const size_t length = all.find("Content-Length: ");
      if (end == std::string::npos || length == std::string::npos || length > end) continue;
      if (all.size() >= end + 4 + std::stoul(all.substr(length + 16))) return all;
    }
    return {};
  }

  // Everything until the server closes the connection (or the timeout).
  std::string ReadUntilClosed() {
    std::string all;
    for (std::string some = ReadSome(); !some.empty(); some = ReadSome()) all += some;
    return all;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
};

// The status code of the first response in `response`, or 0.
int StatusOf(const std::string& response) {
  if (response.size() < 12 || response.compare(0, 5, "HTTP/") != 0) return 0;
  return std::stoi(response.substr(9, 3));
}

std::string BodyOf(const std::string& response) {
  const size_t end = response.find("\r\n\r\n");
  return end == std::string::npos ? std::string() : response.substr(end + 4);
}

bool ClosesTheConnection(const std::string& response) {
  const std::string head = response.substr(0, response.find("\r\n\r\n"));
  return head.find("\r\nConnection: close") != std::string::npos;
}

std::string Post(std::string_view path, std::string_view headers, std::string_view body) {
  return "POST " + std::string(path) + " HTTP/1.1\r\nHost: test\r\n" + std::string(headers) +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

// `size` zero bytes compressed by zlib: gzip (window_bits 31) or the zlib
// format HTTP calls deflate (15). About 1 KiB of output per MiB of input.
std::string Compressed(size_t size, int window_bits) {
  z_stream stream{};
  EXPECT_EQ(deflateInit2(&stream, 9, Z_DEFLATED, window_bits, 9, Z_DEFAULT_STRATEGY), Z_OK);
  const std::string zeros(1 << 20, '\0');
  std::string out;
  char buffer[65536];
  for (size_t done = 0; done < size; done += zeros.size()) {
    const bool last = done + zeros.size() >= size;
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(zeros.data()));
    stream.avail_in = static_cast<uInt>(zeros.size());
    do {
      stream.next_out = reinterpret_cast<Bytef*>(buffer);
      stream.avail_out = sizeof(buffer);
      deflate(&stream, last ? Z_FINISH : Z_NO_FLUSH);
      out.append(buffer, sizeof(buffer) - stream.avail_out);
    } while (stream.avail_out == 0);
  }
  deflateEnd(&stream);
  return out;
}

class HttpServerTest : public ::testing::Test {
 protected:
  ~HttpServerTest() override {
    if (server_) server_->Stop();
  }

  // Creates the listener; add routes, then Serve().
  void Create(size_t max_body_bytes, HttpServerOptions options = {}) {
    options.name = "test";
    options.max_body_bytes = max_body_bytes;
    // A server stuck on a body that never comes must not outlast the test.
    if (options.io_timeout_ms == HttpServerOptions{}.io_timeout_ms) options.io_timeout_ms = 5000;
    auto server = HttpServer::Create(options);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
  }

  void Serve() {
    Result<int> port = server_->Bind();
    ASSERT_TRUE(port.ok()) << port.status().ToString();
    port_ = *port;
    server_->StartServing();
  }

  // A handler that counts its calls and answers with the body's size.
  HttpHandler Counting() {
    return [this](const HttpRequest& request) {
      ++calls_;
      HttpResponse response;
      response.body = "got " + std::to_string(request.body.size());
      return response;
    };
  }

  // Sends `request` on a new connection; all the server answers.
  std::string Exchange(const std::string& request) {
    RawConnection connection(port_);
    EXPECT_TRUE(connection.connected());
    EXPECT_TRUE(connection.Send(request));
    return connection.ReadUntilClosed();
  }

  static HttpRouteOptions DataRoute() {
    HttpRouteOptions options;
    options.form_fields = false;
    return options;
  }

  std::unique_ptr<HttpServer> server_;
  int port_ = 0;
  std::atomic<int> calls_{0};
};

// A listener stopped right after it started (a test's teardown, a start
// that fails further on) must stop. (cpp-httplib's stop(), which served
// before, did nothing before its loop ran, and Stop() then hung in join().)
TEST_F(HttpServerTest, StopRightAfterStartingReturns) {
  for (int i = 0; i < 200; ++i) {
    Create(1024);
    Serve();
    server_->Stop();
    server_.reset();
  }
}

// VictoriaMetrics documents the import as curl --data-binary, which sends
// Content-Type: application/x-www-form-urlencoded: a data route takes such a
// body whole, of any size up to its limit, not as form fields.
TEST_F(HttpServerTest, FormTypedBodyOverEightKiBReachesADataRoute) {
  Create(1 << 20);
  server_->Handle("POST", "/import", Counting(), DataRoute());
  Serve();
  const std::string body(20000, 'x');
  const std::string response = Exchange(Post(
      "/import", "Connection: close\r\nContent-Type: application/x-www-form-urlencoded\r\n", body));
  EXPECT_EQ(StatusOf(response), 200) << response;
  EXPECT_EQ(BodyOf(response), "got 20000");
}

// Grafana POSTs query parameters as a form; they must stay params, also
// when the form is over 8 KiB.
TEST_F(HttpServerTest, FormFieldsReachTheQueryApi) {
  testing::TempDir dir;
  FakeClock clock;
  auto store = SampleStore::Open(dir.File("s.db"), &clock);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  QueryApi query(store->get(), &clock);
  Create(1 << 20);
  server_->Handle("POST", "/api/v1/query",
                  [&query](const HttpRequest& request) { return query.HandleQuery(request); });
  Serve();
  const std::string form_type =
      "Connection: close\r\nContent-Type: application/x-www-form-urlencoded\r\n";
  const std::string answered =
      Exchange(Post("/api/v1/query", form_type, "query=up&time=1700000000"));
  EXPECT_EQ(StatusOf(answered), 200) << answered;
  EXPECT_NE(BodyOf(answered).find("\"status\":\"success\""), std::string::npos) << answered;

  const std::string long_form = Exchange(Post(
      "/api/v1/query", form_type, "query=up&time=1700000000&padding=" + std::string(10000, 'p')));
  EXPECT_EQ(StatusOf(long_form), 200) << long_form;

  // The query came from the form: without it the API says so.
  const std::string no_query = Exchange(Post("/api/v1/query", form_type, "time=1700000000"));
  EXPECT_EQ(StatusOf(no_query), 400) << no_query;
}

// Prometheus's match[] repeats; every value must reach the handler, from
// the URL and from a form body alike, in order.
TEST_F(HttpServerTest, RepeatedParametersAllReachTheHandler) {
  Create(1 << 20);
  std::vector<std::string> seen;
  std::mutex mutex;
  HttpHandler collect = [&](const HttpRequest& request) {
    std::lock_guard<std::mutex> lock(mutex);
    seen = request.Params("match[]");
    return HttpResponse{};
  };
  server_->Handle("GET", "/series", collect);
  server_->Handle("POST", "/series", collect);
  Serve();
  const std::string got = Exchange(
      "GET /series?match%5B%5D=up&match[]=power_watts%7Bphase%3D%22a%22%7D HTTP/1.1\r\n"
      "Host: test\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(StatusOf(got), 200) << got;
  EXPECT_EQ(seen, (std::vector<std::string>{"up", "power_watts{phase=\"a\"}"}));

  const std::string posted = Exchange(
      Post("/series", "Connection: close\r\nContent-Type: application/x-www-form-urlencoded\r\n",
           "match%5B%5D=a&match%5B%5D=b&match%5B%5D=a"));
  EXPECT_EQ(StatusOf(posted), 200) << posted;
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b", "a"}));
}

// A path ending in "/*" takes what is under it, after exact routes, the
// longest prefix first, for its method only.
TEST_F(HttpServerTest, PrefixRoutesTakeThePathsUnderThem) {
  Create(1 << 20);
  auto answer = [](std::string name) {
    return [name](const HttpRequest& request) {
      HttpResponse response;
      response.body = name + " " + request.path;
      return response;
    };
  };
  server_->Handle("GET", "/api/v1/*", answer("api"));
  server_->Handle("GET", "/api/v1/label/*", answer("label"));
  server_->Handle("GET", "/api/v1/labels", answer("labels"));
  Serve();
  auto get = [this](const std::string& path) {
    return Exchange("GET " + path + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
  };
  EXPECT_EQ(BodyOf(get("/api/v1/labels")), "labels /api/v1/labels");
  EXPECT_EQ(BodyOf(get("/api/v1/label/job/values")), "label /api/v1/label/job/values");
  EXPECT_EQ(BodyOf(get("/api/v1/nothing")), "api /api/v1/nothing");
  EXPECT_EQ(StatusOf(get("/api/v2/labels")), 404);
  EXPECT_EQ(StatusOf(get("/api/v1")), 404);  // "/*" takes what is under the folder only
  const std::string post = Exchange(Post("/api/v1/label/job/values", "Connection: close\r\n", ""));
  EXPECT_EQ(StatusOf(post), 404) << post;
}

// No route inflates a body, and none is inflated for it (64 KiB of gzip
// can become 64 MiB): the client hears why, before the route sees it.
TEST_F(HttpServerTest, CompressedBodiesAreRefusedUninflated) {
  Create(1 << 20);
  server_->Handle("POST", "/import", Counting(), DataRoute());
  Serve();
  const struct {
    const char* encoding;
    std::string body;
  } cases[] = {{"gzip", Compressed(64 << 20, 31)},
               {"deflate", Compressed(64 << 20, 15)},
               {"br", Compressed(1 << 20, 31)}};
  for (const auto& one : cases) {
    SCOPED_TRACE(one.encoding);
    ASSERT_LT(one.body.size(), 100'000u);
    const std::string response = Exchange(Post(
        "/import", std::string("Connection: close\r\nContent-Encoding: ") + one.encoding + "\r\n",
        one.body));
    EXPECT_EQ(StatusOf(response), 415) << response;
  }
  EXPECT_EQ(calls_, 0);
}

// A chunked body has no Content-Length to refuse it by: the listener must
// count while it reads, and stop at its limit.
TEST_F(HttpServerTest, ChunkedBodyOverTheLimitIsRefusedBeforeItEnds) {
  Create(64 << 10);
  server_->Handle("POST", "/import", Counting(), DataRoute());
  Serve();
  RawConnection connection(port_);
  // One chunk of 16 MiB announced; only the limit and one byte of it sent.
  ASSERT_TRUE(connection.Send(
      "POST /import HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n1000000\r\n" +
      std::string((64 << 10) + 1, 'x')));
  const std::string response = connection.ReadUntilClosed();
  EXPECT_EQ(StatusOf(response), 413) << response;
  EXPECT_TRUE(ClosesTheConnection(response)) << response;
  EXPECT_EQ(calls_, 0);
}

TEST_F(HttpServerTest, ChunkedBodyWithinTheLimitReachesTheRoute) {
  Create(64 << 10);
  server_->Handle("POST", "/import", Counting(), DataRoute());
  Serve();
  const std::string response = Exchange(
      "POST /import HTTP/1.1\r\nHost: test\r\nConnection: close\r\n"
      "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
  EXPECT_EQ(StatusOf(response), 200) << response;
  EXPECT_EQ(BodyOf(response), "got 11");
}

TEST_F(HttpServerTest, ChunkedBodyOverTheLimitIsRefusedOnTheMutualTlsListener) {
  testing::TempDir dir;
  const std::string pki = dir.File("pki");
  ASSERT_TRUE(InitPki({pki, {}, false}).ok());
  ASSERT_TRUE(IssueAgent({pki, "meter", false}).ok());
  HttpServerOptions tls;
  tls.cert_file = PkiLayout::ServerCert(pki);
  tls.key_file = PkiLayout::ServerKey(pki);
  tls.client_ca_file = PkiLayout::CaCert(pki);
  Create(64 << 10, tls);
  server_->Handle("POST", "/upload", Counting());
  Serve();
  RawConnection connection(port_);
  ASSERT_TRUE(
      connection.StartTls(PkiLayout::AgentCert(pki, "meter"), PkiLayout::AgentKey(pki, "meter")));
  ASSERT_TRUE(connection.Send(
      "POST /upload HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n1000000\r\n" +
      std::string((64 << 10) + 1, 'x')));
  const std::string response = connection.ReadUntilClosed();
  EXPECT_EQ(StatusOf(response), 413) << response;
  EXPECT_EQ(calls_, 0);
}

TEST_F(HttpServerTest, FailedHandshakesAreLoggedOnceAMinuteWithACount) {
  testing::TempDir dir;
  const std::string pki = dir.File("pki");
  ASSERT_TRUE(InitPki({pki, {}, false}).ok());
  HttpServerOptions tls;
  tls.cert_file = PkiLayout::ServerCert(pki);
  tls.key_file = PkiLayout::ServerKey(pki);
  tls.client_ca_file = PkiLayout::CaCert(pki);
  Create(64 << 10, tls);
  Serve();
  ::testing::internal::CaptureStderr();
  // Plain HTTP at the TLS port, as a misconfigured client or a scanner.
  for (int i = 0; i < 3; ++i) {
    RawConnection connection(port_);
    ASSERT_TRUE(connection.connected());
    ASSERT_TRUE(connection.Send("GET / HTTP/1.1\r\nHost: test\r\n\r\n"));
    connection.ReadUntilClosed();  // the server closes it
  }
  server_->Stop();  // the connections' threads are done
  const std::string logged = ::testing::internal::GetCapturedStderr();
  size_t lines = 0;
  for (size_t at = logged.find("TLS handshake"); at != std::string::npos;
       at = logged.find("TLS handshake", at + 1)) {
    ++lines;
  }
  EXPECT_EQ(lines, 1u) << logged;
}

TEST_F(HttpServerTest, PostWithoutLengthHasAnEmptyBody) {
  Create(64 << 10);
  server_->Handle("POST", "/import", Counting(), DataRoute());
  Serve();
  const std::string response =
      Exchange("POST /import HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(StatusOf(response), 200) << response;
  EXPECT_EQ(BodyOf(response), "got 0");
}

TEST_F(HttpServerTest, UnknownPathIsRefusedWithItsBodyUnread) {
  Create(64 << 10);
  server_->Handle("POST", "/import", Counting(), DataRoute());
  Serve();
  RawConnection connection(port_);
  ASSERT_TRUE(connection.Send(
      "POST /elsewhere HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n1000000\r\n"));
  const std::string response = connection.ReadUntilClosed();
  EXPECT_EQ(StatusOf(response), 404) << response;
  EXPECT_TRUE(ClosesTheConnection(response)) << response;
}

class AdmitTest : public HttpServerTest {
 protected:
  void SetUp() override {
    Create(1 << 20);
    HttpRouteOptions options = DataRoute();
    options.admit = [this](const HttpRequest& request) -> std::optional<HttpResponse> {
      ++admit_calls_;
      EXPECT_TRUE(request.body.empty());
      if (request.Header("authorization") == "Bearer right") return std::nullopt;
      HttpResponse refused;
      refused.status = 401;
      refused.body = "token, please\n";
      return refused;
    };
    server_->Handle("POST", "/import", Counting(), std::move(options));
    Serve();
  }

  std::atomic<int> admit_calls_{0};
};

// The body of a refused request is dropped unread by the route; the
// connection is still in step for the next request.
TEST_F(AdmitTest, RefusedBodyIsDroppedAndTheConnectionCarriesOn) {
  RawConnection connection(port_);
  // The body looks like a request: taken for one, it would be answered.
  ASSERT_TRUE(connection.Send(Post("/import", "Authorization: Bearer wrong\r\n",
                                   "POST /import HTTP/1.1\r\n" + std::string(5000, 'x'))));
  const std::string refused = connection.ReadResponse();
  EXPECT_EQ(StatusOf(refused), 401) << refused;
  EXPECT_FALSE(ClosesTheConnection(refused)) << refused;
  // The next request is sent after the answer, as a client that is not
  // pipelining sends it.
  ASSERT_TRUE(connection.Send(
      Post("/import", "Authorization: Bearer right\r\nConnection: close\r\n", "hello")));
  const std::string admitted = connection.ReadUntilClosed();
  EXPECT_EQ(StatusOf(admitted), 200) << admitted;
  EXPECT_EQ(BodyOf(admitted), "got 5");
  EXPECT_EQ(calls_, 1);
}

// A chunked body cannot be dropped by its length: the answer comes from the
// headers alone (the test sends no body) and the connection closes.
TEST_F(AdmitTest, RefusesAChunkedRequestFromTheHeaders) {
  RawConnection connection(port_);
  ASSERT_TRUE(
      connection.Send("POST /import HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n"));
  const std::string response = connection.ReadUntilClosed();
  EXPECT_EQ(StatusOf(response), 401) << response;
  EXPECT_EQ(BodyOf(response), "token, please\n");
  EXPECT_TRUE(ClosesTheConnection(response)) << response;
  EXPECT_GE(admit_calls_, 1);
  EXPECT_EQ(calls_, 0);
}

// curl sends Expect: 100-continue with large bodies and waits for the
// server's word before sending them.
TEST_F(AdmitTest, AnswersExpectContinueWithTheRefusal) {
  RawConnection connection(port_);
  ASSERT_TRUE(
      connection.Send("POST /import HTTP/1.1\r\nHost: test\r\nExpect: 100-continue\r\n"
                      "Content-Length: 1000000\r\n\r\n"));
  const std::string response = connection.ReadUntilClosed();
  EXPECT_EQ(StatusOf(response), 401) << response;
  EXPECT_EQ(BodyOf(response), "token, please\n");
  EXPECT_EQ(calls_, 0);
}

TEST_F(AdmitTest, AdmittedExpectContinueGetsToSendItsBody) {
  RawConnection connection(port_);
  ASSERT_TRUE(
      connection.Send("POST /import HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer right\r\n"
                      "Connection: close\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"));
  const std::string interim = connection.ReadSome();
  EXPECT_EQ(StatusOf(interim), 100) << interim;
  ASSERT_TRUE(connection.Send("hello"));
  const std::string response = connection.ReadUntilClosed();
  EXPECT_EQ(StatusOf(response), 200) << response;
  EXPECT_EQ(BodyOf(response), "got 5");
  EXPECT_EQ(calls_, 1);
}

TEST_F(HttpServerTest, RoutesHaveTheirOwnBodyLimits) {
  Create(1 << 10);
  server_->Handle("POST", "/query", Counting());
  HttpRouteOptions large = DataRoute();
  large.max_body_bytes = 64 << 10;
  server_->Handle("POST", "/import", Counting(), large);
  Serve();
  const std::string body(4096, 'x');
  const std::string query = Exchange(Post("/query", "Connection: close\r\n", body));
  EXPECT_EQ(StatusOf(query), 413) << query;
  const std::string import = Exchange(Post("/import", "Connection: close\r\n", body));
  EXPECT_EQ(StatusOf(import), 200) << import;
  EXPECT_EQ(BodyOf(import), "got 4096");
  const std::string too_large =
      Exchange(Post("/import", "Connection: close\r\n", std::string((64 << 10) + 1, 'x')));
  EXPECT_EQ(StatusOf(too_large), 413) << too_large;
  EXPECT_EQ(calls_, 1);
}

std::string Get(std::string_view target, std::string_view headers = "") {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: test\r\n" + std::string(headers) +
         "\r\n";
}

// Requests on one kept-alive connection, one after another and pipelined
// (sent together before any answer), are answered in order.
TEST_F(HttpServerTest, AKeptAliveConnectionAnswersEachRequestInOrder) {
  Create(1 << 20);
  server_->Handle("GET", "/echo", [](const HttpRequest& request) {
    HttpResponse response;
    response.body = request.Param("n");
    return response;
  });
  server_->Handle("POST", "/import", Counting(), DataRoute());
  Serve();
  RawConnection connection(port_);
  for (int n = 0; n < 3; ++n) {
    ASSERT_TRUE(connection.Send(Get("/echo?n=" + std::to_string(n))));
    const std::string response = connection.ReadResponse();
    EXPECT_EQ(BodyOf(response), std::to_string(n)) << response;
    EXPECT_FALSE(ClosesTheConnection(response)) << response;
  }
  ASSERT_TRUE(connection.Send(Get("/echo?n=a") + Post("/import", "", "hello") +
                              Get("/echo?n=b", "Connection: close\r\n")));
  const std::string all = connection.ReadUntilClosed();
  const size_t a = all.find("\r\n\r\na");
  const size_t posted = all.find("got 5");
  const size_t b = all.find("\r\n\r\nb");
  ASSERT_NE(a, std::string::npos) << all;
  ASSERT_NE(posted, std::string::npos) << all;
  ASSERT_NE(b, std::string::npos) << all;
  EXPECT_LT(a, posted);
  EXPECT_LT(posted, b);
  EXPECT_EQ(calls_, 1);
}

TEST_F(HttpServerTest, HeadIsAnsweredLikeGetWithoutTheBody) {
  Create(1 << 20);
  server_->Handle("GET", "/page", [](const HttpRequest&) {
    HttpResponse response;
    response.body = "twelve bytes";
    return response;
  });
  Serve();
  const std::string response =
      Exchange("HEAD /page HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(StatusOf(response), 200) << response;
  EXPECT_NE(response.find("Content-Length: 12\r\n"), std::string::npos) << response;
  EXPECT_EQ(BodyOf(response), "");
}

// Paths and parameters arrive percent-decoded; '+' is a space in the query
// only.
TEST_F(HttpServerTest, PathAndParametersArriveDecoded) {
  Create(1 << 20);
  server_->Handle("GET", "/api/v1/label/*", [](const HttpRequest& request) {
    HttpResponse response;
    response.body = request.path + "|" + request.Param("match[]");
    return response;
  });
  Serve();
  const std::string response = Exchange(Get(
      "/api/v1/label/a%2Bb+c/values?match%5B%5D=up%7Bx%3D%22a+b%22%7D", "Connection: close\r\n"));
  EXPECT_EQ(BodyOf(response), "/api/v1/label/a+b+c/values|up{x=\"a b\"}") << response;
}

// What the parser refuses is answered, with the reason, and the connection
// closed: nothing after a malformed request can be trusted to be one.
TEST_F(HttpServerTest, MalformedRequestsAreAnsweredAndTheConnectionClosed) {
  Create(1 << 20);
  server_->Handle("POST", "/import", Counting(), DataRoute());
  Serve();
  const struct {
    std::string request;
    int status;
  } cases[] = {
      {"GARBAGE\r\n\r\n", 400},
      {"POST /import HTTP/1.1\r\nContent-Length: 12x\r\n\r\n", 400},
      {"POST /import HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", 400},
      {"POST /import HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501},
      {"GET /x HTTP/1.1\r\nX-Big: " + std::string(100 << 10, 'x') + "\r\n\r\n", 431},
  };
  for (const auto& one : cases) {
    SCOPED_TRACE(one.request.substr(0, 60));
    const std::string response = Exchange(one.request);
    EXPECT_EQ(StatusOf(response), one.status) << response;
    EXPECT_TRUE(ClosesTheConnection(response)) << response;
  }
  EXPECT_EQ(calls_, 0);
}

// Stop() wakes connections idle between requests (kept alive for a minute)
// and ones that have not finished their TLS handshake.
TEST_F(HttpServerTest, StopEndsIdleConnectionsAtOnce) {
  testing::TempDir dir;
  const std::string pki = dir.File("pki");
  ASSERT_TRUE(InitPki({pki, {}, false}).ok());
  for (const bool tls : {false, true}) {
    SCOPED_TRACE(tls ? "TLS" : "plain");
    HttpServerOptions options;
    if (tls) {
      options.cert_file = PkiLayout::ServerCert(pki);
      options.key_file = PkiLayout::ServerKey(pki);
      options.client_ca_file = PkiLayout::CaCert(pki);
    }
    options.keep_alive_timeout_ms = 60'000;
    Create(1 << 20, options);
    server_->Handle("GET", "/page", Counting());
    Serve();
    RawConnection idle(port_);
    RawConnection silent(port_);  // no handshake, no request
    if (!tls) {
      ASSERT_TRUE(idle.Send(Get("/page")));
      EXPECT_EQ(StatusOf(idle.ReadResponse()), 200);
    }
    const auto start = std::chrono::steady_clock::now();
    server_->Stop();
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
    EXPECT_EQ(idle.ReadUntilClosed(), "");
    server_.reset();
  }
}

// A kept-alive connection waits for its next request as long as the
// keep-alive timeout says, whether that is shorter or longer than the I/O
// timeout (the wait sleeps in recv(), which the I/O timeout bounds), then
// is closed.
TEST_F(HttpServerTest, AnIdleConnectionIsClosedAtTheKeepAliveTimeout) {
  struct Timeouts {
    int64_t keep_alive_ms;
    int64_t io_ms;
  };
  for (const Timeouts timeouts : {Timeouts{300, 5000}, Timeouts{1500, 400}}) {
    SCOPED_TRACE("keep-alive " + std::to_string(timeouts.keep_alive_ms) + " ms, I/O " +
                 std::to_string(timeouts.io_ms) + " ms");
    HttpServerOptions options;
    options.keep_alive_timeout_ms = timeouts.keep_alive_ms;
    options.io_timeout_ms = timeouts.io_ms;
    Create(1 << 20, options);
    server_->Handle("GET", "/page", Counting());
    Serve();
    RawConnection connection(port_);
    ASSERT_TRUE(connection.Send(Get("/page")));
    EXPECT_EQ(StatusOf(connection.ReadResponse()), 200);
    // Idle for most of the keep-alive timeout, past the I/O timeout when
    // that is the shorter: still served.
    std::this_thread::sleep_for(std::chrono::milliseconds(timeouts.keep_alive_ms * 2 / 3));
    ASSERT_TRUE(connection.Send(Get("/page")));
    EXPECT_EQ(StatusOf(connection.ReadResponse()), 200);
    const auto idle_since = std::chrono::steady_clock::now();
    EXPECT_EQ(connection.ReadUntilClosed(), "");
    const auto idle = std::chrono::steady_clock::now() - idle_since;
    EXPECT_GE(idle, std::chrono::milliseconds(timeouts.keep_alive_ms - 50));
    EXPECT_LT(idle, std::chrono::milliseconds(timeouts.keep_alive_ms + 2000));
    server_->Stop();
    server_.reset();
  }
}

// Kept-alive connections do not wait for each other: a home's agents and
// Grafana's users each keep one open. (cpp-httplib, on two cores, served
// eight at once and queued the ninth until one closed.)
TEST_F(HttpServerTest, ManyKeptAliveConnectionsAreServedAtOnce) {
  Create(1 << 20);
  server_->Handle("GET", "/page", Counting());
  Serve();
  std::vector<std::unique_ptr<RawConnection>> connections;
  for (int i = 0; i < 24; ++i) {
    connections.push_back(std::make_unique<RawConnection>(port_));
    ASSERT_TRUE(connections.back()->Send(Get("/page")));
    EXPECT_EQ(StatusOf(connections.back()->ReadResponse()), 200) << "connection " << i;
  }
  EXPECT_EQ(calls_, 24);
}

// A handler that throws is answered 500; the listener and the connection
// carry on.
TEST_F(HttpServerTest, AHandlerThatThrowsIsAnswered500) {
  Create(1 << 20);
  server_->Handle("GET", "/throws", [](const HttpRequest&) -> HttpResponse {
    throw std::runtime_error("out of luck");
  });
  server_->Handle("GET", "/page", Counting());
  Serve();
  RawConnection connection(port_);
  ASSERT_TRUE(connection.Send(Get("/throws")));
  EXPECT_EQ(StatusOf(connection.ReadResponse()), 500);
  ASSERT_TRUE(connection.Send(Get("/page", "Connection: close\r\n")));
  EXPECT_EQ(StatusOf(connection.ReadUntilClosed()), 200);
  EXPECT_EQ(calls_, 1);
}

// A request's head must arrive whole within the I/O timeout: a client
// that sends a header line now and then (each within the timeout) is cut
// off, not served for ever.
TEST_F(HttpServerTest, AHeadSentSlowlyIsCutOffAtTheTimeout) {
  HttpServerOptions options;
  options.io_timeout_ms = 400;
  Create(1 << 20, options);
  server_->Handle("GET", "/page", Counting());
  Serve();
  RawConnection connection(port_);
  const auto start = std::chrono::steady_clock::now();
  bool cut_off = false;
  ASSERT_TRUE(connection.Send("GET /page HTTP/1.1\r\n"));
  for (int i = 0; i < 40 && !cut_off; ++i) {  // 4 s of a line every 0.1 s
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    cut_off = !connection.Send("X-Slow: " + std::to_string(i) + "\r\n");
  }
  EXPECT_TRUE(cut_off);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  EXPECT_EQ(connection.ReadUntilClosed(), "");
  EXPECT_EQ(calls_, 0);
}

}  // namespace
}  // namespace wattline::aggregator
