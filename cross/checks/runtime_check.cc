// Runs a little of every library the static agent links, on the target CPU
// (for armel: under `qemu-arm -cpu arm1176`, the Pi Zero's core). A library
// built for a newer CPU dies here with SIGILL; a hole in the static link fails
// the build of this program; a broken atomic, thread, exception or soft-float
// path gives a wrong answer. Built and run by cross/build-agent.sh.
//
// Usage: runtime_check
// Prints one line per check and ends with "runtime_check: N passed, M failed";
// exits non-zero when a check failed.

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <httplib.h>
#include <modbus.h>
#include <mosquitto.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <re2/re2.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>
#include <yaml-cpp/yaml.h>
#include <zstd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

// A check returns "" when it passed, or what went wrong.
using Check = std::function<std::string()>;

std::string Expect(bool condition, const std::string& what) { return condition ? "" : what; }

// --- C++ runtime -----------------------------------------------------------

std::string ThreadsAndAtomics() {
  std::atomic<uint64_t> counter{0};
  std::atomic<int64_t> cas_value{0};
  std::mutex mutex;
  std::condition_variable cv;
  int finished = 0;
  constexpr int kThreads = 4;
  constexpr int kRounds = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kRounds; ++i) {
        counter.fetch_add(3, std::memory_order_relaxed);
        int64_t seen = cas_value.load();
        while (!cas_value.compare_exchange_weak(seen, seen + (int64_t{1} << 33))) {
        }
      }
      std::lock_guard<std::mutex> lock(mutex);
      ++finished;
      cv.notify_one();
    });
  }
  {
    std::unique_lock<std::mutex> lock(mutex);
    cv.wait(lock, [&] { return finished == kThreads; });
  }
  for (auto& thread : threads) thread.join();
  if (counter.load() != uint64_t{3} * kThreads * kRounds) return "64-bit fetch_add lost updates";
  if (cas_value.load() != int64_t{kThreads} * kRounds * (int64_t{1} << 33)) {
    return "64-bit compare_exchange lost updates";
  }
  return "";
}

std::string Exceptions() {
  try {
    throw std::runtime_error("thrown");
  } catch (const std::exception& e) {
    return Expect(std::string(e.what()) == "thrown", "wrong exception caught");
  }
  return "exception not caught";
}

std::string SoftFloat() {
  double sum = 0;
  for (int i = 1; i <= 100000; ++i) sum += 1.0 / (static_cast<double>(i) * i);
  char text[64];
  auto [end, ec] = std::to_chars(text, text + sizeof(text), 0.1 + 0.2);
  const std::string shortest(text, end);
  if (ec != std::errc() || shortest != "0.30000000000000004") return "to_chars gave " + shortest;
  double parsed = 0;
  std::from_chars(text, end, parsed);
  if (parsed != 0.1 + 0.2) return "from_chars did not round-trip";
  return Expect(std::fabs(sum - M_PI * M_PI / 6) < 1e-4 && std::sqrt(2.0) * std::sqrt(2.0) < 2.0001,
                "arithmetic is off");
}

// --- Libraries -------------------------------------------------------------

std::string Libuv() {
  uv_loop_t loop;
  if (uv_loop_init(&loop) != 0) return "uv_loop_init failed";
  struct Job {
    uv_work_t req;
    uint64_t result = 0;
    int* done;
  };
  int done = 0;
  std::vector<Job> jobs(8);
  for (auto& job : jobs) {
    job.req.data = &job;
    job.done = &done;
    uv_queue_work(
        &loop, &job.req,
        [](uv_work_t* req) {
          auto* j = static_cast<Job*>(req->data);
          for (uint64_t i = 0; i < 100000; ++i) j->result += i;
        },
        [](uv_work_t* req, int status) {
          if (status == 0) ++*static_cast<Job*>(req->data)->done;
        });
  }
  uv_timer_t timer;
  uv_timer_init(&loop, &timer);
  bool fired = false;
  timer.data = &fired;
  uv_timer_start(
      &timer, [](uv_timer_t* t) { *static_cast<bool*>(t->data) = true; }, 10, 0);
  uv_run(&loop, UV_RUN_DEFAULT);
  uv_close(reinterpret_cast<uv_handle_t*>(&timer), nullptr);
  uv_run(&loop, UV_RUN_DEFAULT);
  if (uv_loop_close(&loop) != 0) return "loop did not close";
  for (const auto& job : jobs) {
    if (job.result != uint64_t{99999} * 100000 / 2) return "thread pool work gave a wrong sum";
  }
  return Expect(done == 8 && fired, "work or timer callbacks missing");
}

