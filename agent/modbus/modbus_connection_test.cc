#include "agent/modbus/modbus_connection.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "agent/modbus/modbus_test_server.h"

namespace wattline::agent::modbus {
namespace {

using Clock = std::chrono::steady_clock;

std::unique_ptr<ModbusConnection> Connect(int port) {
  Result<std::unique_ptr<ModbusConnection>> connection =
      ModbusConnection::CreateTcp({"127.0.0.1", port});
  EXPECT_TRUE(connection.ok()) << connection.status().ToString();
  (*connection)->SetUnit(1);
  (*connection)->SetTimeout(300);
  return std::move(*connection);
}

// A loopback port nothing listens on: bound, then released.
int UnusedPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

TEST(ModbusConnection, ReadsEveryTable) {
  auto server = ModbusTestServer::Start();
  ASSERT_NE(server, nullptr);
  server->SetInputRegister(72, 0x4640);
  server->SetInputRegister(73, 0xE6B6);
  server->SetHoldingRegister(3, 0xBEEF);
  server->SetCoil(5, true);
  server->SetDiscreteInput(6, true);
  auto connection = Connect(server->port());
  EXPECT_EQ(connection->name(), "tcp://127.0.0.1:" + std::to_string(server->port()));
  EXPECT_FALSE(connection->connected());

  uint16_t words[4] = {};
  ModbusStatus status = connection->Read(RegisterTable::kInputRegister, 72, 2, words);
  ASSERT_TRUE(status.ok()) << status.status.ToString();
  EXPECT_TRUE(connection->connected());
  EXPECT_EQ(words[0], 0x4640);
  EXPECT_EQ(words[1], 0xE6B6);
  ASSERT_TRUE(connection->Read(RegisterTable::kHoldingRegister, 3, 1, words).ok());
  EXPECT_EQ(words[0], 0xBEEF);
  ASSERT_TRUE(connection->Read(RegisterTable::kCoil, 4, 3, words).ok());
  EXPECT_EQ(words[0], 0);
  EXPECT_EQ(words[1], 1);
  EXPECT_EQ(words[2], 0);
  ASSERT_TRUE(connection->Read(RegisterTable::kDiscreteInput, 6, 1, words).ok());
  EXPECT_EQ(words[0], 1);
}

TEST(ModbusConnection, ExceptionIsTheDevicesAnswer) {
  auto server = ModbusTestServer::Start();
  ASSERT_NE(server, nullptr);
  auto connection = Connect(server->port());
  uint16_t words[2] = {};
  // Beyond the server's map: libmodbus answers exception 2.
  ModbusStatus status = connection->Read(RegisterTable::kInputRegister, 999, 2, words);
  EXPECT_EQ(status.kind, ModbusErrorKind::kException);
  EXPECT_NE(status.status.message().find("Modbus exception 2"), std::string::npos)
      << status.status.message();
  EXPECT_FALSE(IsRetryable(status.kind));
  EXPECT_TRUE(connection->connected());  // an exception leaves the link alone

  server->SetFault(ModbusTestServer::Fault::kException, 6);
  status = connection->Read(RegisterTable::kInputRegister, 0, 2, words);
  EXPECT_EQ(status.kind, ModbusErrorKind::kException);
  EXPECT_NE(status.status.message().find("Modbus exception 6"), std::string::npos);
  EXPECT_EQ(HealthReason(status.kind), kErrorProtocol);
}

TEST(ModbusConnection, SilentDeviceTimesOutWithinTheTimeout) {
  auto server = ModbusTestServer::Start();
  ASSERT_NE(server, nullptr);
  server->SetFault(ModbusTestServer::Fault::kSilent);
  auto connection = Connect(server->port());
  uint16_t words[2] = {};
  const auto started = Clock::now();
  ModbusStatus status = connection->Read(RegisterTable::kInputRegister, 0, 2, words);
  const auto elapsed = Clock::now() - started;
  EXPECT_EQ(status.kind, ModbusErrorKind::kTimeout) << status.status.ToString();
  EXPECT_EQ(HealthReason(status.kind), kErrorTimeout);
  EXPECT_GE(elapsed, std::chrono::milliseconds(250));
  EXPECT_LT(elapsed, std::chrono::milliseconds(2000));
  // The late answer must not be taken for the next one: the TCP link is
  // dropped and the next read starts afresh.
  EXPECT_FALSE(connection->connected());
  server->SetFault(ModbusTestServer::Fault::kNone);
  server->SetInputRegister(0, 42);
  ASSERT_TRUE(connection->Read(RegisterTable::kInputRegister, 0, 2, words).ok());
  EXPECT_EQ(words[0], 42);
}

TEST(ModbusConnection, RefusedConnectionIsAConnectError) {
  auto connection = Connect(UnusedPort());
  uint16_t words[2] = {};
  ModbusStatus status = connection->Read(RegisterTable::kInputRegister, 0, 2, words);
  EXPECT_EQ(status.kind, ModbusErrorKind::kConnect);
  EXPECT_EQ(HealthReason(status.kind), kErrorConnect);
  EXPECT_NE(status.status.message().find("cannot connect"), std::string::npos);
  EXPECT_TRUE(IsRetryable(status.kind));
}

TEST(ModbusConnection, DroppedIdleConnectionIsReopenedAtOnce) {
  auto server = ModbusTestServer::Start();
  ASSERT_NE(server, nullptr);
  auto connection = Connect(server->port());
  uint16_t words[2] = {};
  ASSERT_TRUE(connection->Read(RegisterTable::kInputRegister, 0, 2, words).ok());
  server->DropClients();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ModbusStatus status = connection->Read(RegisterTable::kInputRegister, 0, 2, words);
  EXPECT_TRUE(status.ok()) << status.status.ToString();
}

TEST(ModbusConnection, CancelStopsEveryLaterRead) {
  auto server = ModbusTestServer::Start();
  ASSERT_NE(server, nullptr);
  auto connection = Connect(server->port());
  connection->Cancel();
  uint16_t words[2] = {};
  ModbusStatus status = connection->Read(RegisterTable::kInputRegister, 0, 2, words);
  EXPECT_EQ(status.kind, ModbusErrorKind::kCancelled);
  EXPECT_FALSE(IsRetryable(status.kind));
  EXPECT_EQ(server->requests(), 0);
}

TEST(ModbusConnection, MissingSerialPortIsAConnectError) {
  Result<std::unique_ptr<ModbusConnection>> connection =
      ModbusConnection::CreateRtu({"/dev/wattline-no-such-tty", 9600, 'N', 8, 1});
  ASSERT_TRUE(connection.ok());
  EXPECT_TRUE((*connection)->is_rtu());
  uint16_t words[2] = {};
  ModbusStatus status = (*connection)->Read(RegisterTable::kInputRegister, 0, 2, words);
  EXPECT_EQ(status.kind, ModbusErrorKind::kConnect);
  EXPECT_NE(status.status.message().find("/dev/wattline-no-such-tty"), std::string::npos);
}

TEST(ModbusConnection, RefusesBadParameters) {
  EXPECT_FALSE(ModbusConnection::CreateTcp({"", 502}).ok());
  EXPECT_FALSE(ModbusConnection::CreateTcp({"127.0.0.1", 0}).ok());
  EXPECT_FALSE(ModbusConnection::CreateTcp({"127.0.0.1", 70000}).ok());
  EXPECT_FALSE(ModbusConnection::CreateRtu({"/dev/ttyUSB0", 9600, 'X', 8, 1}).ok());
  EXPECT_FALSE(ModbusConnection::CreateRtu({"/dev/ttyUSB0", 9600, 'N', 9, 1}).ok());
  EXPECT_FALSE(ModbusConnection::CreateRtu({"", 9600, 'N', 8, 1}).ok());
}

TEST(ModbusConnection, InterFrameDelayFollowsTheSerialLineSpec) {
  // 3.5 characters of 11 bits, rounded up to the microsecond.
  EXPECT_EQ(InterFrameDelayMicros(9600), 4011);   // 4010.4 µs
  EXPECT_EQ(InterFrameDelayMicros(2400), 16042);  // 16041.7 µs
  EXPECT_EQ(InterFrameDelayMicros(19200), 2006);
  // Fixed above 19200 baud.
  EXPECT_EQ(InterFrameDelayMicros(38400), 1750);
  EXPECT_EQ(InterFrameDelayMicros(115200), 1750);
}

}  // namespace
}  // namespace wattline::agent::modbus
