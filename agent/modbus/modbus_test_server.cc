#include "agent/modbus/modbus_test_server.h"

#include <arpa/inet.h>
#include <modbus/modbus.h>
#include <netinet/in.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

namespace wattline::agent::modbus {
namespace {

constexpr int kEntries = 1000;

}  // namespace

std::unique_ptr<ModbusTestServer> ModbusTestServer::Start() {
  std::unique_ptr<ModbusTestServer> server(new ModbusTestServer());
  server->context_ = modbus_new_tcp("127.0.0.1", 0);
  server->mapping_ = modbus_mapping_new(kEntries, kEntries, kEntries, kEntries);
  if (server->context_ == nullptr || server->mapping_ == nullptr) return nullptr;
  server->listen_fd_ = modbus_tcp_listen(server->context_, 8);
  if (server->listen_fd_ == -1) return nullptr;
  sockaddr_in address{};
  socklen_t length = sizeof(address);
  if (getsockname(server->listen_fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    return nullptr;
  }
  server->port_ = ntohs(address.sin_port);
  if (pipe(server->stop_pipe_) != 0) return nullptr;
  server->thread_ = std::thread([s = server.get()] { s->Run(); });
  return server;
}

ModbusTestServer::~ModbusTestServer() {
  if (thread_.joinable()) {
    const char stop = 's';
    (void)!write(stop_pipe_[1], &stop, 1);
    thread_.join();
  }
  for (int fd : stop_pipe_) {
    if (fd != -1) close(fd);
  }
  if (listen_fd_ != -1) close(listen_fd_);
  if (mapping_ != nullptr) modbus_mapping_free(mapping_);
  if (context_ != nullptr) modbus_free(context_);
}

void ModbusTestServer::SetInputRegister(uint16_t address, uint16_t value) {
  std::lock_guard<std::mutex> lock(mutex_);
  mapping_->tab_input_registers[address] = value;
}
void ModbusTestServer::SetHoldingRegister(uint16_t address, uint16_t value) {
  std::lock_guard<std::mutex> lock(mutex_);
  mapping_->tab_registers[address] = value;
}
void ModbusTestServer::SetCoil(uint16_t address, bool value) {
  std::lock_guard<std::mutex> lock(mutex_);
  mapping_->tab_bits[address] = value ? 1 : 0;
}
void ModbusTestServer::SetDiscreteInput(uint16_t address, bool value) {
  std::lock_guard<std::mutex> lock(mutex_);
  mapping_->tab_input_bits[address] = value ? 1 : 0;
}
void ModbusTestServer::SetFault(Fault fault, int exception_code) {
  std::lock_guard<std::mutex> lock(mutex_);
  fault_ = fault;
  exception_code_ = exception_code;
}

void ModbusTestServer::Run() {
  std::vector<int> clients;
  uint8_t query[MODBUS_TCP_MAX_ADU_LENGTH];
  for (;;) {
    if (drop_clients_.exchange(false)) {
      for (int fd : clients) close(fd);
      clients.clear();
    }
    fd_set readable;
    FD_ZERO(&readable);
    FD_SET(stop_pipe_[0], &readable);
    FD_SET(listen_fd_, &readable);
    int highest = std::max(stop_pipe_[0], listen_fd_);
    for (int fd : clients) {
      FD_SET(fd, &readable);
      highest = std::max(highest, fd);
    }
    timeval tick{0, 20'000};  // to notice DropClients()
    if (select(highest + 1, &readable, nullptr, nullptr, &tick) < 0) break;
    if (FD_ISSET(stop_pipe_[0], &readable)) break;
    if (FD_ISSET(listen_fd_, &readable)) {
      const int fd = accept(listen_fd_, nullptr, nullptr);
      if (fd >= 0) clients.push_back(fd);
    }
    for (size_t i = 0; i < clients.size();) {
      const int fd = clients[i];
      if (!FD_ISSET(fd, &readable)) {
        ++i;
        continue;
      }
      modbus_set_socket(context_, fd);
      const int length = modbus_receive(context_, query);
      if (length == -1) {
        close(fd);
        clients.erase(clients.begin() + static_cast<std::ptrdiff_t>(i));
        continue;
      }
      ++i;
      if (length == 0) continue;
      std::lock_guard<std::mutex> lock(mutex_);
      if (fault_ == Fault::kSilent) continue;
      ++requests_;
      if (fault_ == Fault::kException) {
        modbus_reply_exception(context_, query, static_cast<unsigned>(exception_code_));
      } else {
        modbus_reply(context_, query, length, mapping_);
      }
    }
  }
  for (int fd : clients) close(fd);
}

}  // namespace wattline::agent::modbus