std::string Sqlite(const std::string& dir) {
  const std::string path = dir + "/check.db";
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) return "cannot open " + path;
  auto exec = [&](const char* sql) { return sqlite3_exec(db, sql, nullptr, nullptr, nullptr); };
  std::string error;
  if (exec("PRAGMA journal_mode=WAL; CREATE TABLE t(seq INTEGER PRIMARY KEY, v REAL);") !=
          SQLITE_OK ||
      exec("BEGIN") != SQLITE_OK) {
    error = sqlite3_errmsg(db);
  }
  sqlite3_stmt* insert = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO t(v) VALUES (?)", -1, &insert, nullptr);
  for (int i = 0; i < 1000 && error.empty(); ++i) {
    sqlite3_bind_double(insert, 1, i * 0.5);
    if (sqlite3_step(insert) != SQLITE_DONE) error = sqlite3_errmsg(db);
    sqlite3_reset(insert);
  }
  sqlite3_finalize(insert);
  if (error.empty() && exec("COMMIT") != SQLITE_OK) error = sqlite3_errmsg(db);
  double total = 0;
  sqlite3_stmt* sum = nullptr;
  sqlite3_prepare_v2(db, "SELECT sum(v) FROM t", -1, &sum, nullptr);
  if (sqlite3_step(sum) == SQLITE_ROW) total = sqlite3_column_double(sum, 0);
  sqlite3_finalize(sum);
  sqlite3_close(db);
  if (!error.empty()) return error;
  return Expect(total == 249750.0, "wrong sum from the WAL database");
}

std::string Zstd() {
  std::string input;
  for (int i = 0; i < 20000; ++i) input += "power_watts " + std::to_string(i % 97) + "\n";
  std::string compressed(ZSTD_compressBound(input.size()), '\0');
  size_t n = ZSTD_compress(compressed.data(), compressed.size(), input.data(), input.size(), 3);
  if (ZSTD_isError(n)) return ZSTD_getErrorName(n);
  std::string output(input.size(), '\0');
  size_t m = ZSTD_decompress(output.data(), output.size(), compressed.data(), n);
  if (ZSTD_isError(m)) return ZSTD_getErrorName(m);
  return Expect(m == input.size() && output == input && n < input.size() / 10, "round trip");
}

std::string ProtobufLite() {
  std::string buffer;
  {
    google::protobuf::io::StringOutputStream raw(&buffer);
    google::protobuf::io::CodedOutputStream out(&raw);
    out.WriteVarint64(uint64_t{1} << 40);
    out.WriteVarint32(300);
    out.WriteString("energy_imported_watt_hours_total");
  }
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(buffer.data()),
                                            static_cast<int>(buffer.size()));
  uint64_t a = 0;
  uint32_t b = 0;
  std::string s;
  bool ok = in.ReadVarint64(&a) && in.ReadVarint32(&b) && in.ReadString(&s, 32);
  return Expect(
      ok && a == (uint64_t{1} << 40) && b == 300 && s == "energy_imported_watt_hours_total",
      "varint/string round trip");
}

std::string Re2() {
  std::string name, value;
  bool ok =
      RE2::FullMatch("power_watts{phase=\"L1\"}", R"re((\w+)\{phase="(\w+)"\})re", &name, &value);
  return Expect(ok && name == "power_watts" && value == "L1", "no match");
}

std::string YamlCpp() {
  YAML::Node node = YAML::Load("device: sdm630\nregisters: [0x0000, 0x0002]\nscale: 0.5\n");
  if (node["device"].as<std::string>() != "sdm630" || node["registers"][1].as<int>() != 2 ||
      node["scale"].as<double>() != 0.5) {
    return "wrong values";
  }
  try {
    YAML::Load("a: [unclosed");
  } catch (const YAML::Exception&) {
    return "";
  }
  return "a syntax error did not throw";
}

std::string OpenSsl() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest("abc", 3, digest, &length, EVP_sha256(), nullptr);
  static const unsigned char kAbc[] = {0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea,
                                       0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23};
  if (length != 32 || std::memcmp(digest, kAbc, sizeof(kAbc)) != 0) return "SHA-256 is wrong";
  unsigned char key[32], iv[12], tag[16];
  if (RAND_bytes(key, sizeof(key)) != 1 || RAND_bytes(iv, sizeof(iv)) != 1) return "RAND_bytes";
  const std::string plain(1000, 'x');
  std::string sealed(plain.size(), '\0'), opened(plain.size(), '\0');
  int out = 0;
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr, key, iv);
  EVP_EncryptUpdate(ctx, reinterpret_cast<unsigned char*>(sealed.data()), &out,
                    reinterpret_cast<const unsigned char*>(plain.data()),
                    static_cast<int>(plain.size()));
  EVP_EncryptFinal_ex(ctx, nullptr, &out);
  EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, sizeof(tag), tag);
  EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr, key, iv);
  EVP_DecryptUpdate(ctx, reinterpret_cast<unsigned char*>(opened.data()), &out,
                    reinterpret_cast<const unsigned char*>(sealed.data()),
                    static_cast<int>(sealed.size()));
  EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, sizeof(tag), tag);
  const bool authentic = EVP_DecryptFinal_ex(ctx, nullptr, &out) == 1;
  EVP_CIPHER_CTX_free(ctx);
  return Expect(authentic && opened == plain, "AES-256-GCM round trip");
}

