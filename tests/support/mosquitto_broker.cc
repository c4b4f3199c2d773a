#include "tests/support/mosquitto_broker.h"

#include <arpa/inet.h>
#include <mosquitto.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#include "tests/support/free_ports.h"

namespace wattline::testing {
namespace {

constexpr const char* kMosquitto = "/usr/sbin/mosquitto";
constexpr const char* kMosquittoPasswd = "/usr/bin/mosquitto_passwd";
constexpr const char* kOpenssl = "/usr/bin/openssl";
constexpr int kStartAttempts = 5;
constexpr int kReadyTimeoutMs = 5000;

bool Executable(const char* path) { return ::access(path, X_OK) == 0; }

bool Accepts(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  ::close(fd);
  return ok;
}

// Runs `argv` to completion (at most 30 s), its output appended to `log`.
Status Run(std::vector<std::string> argv, const std::string& log) {
  std::string command = argv[0];
  for (size_t i = 1; i < argv.size(); ++i) command += " " + argv[i];
  ChildProcess child(std::move(argv), log);
  if (!child.started()) return Status::Internal("cannot start " + command);
  bool exited = WaitFor([&] { return !child.Running(); }, 30'000);
  int status = child.Stop(SIGKILL, 0);
  if (!exited || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return Status::Internal(command + " failed:\n" + ReadFileOrEmpty(log));
  }
  return Status::Ok();
}

Status MakeCa(const TempDir& dir, const std::string& name, const std::string& log) {
  WriteFile(dir.File(name + ".cnf"),
            "[req]\ndistinguished_name = dn\nprompt = no\n"
            "[dn]\nCN = Wattline test " +
                name +
                "\n"
                "[v3_ca]\nbasicConstraints = critical,CA:TRUE\n"
                "keyUsage = critical,keyCertSign,cRLSign\nsubjectKeyIdentifier = hash\n");
  return Run({kOpenssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
              "-nodes", "-keyout", dir.File(name + ".key"), "-out", dir.File(name + ".pem"),
              "-days", "2", "-config", dir.File(name + ".cnf"), "-extensions", "v3_ca"},
             log);
}

}  // namespace

std::string MosquittoBroker::Missing(const MosquittoBrokerOptions& options) {
  if (!Executable(kMosquitto)) return std::string(kMosquitto) + " is not installed";
  if (!options.username.empty() && !Executable(kMosquittoPasswd)) {
    return std::string(kMosquittoPasswd) + " is not installed";
  }
  if (options.tls && !Executable(kOpenssl)) return std::string(kOpenssl) + " is not installed";
  return "";
}

MosquittoBroker::MosquittoBroker(MosquittoBrokerOptions options) : options_(std::move(options)) {}

MosquittoBroker::~MosquittoBroker() { Stop(); }

Status MosquittoBroker::MakeTlsFiles() {
  std::string log = dir_.File("openssl.log");
  WATTLINE_RETURN_IF_ERROR(MakeCa(dir_, "ca", log));
  WATTLINE_RETURN_IF_ERROR(MakeCa(dir_, "other-ca", log));
  WriteFile(dir_.File("server.cnf"),
            "[req]\ndistinguished_name = dn\nprompt = no\n[dn]\nCN = 127.0.0.1\n"
            "[v3_server]\nbasicConstraints = CA:FALSE\nkeyUsage = critical,digitalSignature\n"
            "extendedKeyUsage = serverAuth\nsubjectAltName = IP:127.0.0.1,DNS:localhost\n");
  WATTLINE_RETURN_IF_ERROR(
      Run({kOpenssl, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
           "-nodes", "-keyout", dir_.File("server.key"), "-out", dir_.File("server.csr"), "-config",
           dir_.File("server.cnf")},
          log));
  WATTLINE_RETURN_IF_ERROR(
      Run({kOpenssl, "x509", "-req", "-in", dir_.File("server.csr"), "-CA", dir_.File("ca.pem"),
           "-CAkey", dir_.File("ca.key"), "-CAcreateserial", "-out", dir_.File("server.pem"),
           "-days", "2", "-extfile", dir_.File("server.cnf"), "-extensions", "v3_server"},
          log));
  ca_file_ = dir_.File("ca.pem");
  other_ca_file_ = dir_.File("other-ca.pem");
  return Status::Ok();
}

Status MosquittoBroker::MakePasswordFile() {
  std::string file = dir_.File("passwords");
  WATTLINE_RETURN_IF_ERROR(
      Run({kMosquittoPasswd, "-c", "-b", file, options_.username, options_.password},
          dir_.File("mosquitto_passwd.log")));
  ::chmod(file.c_str(), 0600);
  return Status::Ok();
}

void MosquittoBroker::WriteConfig() {
  std::string config =
      "per_listener_settings false\n"
      "persistence false\n"
      "pid_file " +
      dir_.File("mosquitto.pid") +
      "\n"
      "log_dest stderr\n"
      "log_type error\nlog_type warning\nlog_type notice\nlog_type information\n";
  // Run as root (a container), mosquitto would switch to user "mosquitto",
  // who cannot read the private temporary directory.
  if (const passwd* user = ::getpwuid(::geteuid()); user != nullptr) {
    config += "user " + std::string(user->pw_name) + "\n";
  }
  if (options_.username.empty()) {
    config += "allow_anonymous true\n";
  } else {
    config += "allow_anonymous false\npassword_file " + dir_.File("passwords") + "\n";
  }
  config += "listener " + std::to_string(port_) + " " + host_ + "\n";
  if (options_.tls) {
    config += "listener " + std::to_string(tls_port_) + " " + host_ + "\n";
    config += "cafile " + ca_file_ + "\ncertfile " + dir_.File("server.pem") + "\nkeyfile " +
              dir_.File("server.key") + "\n";
  }
  WriteFile(dir_.File("mosquitto.conf"), config);
}

Status MosquittoBroker::Launch() {
  process_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{kMosquitto, "-c", dir_.File("mosquitto.conf")},
      dir_.File("mosquitto.log"));
  if (!process_->started()) return Status::Internal("cannot start " + std::string(kMosquitto));
  bool ready = WaitFor(
      [this] {
        return !process_->Running() || (Accepts(port_) && (tls_port_ == 0 || Accepts(tls_port_)));
      },
      kReadyTimeoutMs);
  if (ready && process_->Running()) return Status::Ok();
  process_.reset();
  return Status::Unavailable("mosquitto did not start on port " + std::to_string(port_) + ":\n" +
                             Log());
}

Status MosquittoBroker::Start() {
  if (!prepared_) {
    if (options_.tls) WATTLINE_RETURN_IF_ERROR(MakeTlsFiles());
    if (!options_.username.empty()) WATTLINE_RETURN_IF_ERROR(MakePasswordFile());
    prepared_ = true;
  }
  Status launched = Status::Internal("no attempt");
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    std::vector<int*> ports = {&port_};
    tls_port_ = 0;
    if (options_.tls) ports.push_back(&tls_port_);
    if (!PickFreePorts(ports)) return Status::Internal("cannot find a free port");
    WriteConfig();
    launched = Launch();
    if (launched.ok()) return launched;
  }
  return launched;
}

