// A small Modbus TCP server for the connection tests: libmodbus 3.1.6 on
// 127.0.0.1, a port the kernel picks, one thread, any number of clients.
// Registers are set by the test; a fault makes it answer every request with
// an exception, or never answer.
//
// The full meter simulator (tests/sim, modbus-meter-sim) serves the shipped
// profiles' meters; this one exists so the adapter's error paths can be
// provoked in-process, fast, and switched while a client stays connected.
//
// Thread-safety: all methods may be called from the test thread while the
// server thread runs.
#ifndef WATTLINE_AGENT_MODBUS_MODBUS_TEST_SERVER_H_
#define WATTLINE_AGENT_MODBUS_MODBUS_TEST_SERVER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

typedef struct _modbus modbus_t;
typedef struct _modbus_mapping_t modbus_mapping_t;

namespace wattline::agent::modbus {

class ModbusTestServer {
 public:
  enum class Fault { kNone, kException, kSilent };

  // nullptr when the server cannot listen (the test then fails).
  static std::unique_ptr<ModbusTestServer> Start();
  ~ModbusTestServer();

  int port() const { return port_; }
  // Each table holds 1000 entries from address 0; reads beyond get
  // exception 2 (libmodbus's own check).
  void SetInputRegister(uint16_t address, uint16_t value);
  void SetHoldingRegister(uint16_t address, uint16_t value);
  void SetCoil(uint16_t address, bool value);
  void SetDiscreteInput(uint16_t address, bool value);
  // exception_code is used with kException (1-11).
  void SetFault(Fault fault, int exception_code = 4);
  // Closes every client connection, as a device that drops idle clients.
  void DropClients() { drop_clients_.store(true); }
  // Requests answered (or refused with an exception) so far.
  int requests() const { return requests_.load(); }

 private:
  ModbusTestServer() = default;
  void Run();

  modbus_t* context_ = nullptr;
  modbus_mapping_t* mapping_ = nullptr;
  int listen_fd_ = -1;
  int port_ = 0;
  int stop_pipe_[2] = {-1, -1};
  std::mutex mutex_;  // guards mapping_ and the fault
  Fault fault_ = Fault::kNone;
  int exception_code_ = 4;
  std::atomic<bool> drop_clients_{false};
  std::atomic<int> requests_{0};
  std::thread thread_;
};

}  // namespace wattline::agent::modbus

#endif  // WATTLINE_AGENT_MODBUS_MODBUS_TEST_SERVER_H_