// A self-signed P-256 certificate for "localhost" and 127.0.0.1, written as
// PEM files into `dir`.
std::string MakeCertificate(const std::string& dir) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  if (key == nullptr || cert == nullptr) return "cannot create a key";
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* san =
      X509V3_EXT_conf_nid(nullptr, &v3, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
  X509_add_ext(cert, san, -1);
  X509_EXTENSION_free(san);
  X509_sign(cert, key, EVP_sha256());
  FILE* cert_file = std::fopen((dir + "/cert.pem").c_str(), "w");
  FILE* key_file = std::fopen((dir + "/key.pem").c_str(), "w");
  bool ok = cert_file && key_file && PEM_write_X509(cert_file, cert) &&
            PEM_write_PrivateKey(key_file, key, nullptr, nullptr, 0, nullptr, nullptr);
  if (cert_file) std::fclose(cert_file);
  if (key_file) std::fclose(key_file);
  X509_free(cert);
  EVP_PKEY_free(key);
  return Expect(ok, "cannot write the certificate");
}

// HTTPS over loopback with cpp-httplib on both ends: ECDHE, ECDSA, AES-GCM or
// ChaCha20, certificate verification.
std::string HttpsLoopback(const std::string& dir) {
  std::string error = MakeCertificate(dir);
  if (!error.empty()) return error;
  const std::string cert = dir + "/cert.pem", key = dir + "/key.pem";
  httplib::SSLServer server(cert.c_str(), key.c_str());
  if (!server.is_valid()) return "server rejected the certificate";
  server.Post("/echo", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content("got " + std::to_string(req.body.size()), "text/plain");
  });
  const int port = server.bind_to_any_port("127.0.0.1");
  if (port <= 0) return "cannot bind";
  std::thread serving([&] { server.listen_after_bind(); });
  httplib::SSLClient client("127.0.0.1", port);
  client.set_ca_cert_path(cert.c_str());
  client.enable_server_certificate_verification(true);
  client.set_connection_timeout(20);
  client.set_read_timeout(20);
  client.set_keep_alive(true);
  std::string result;
  for (int i = 0; i < 2 && result.empty(); ++i) {  // twice over one keep-alive connection
    auto response = client.Post("/echo", std::string(64 * 1024, 'b'), "application/x-protobuf");
    if (!response) {
      result = "request failed: " + httplib::to_string(response.error());
    } else if (response->status != 200 || response->body != "got 65536") {
      result = "unexpected response " + std::to_string(response->status) + " " + response->body;
    }
  }
  client.stop();
  server.stop();
  serving.join();
  return result;
}

// A listening TCP socket on 127.0.0.1 and an ephemeral port.
int ListenLoopback(int* port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      listen(fd, 1) != 0 || getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    return -1;
  }
  *port = ntohs(address.sin_port);
  return fd;
}

// Reads one MQTT control packet; returns its first byte, or -1.
int ReadMqttPacket(int fd, std::string* body) {
  unsigned char header = 0;
  if (read(fd, &header, 1) != 1) return -1;
  size_t length = 0;
  for (int shift = 0;; shift += 7) {
    unsigned char byte = 0;
    if (read(fd, &byte, 1) != 1) return -1;
    length |= static_cast<size_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) break;
  }
  body->assign(length, '\0');
  for (size_t done = 0; done < length;) {
    ssize_t n = read(fd, body->data() + done, length - done);
    if (n <= 0) return -1;
    done += static_cast<size_t>(n);
  }
  return header;
}