void MosquittoBroker::Stop() {
  if (paused_) (void)Resume();  // a stopped process would ignore SIGTERM
  if (process_ != nullptr) process_->Stop(SIGTERM, 5000);
  process_.reset();
}

Status MosquittoBroker::Signal(int signal) {
  if (!running()) return Status::Internal("mosquitto is not running");
  // ChildProcess keeps the pid to itself; mosquitto writes it to pid_file.
  std::string text = ReadFileOrEmpty(dir_.File("mosquitto.pid"));
  pid_t pid = static_cast<pid_t>(std::atoi(text.c_str()));
  if (pid <= 0 || ::kill(pid, signal) != 0) {
    return Status::Internal("cannot signal mosquitto (pid file: \"" + text + "\")");
  }
  return Status::Ok();
}

Status MosquittoBroker::Pause() {
  WATTLINE_RETURN_IF_ERROR(Signal(SIGSTOP));
  paused_ = true;
  return Status::Ok();
}

Status MosquittoBroker::Resume() {
  paused_ = false;
  return Signal(SIGCONT);
}

Status MosquittoBroker::Restart() {
  Stop();
  Status launched = Status::Internal("no attempt");
  // The ports were ours a moment ago; mosquitto binds with SO_REUSEADDR, so
  // connections in TIME_WAIT do not stand in the way. Retry only in case a
  // slow exit still holds them.
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    launched = Launch();
    if (launched.ok()) return launched;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return launched;
}

bool MosquittoBroker::running() { return process_ != nullptr && process_->Running(); }

std::string MosquittoBroker::Log() const { return ReadFileOrEmpty(dir_.File("mosquitto.log")); }

namespace {

struct PublishState {
  int connack = -1;
  int published_mid = -1;
};

}  // namespace

Status MosquittoBroker::Publish(const std::string& topic, std::string_view payload, bool retained,
                                int qos) {
  static std::once_flag init;
  std::call_once(init, [] { mosquitto_lib_init(); });
  PublishState state;
  mosquitto* mosq = mosquitto_new(nullptr, true, &state);
  if (mosq == nullptr) return Status::Internal("mosquitto_new failed");
  std::unique_ptr<mosquitto, void (*)(mosquitto*)> owned(mosq, mosquitto_destroy);
  mosquitto_connect_callback_set(mosq, [](mosquitto*, void* data, int code) {
    static_cast<PublishState*>(data)->connack = code;
  });
  mosquitto_publish_callback_set(mosq, [](mosquitto*, void* data, int mid) {
    static_cast<PublishState*>(data)->published_mid = mid;
  });
  if (!options_.username.empty()) {
    mosquitto_username_pw_set(mosq, options_.username.c_str(), options_.password.c_str());
  }
  if (int rc = mosquitto_connect(mosq, host_.c_str(), port_, 10); rc != MOSQ_ERR_SUCCESS) {
    return Status::Unavailable(std::string("test publisher cannot connect: ") +
                               mosquitto_strerror(rc));
  }
  auto run_until = [&](auto done) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      if (mosquitto_loop(mosq, 50, 1) != MOSQ_ERR_SUCCESS) return false;
    }
    return done();
  };
  if (!run_until([&] { return state.connack >= 0; }) || state.connack != 0) {
    return Status::Unavailable("test publisher: no CONNACK, or refused (" +
                               std::to_string(state.connack) + ")");
  }
  int mid = 0;
  int rc = mosquitto_publish(mosq, &mid, topic.c_str(), static_cast<int>(payload.size()),
                             payload.data(), qos, retained);
  if (rc != MOSQ_ERR_SUCCESS) {
    return Status::Internal(std::string("test publisher: ") + mosquitto_strerror(rc));
  }
  if (!run_until([&] { return state.published_mid == mid; })) {
    return Status::Unavailable("test publisher: the broker did not take the message");
  }
  mosquitto_disconnect(mosq);
  return Status::Ok();
}

}  // namespace wattline::testing
