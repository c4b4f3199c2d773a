// A real mosquitto broker for tests: /usr/sbin/mosquitto on 127.0.0.1, with a
// config generated in a temporary directory and ports chosen at run time.
// Optionally with a user name and password (mosquitto_passwd makes the
// password file) and a TLS listener whose CA and server certificate are made
// with the `openssl` command. Publish() is a small libmosquitto client.
//
// Not thread-safe: one test thread drives it. Every wait is bounded.
#ifndef WATTLINE_TESTS_SUPPORT_MOSQUITTO_BROKER_H_
#define WATTLINE_TESTS_SUPPORT_MOSQUITTO_BROKER_H_

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "common/testing/temp_dir.h"
#include "tests/support/child_process.h"

namespace wattline::testing {

struct MosquittoBrokerOptions {
  // Non-empty: clients must log in with these; anonymous ones are refused.
  std::string username;
  std::string password;
  // Adds a TLS listener on tls_port(), its certificate (for 127.0.0.1 and
  // localhost) signed by ca_file().
  bool tls = false;
};

class MosquittoBroker {
 public:
  // "" when everything `options` needs is installed; otherwise which program
  // is missing, for GTEST_SKIP().
  static std::string Missing(const MosquittoBrokerOptions& options);

  explicit MosquittoBroker(MosquittoBrokerOptions options = {});
  ~MosquittoBroker();  // stops the broker
  MosquittoBroker(const MosquittoBroker&) = delete;
  MosquittoBroker& operator=(const MosquittoBroker&) = delete;

  // Makes the files (certificates, password file, config), picks free ports
  // (bind port 0, close, hand it to mosquitto) and starts the broker; returns
  // once it accepts connections. A port taken by someone else in between is
  // retried with new ports, a few times.
  Status Start();
  // Stops the broker (SIGTERM, then SIGKILL after 5 s). Clients see their
  // connection closed.
  void Stop();
  // Starts it again on the same ports, with the same files. REQUIRES: Start()
  // succeeded before.
  Status Restart();
  // Freezes the broker (SIGSTOP) and lets it go on (SIGCONT): its sockets stay
  // open but nothing answers, as with a hung broker or a dead network path.
  Status Pause();
  Status Resume();
  bool running();

  const std::string& host() const { return host_; }  // "127.0.0.1"
  int port() const { return port_; }                 // plain MQTT
  int tls_port() const { return tls_port_; }         // 0 without TLS
  // The CA that signed the broker's certificate, and a CA that did not.
  const std::string& ca_file() const { return ca_file_; }
  const std::string& other_ca_file() const { return other_ca_file_; }

  // Publishes one message through the plain listener (with the broker's
  // credentials, if any) and waits until the broker has it: for QoS 1 and 2
  // until it acknowledged, for QoS 0 until it was written.
  Status Publish(const std::string& topic, std::string_view payload, bool retained = false,
                 int qos = 1);

  // The broker's log so far, for failure messages.
  std::string Log() const;

  const MosquittoBrokerOptions& options() const { return options_; }

 private:
  Status MakeTlsFiles();
  Status MakePasswordFile();
  void WriteConfig();
  Status Launch();
  Status Signal(int signal);

  MosquittoBrokerOptions options_;
  TempDir dir_;
  std::string host_ = "127.0.0.1";
  int port_ = 0;
  int tls_port_ = 0;
  std::string ca_file_;
  std::string other_ca_file_;
  bool prepared_ = false;
  bool paused_ = false;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace wattline::testing

#endif  // WATTLINE_TESTS_SUPPORT_MOSQUITTO_BROKER_H_