// libmosquitto against a minimal broker: CONNECT, CONNACK, PUBLISH (QoS 0).
std::string Mosquitto() {
  int port = 0;
  const int listener = ListenLoopback(&port);
  if (listener < 0) return "cannot listen";
  std::string published;
  std::atomic<bool> broker_done{false};
  std::thread broker([&] {
    const int fd = accept(listener, nullptr, nullptr);
    std::string body;
    if (fd >= 0 && ReadMqttPacket(fd, &body) == 0x10) {
      const unsigned char connack[] = {0x20, 0x02, 0x00, 0x00};
      if (write(fd, connack, sizeof(connack)) == sizeof(connack) &&
          (ReadMqttPacket(fd, &body) & 0xf0) == 0x30) {
        published = body;
      }
    }
    if (fd >= 0) close(fd);
    broker_done = true;
  });
  mosquitto_lib_init();
  mosquitto* mosq = mosquitto_new("wattline-check", true, nullptr);
  std::string error;
  if (mosquitto_connect(mosq, "127.0.0.1", port, 30) != MOSQ_ERR_SUCCESS) {
    error = "connect failed";
  } else {
    mosquitto_publish(mosq, nullptr, "wattline/check", 5, "230.5", 0, false);
    for (int i = 0; i < 50 && !broker_done; ++i) mosquitto_loop(mosq, 100, 1);
  }
  broker.join();
  close(listener);
  mosquitto_destroy(mosq);
  mosquitto_lib_cleanup();
  if (!error.empty()) return error;
  // PUBLISH body: topic length (2 bytes), topic, payload.
  return Expect(published == std::string("\0\x0ewattline/check230.5", 21),
                "the broker did not receive the message");
}

// libmodbus client and server over TCP loopback: a meter's voltage register.
std::string Modbus() {
  modbus_t* server = modbus_new_tcp("127.0.0.1", 0);
  modbus_mapping_t* mapping = modbus_mapping_new(0, 0, 16, 0);
  const int listener = modbus_tcp_listen(server, 1);
  if (listener < 0) return "cannot listen";
  sockaddr_in address{};
  socklen_t length = sizeof(address);
  getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);
  // 230.5 as an IEEE 754 float, high word first ("ABCD", as Eastron meters
  // send it). Not modbus_set_float_abcd(): in libmodbus 3.1.6 (Debian 12) it
  // and modbus_get_float_abcd() do not round-trip on any architecture.
  mapping->tab_registers[0] = 0x4366;
  mapping->tab_registers[1] = 0x8000;
  std::thread meter([&] {
    int fd = listener;
    if (modbus_tcp_accept(server, &fd) < 0) return;
    uint8_t request[MODBUS_TCP_MAX_ADU_LENGTH];
    const int n = modbus_receive(server, request);
    if (n > 0) modbus_reply(server, request, n, mapping);
  });
  modbus_t* client = modbus_new_tcp("127.0.0.1", ntohs(address.sin_port));
  uint16_t registers[2] = {};
  std::string error;
  if (modbus_connect(client) != 0 || modbus_read_registers(client, 0, 2, registers) != 2) {
    error = std::string("read failed: ") + modbus_strerror(errno);
  }
  modbus_close(client);
  modbus_free(client);
  meter.join();
  close(listener);
  modbus_mapping_free(mapping);
  modbus_free(server);
  if (!error.empty()) return error;
  const uint32_t bits = (uint32_t{registers[0]} << 16) | registers[1];
  float value = 0;
  std::memcpy(&value, &bits, sizeof(value));
  return Expect(value == 230.5f, "wrong float from the registers");
}

}  // namespace

int main() {
  char pattern[] = "/tmp/wattline-runtime-check-XXXXXX";
  const char* dir = mkdtemp(pattern);
  if (dir == nullptr) {
    std::perror("mkdtemp");
    return 1;
  }
  const std::vector<std::pair<const char*, Check>> checks = {
      {"threads and 64-bit atomics", ThreadsAndAtomics},
      {"exceptions", Exceptions},
      {"soft float", SoftFloat},
      {"libuv loop and thread pool", Libuv},
      {"sqlite3 WAL database", [&] { return Sqlite(dir); }},
      {"zstd", Zstd},
      {"protobuf-lite", ProtobufLite},
      {"re2", Re2},
      {"yaml-cpp", YamlCpp},
      {"OpenSSL SHA-256 and AES-GCM", OpenSsl},
      {"cpp-httplib HTTPS loopback", [&] { return HttpsLoopback(dir); }},
      {"libmosquitto publish", Mosquitto},
      {"libmodbus TCP read", Modbus},
  };
  int passed = 0, failed = 0;
  for (const auto& [name, check] : checks) {
    std::string error;
    try {
      error = check();
    } catch (const std::exception& e) {
      error = std::string("exception: ") + e.what();
    }
    std::printf("%s %s%s%s\n", error.empty() ? "ok  " : "FAIL", name, error.empty() ? "" : ": ",
                error.c_str());
    std::fflush(stdout);
    (error.empty() ? passed : failed)++;
  }
  std::filesystem::remove_all(dir);
  std::printf("runtime_check: %d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
