// modbus-meter-sim as a child process, read by a plain libmodbus client over
// TCP on loopback and over RTU on a socat pty pair. Values are checked with a
// decoder written here, independent of modbus_register_encoding.cc.
#include <errno.h>
#include <gtest/gtest.h>
#include <modbus/modbus.h>
#include <signal.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "common/testing/temp_dir.h"
#include "tests/sim/modbus_register_maps.h"
#include "tests/support/child_process.h"
#include "tests/support/pty_pair.h"

namespace wattline::sim {
namespace {

using testing::ChildProcess;
using testing::PtyPair;
using testing::ReadFileOrEmpty;
using testing::TempDir;
using testing::WaitFor;

using Client = std::unique_ptr<modbus_t, void (*)(modbus_t*)>;

void CloseAndFree(modbus_t* ctx) {
  modbus_close(ctx);
  modbus_free(ctx);
}

// Wire bytes of `words` (high byte first in each register) rearranged into
// big-endian order: the independent decoder of this test.
std::vector<uint8_t> BigEndianBytes(const uint16_t* words, int count, WordOrder order) {
  std::vector<uint8_t> wire;
  for (int i = 0; i < count; ++i) {
    wire.push_back(static_cast<uint8_t>(words[i] >> 8));
    wire.push_back(static_cast<uint8_t>(words[i] & 0xFF));
  }
  std::vector<uint8_t> out(wire.size());
  const size_t n = wire.size();
  for (size_t i = 0; i < n; ++i) {
    const size_t word = i / 2, byte = i % 2, words_n = n / 2;
    switch (order) {
      case WordOrder::kAbcd:
        out[i] = wire[i];
        break;
      case WordOrder::kCdab:
        out[i] = wire[2 * (words_n - 1 - word) + byte];
        break;
      case WordOrder::kBadc:
        out[i] = wire[2 * word + (1 - byte)];
        break;
      case WordOrder::kDcba:
        out[i] = wire[n - 1 - i];
        break;
    }
  }
  return out;
}

uint64_t BigEndianValue(const std::vector<uint8_t>& bytes) {
  uint64_t value = 0;
  for (uint8_t b : bytes) value = (value << 8) | b;
  return value;
}

// `point`'s registers decoded to a double, as an agent would report it.
double Decode(const RegisterPoint& point, const uint16_t* words) {
  const uint64_t bits = BigEndianValue(BigEndianBytes(words, point.registers, point.order));
  switch (point.type) {
    case ValueType::kInt16:
      return static_cast<int16_t>(bits);
    case ValueType::kUint16:
      return static_cast<uint16_t>(bits);
    case ValueType::kInt32:
      return static_cast<int32_t>(bits);
    case ValueType::kUint32:
      return static_cast<uint32_t>(bits);
    case ValueType::kInt64:
      return static_cast<double>(static_cast<int64_t>(bits));
    case ValueType::kUint64:
      return static_cast<double>(bits);
    case ValueType::kFloat32: {
      const uint32_t narrow = static_cast<uint32_t>(bits);
      float f;
      std::memcpy(&f, &narrow, sizeof f);
      return f;
    }
    case ValueType::kFloat64: {
      double d;
      std::memcpy(&d, &bits, sizeof d);
      return d;
    }
  }
  return NAN;
}

class ModbusMeterSimTest : public ::testing::Test {
 protected:
  ~ModbusMeterSimTest() override {
    if (sim_ != nullptr && HasFailure())
      std::fprintf(stderr, "sim log:\n%s\n", sim_->Log().c_str());
  }

  // Starts the simulator on TCP with `args`; ASSERTs it reports its port.
  void StartTcp(std::vector<std::string> args) {
    std::vector<std::string> argv = {
        WATTLINE_MODBUS_SIM_BIN, "--tcp",        "127.0.0.1:0", "--port-file",
        dir_.File("port"),       "--served-log", served_log()};
    argv.insert(argv.end(), args.begin(), args.end());
    sim_ = std::make_unique<ChildProcess>(argv, dir_.File("sim.log"));
    ASSERT_TRUE(WaitFor([&] { return !ReadFileOrEmpty(dir_.File("port")).empty(); }, 5000))
        << sim_->Log();
    port_ = std::stoi(ReadFileOrEmpty(dir_.File("port")));
  }

  // Starts the simulator on the RTU device `device` with `args`.
  void StartRtu(const std::string& device, std::vector<std::string> args) {
    std::vector<std::string> argv = {WATTLINE_MODBUS_SIM_BIN,
                                     "--rtu",
                                     device,
                                     "--baud",
                                     "9600",
                                     "--parity",
                                     "E",
                                     "--stop-bits",
                                     "1",
                                     "--ready-file",
                                     dir_.File("ready"),
                                     "--served-log",
                                     served_log()};
    argv.insert(argv.end(), args.begin(), args.end());
    sim_ = std::make_unique<ChildProcess>(argv, dir_.File("sim.log"));
    ASSERT_TRUE(WaitFor([&] { return !ReadFileOrEmpty(dir_.File("ready")).empty(); }, 5000))
        << sim_->Log();
  }

  Client ConnectTcp(int unit, int timeout_ms = 1000) {
    Client client(modbus_new_tcp("127.0.0.1", port_), CloseAndFree);
    EXPECT_NE(client, nullptr);
    EXPECT_EQ(modbus_connect(client.get()), 0) << modbus_strerror(errno);
    modbus_set_slave(client.get(), unit);
    modbus_set_response_timeout(client.get(), 0, static_cast<uint32_t>(timeout_ms) * 1000);
    return client;
  }

  std::string served_log() const { return dir_.File("served.log"); }

  TempDir dir_;
  std::unique_ptr<ChildProcess> sim_;
  int port_ = 0;
};

// Reads `point` from its table; ASSERT-style failures come back as NaN.
double ReadPoint(modbus_t* client, const RegisterPoint& point) {
  uint16_t words[125] = {};
  const int rc = point.table == RegisterTable::kInputRegisters
                     ? modbus_read_input_registers(client, point.address, point.registers, words)
                     : modbus_read_registers(client, point.address, point.registers, words);
  if (rc != point.registers) {
    ADD_FAILURE() << point.name << ": " << modbus_strerror(errno);
    return NAN;
  }
  return Decode(point, words);
}

TEST_F(ModbusMeterSimTest, EveryPatternValueDecodesToTheDocumentedValue) {
  ASSERT_NO_FATAL_FAILURE(StartTcp({"--unit", "1:pattern"}));
  Client client = ConnectTcp(1);
  const std::vector<RegisterPoint> points = MeterPoints(MeterSpec{MeterModel::kPattern});
  ASSERT_EQ(points.size(), 64u);
  for (const RegisterPoint& point : points) {
    if (point.type == ValueType::kInt64 || point.type == ValueType::kUint64) {
      // Exact comparison through the raw bits: a double cannot hold them all.
      uint16_t words[4] = {};
      const int rc = point.table == RegisterTable::kInputRegisters
                         ? modbus_read_input_registers(client.get(), point.address, 4, words)
                         : modbus_read_registers(client.get(), point.address, 4, words);
      ASSERT_EQ(rc, 4);
      const uint64_t bits = BigEndianValue(BigEndianBytes(words, 4, point.order));
      if (point.type == ValueType::kInt64) {
        EXPECT_EQ(static_cast<int64_t>(bits), std::get<int64_t>(point.raw)) << point.name;
      } else {
        EXPECT_EQ(bits, std::get<uint64_t>(point.raw)) << point.name;
      }
    } else {
      EXPECT_EQ(ReadPoint(client.get(), point), point.value()) << point.name;
    }
  }
  // Literal checks, so that a table and a decoder wrong in the same way fail.
  const MeterSpec pattern{MeterModel::kPattern};
  EXPECT_EQ(ServedValue(pattern, "float32_cdab"), -1234.5625);
  EXPECT_EQ(ServedValue(pattern, "h.int16_badc"), -23456);
  uint16_t words[2] = {};
  ASSERT_EQ(modbus_read_input_registers(client.get(), 200, 2, words), 2);  // float32 cdab
  EXPECT_EQ(words[0], 0x5200);
  EXPECT_EQ(words[1], 0xC49A);
  ASSERT_EQ(modbus_read_registers(client.get(), 108, 2, words), 2);  // h.int16_badc, 0xA460
  EXPECT_EQ(words[0], 0x60A4);
}

TEST_F(ModbusMeterSimTest, PatternCoilsAndDiscreteInputsHoldTheirBits) {
  ASSERT_NO_FATAL_FAILURE(StartTcp({"--unit", "1:pattern"}));
  Client client = ConnectTcp(1);
  uint8_t bits[kPatternBitCount] = {};
  ASSERT_EQ(modbus_read_bits(client.get(), 0, kPatternBitCount, bits), kPatternBitCount);
  for (int i = 0; i < kPatternBitCount; ++i) EXPECT_EQ(bits[i], (kPatternCoilBits >> i) & 1) << i;
  ASSERT_EQ(modbus_read_input_bits(client.get(), 0, kPatternBitCount, bits), kPatternBitCount);
  for (int i = 0; i < kPatternBitCount; ++i) {
    EXPECT_EQ(bits[i], (kPatternDiscreteBits >> i) & 1) << i;
  }
}

TEST_F(ModbusMeterSimTest, Sdm630ImportEnergyIsTwoAbcdRegistersAt72) {
  ASSERT_NO_FATAL_FAILURE(StartTcp({"--unit", "1:sdm630"}));
  Client client = ConnectTcp(1);
  uint16_t words[2] = {};
  ASSERT_EQ(modbus_read_input_registers(client.get(), 72, 2, words), 2) << modbus_strerror(errno);
  EXPECT_EQ(words[0], 0x4640);  // 12345.678f, DEVICES.md D.5
  EXPECT_EQ(words[1], 0xE6B6);
  EXPECT_EQ(modbus_get_float_abcd(words), 12345.678f);
  EXPECT_EQ(ServedValue(MeterSpec{MeterModel::kSdm630}, "import_active_energy"),
            static_cast<double>(12345.678f));
}

TEST_F(ModbusMeterSimTest, Sdm630AnswersOneReadOfSeventySixRegisters) {
  ASSERT_NO_FATAL_FAILURE(StartTcp({"--unit", "1:sdm630"}));
  Client client = ConnectTcp(1);
  uint16_t words[76] = {};
  ASSERT_EQ(modbus_read_input_registers(client.get(), 0, 76, words), 76);
  for (const RegisterPoint& point : MeterPoints(MeterSpec{MeterModel::kSdm630})) {
    if (point.table != RegisterTable::kInputRegisters || point.address + 2 > 76) continue;
    EXPECT_EQ(Decode(point, &words[point.address]), point.value()) << point.name;
  }
  EXPECT_NE(ReadFileOrEmpty(served_log()).find("unit=1 fc=4 addr=0 count=76 result=ok\n"),
            std::string::npos);
}

TEST_F(ModbusMeterSimTest, Sdm630RejectsOddAddressesAndCountsWithException2) {
  ASSERT_NO_FATAL_FAILURE(StartTcp({"--unit", "1:sdm630"}));
  Client client = ConnectTcp(1);
  uint16_t words[4] = {};
  EXPECT_EQ(modbus_read_input_registers(client.get(), 73, 2, words), -1);
  EXPECT_EQ(errno, EMBXILADD);
  EXPECT_EQ(modbus_read_input_registers(client.get(), 72, 3, words), -1);
  EXPECT_EQ(errno, EMBXILADD);
  EXPECT_EQ(modbus_read_input_registers(client.get(), 72, 2, words), 2);  // still serving
}

TEST_F(ModbusMeterSimTest, Sdm630RefusesMoreThanEightyRegisters) {
  ASSERT_NO_FATAL_FAILURE(StartTcp({"--unit", "1:sdm630"}));
  Client client = ConnectTcp(1);
  uint16_t words[82] = {};
  EXPECT_EQ(modbus_read_input_registers(client.get(), 0, 82, words), -1);
  EXPECT_EQ(errno, EMBXILVAL);
  EXPECT_EQ(modbus_read_input_registers(client.get(), 0, 80, words), 80);
}

TEST_F(ModbusMeterSimTest, MaxRegistersFaultRefusesLargerReads) {
  ASSERT_NO_FATAL_FAILURE(StartTcp({"--unit", "1:pattern", "--fault", "1:max_registers:10"}));
  Client client = ConnectTcp(1);
  uint16_t words[12] = {};
  EXPECT_EQ(modbus_read_registers(client.get(), 100, 11, words), -1);
  EXPECT_EQ(errno, EMBXILVAL);
  EXPECT_EQ(modbus_read_registers(client.get(), 100, 10, words), 10);
  EXPECT_NE(ReadFileOrEmpty(served_log()).find("unit=1 fc=3 addr=100 count=11 result=exception:3"),
            std::string::npos);
}

TEST_F(ModbusMeterSimTest, SilentFaultLetsTheClientTimeOut) {
  ASSERT_NO_FATAL_FAILURE(
      StartTcp({"--unit", "1:sdm630", "--unit", "2:sdm120", "--fault", "1:silent"}));
  Client client = ConnectTcp(1, 300);
  uint16_t words[2] = {};
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(modbus_read_input_registers(client.get(), 72, 2, words), -1);
  EXPECT_EQ(errno, ETIMEDOUT);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(250));
  // Another unit of the same simulator still answers.
  Client other = ConnectTcp(2);
  ASSERT_EQ(modbus_read_input_registers(other.get(), 0, 2, words), 2);
  EXPECT_EQ(modbus_get_float_abcd(words), 236.9f);
  EXPECT_NE(ReadFileOrEmpty(served_log()).find("unit=1 fc=4 addr=72 count=2 result=silent"),
            std::string::npos);
}

TEST_F(ModbusMeterSimTest, ExceptionFaultAnswersEveryRequestWithIt) {
  ASSERT_NO_FATAL_FAILURE(StartTcp({"--unit", "1:shelly_pro3em", "--fault", "1:exception:4"}));
  Client client = ConnectTcp(1);
  uint16_t words[2] = {};
  EXPECT_EQ(modbus_read_input_registers(client.get(), 1013, 2, words), -1);
  EXPECT_EQ(errno, EMBXSFAIL);  // exception 4, server device failure
  EXPECT_EQ(modbus_read_registers(client.get(), 0, 2, words), -1);
  EXPECT_EQ(errno, EMBXSFAIL);
}

TEST_F(ModbusMeterSimTest, UnsupportedFunctionsGetException1) {
  ASSERT_NO_FATAL_FAILURE(StartTcp({"--unit", "1:sdm630", "--unit", "2:pattern"}));
  Client eastron = ConnectTcp(1);
  // Eastron meters answer FC03, FC04 and FC16 only (DEVICES.md D.1).
  EXPECT_EQ(modbus_write_register(eastron.get(), 2, 5), -1);
  EXPECT_EQ(errno, EMBXILFUN);
  uint8_t bits[8] = {};
  EXPECT_EQ(modbus_read_bits(eastron.get(), 0, 8, bits), -1);
  EXPECT_EQ(errno, EMBXILFUN);
  // FC43 (read device identification) is served by no model; the answer
  // comes at once, not after libmodbus's flush pause.
  Client pattern = ConnectTcp(2);
  const uint8_t request[] = {2, 0x2B, 0x0E, 0x01, 0x00};
  ASSERT_GT(modbus_send_raw_request(pattern.get(), request, sizeof request), 0);
  uint8_t response[MODBUS_TCP_MAX_ADU_LENGTH] = {};
  const auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(modbus_receive_confirmation(pattern.get(), response), 9) << modbus_strerror(errno);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(200));
  EXPECT_EQ(response[7], 0x2B | 0x80);
  EXPECT_EQ(response[8], MODBUS_EXCEPTION_ILLEGAL_FUNCTION);
}

TEST_F(ModbusMeterSimTest, SigtermStopsItWithStatusZero) {
  ASSERT_NO_FATAL_FAILURE(StartTcp({"--unit", "1:sdm72"}));
  Client client = ConnectTcp(1);  // a connected client does not hold it up
  uint16_t words[2] = {};
  ASSERT_EQ(modbus_read_input_registers(client.get(), 52, 2, words), 2);
  EXPECT_EQ(modbus_get_float_abcd(words), 3532.1f);
  EXPECT_EQ(sim_->Stop(SIGTERM, 2000), 0) << sim_->Log();
}

TEST_F(ModbusMeterSimTest, BadFlagsExitWithStatus2) {
  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
           {"--tcp", "127.0.0.1:0", "--unit", "1:sdm530"},
           {"--tcp", "127.0.0.1:0", "--unit", "1:sunspec203:base=40001"},
           {"--tcp", "127.0.0.1:0", "--unit", "1:sdm630", "--fault", "2:silent"},
           {"--tcp", "127.0.0.1:0", "--unit", "1:sdm630", "--fault", "1:exception:12"},
           {"--tcp", "127.0.0.1:0"},
           {"--rtu", "/dev/null", "--parity", "X", "--unit", "1:sdm630"}}) {
    args.insert(args.begin(), WATTLINE_MODBUS_SIM_BIN);
    ChildProcess bad(args, dir_.File("bad.log"));
    ASSERT_TRUE(WaitFor([&] { return !bad.Running(); }, 5000));
    EXPECT_EQ(bad.Stop(SIGTERM, 0), 2 << 8) << args.back();
  }
}

TEST_F(ModbusMeterSimTest, UnknownUnitIsNotAnswered) {
  ASSERT_NO_FATAL_FAILURE(StartTcp({"--unit", "1:sdm630"}));
  Client client = ConnectTcp(9, 200);
  uint16_t words[2] = {};
  EXPECT_EQ(modbus_read_input_registers(client.get(), 72, 2, words), -1);
  EXPECT_EQ(errno, ETIMEDOUT);
}

TEST_F(ModbusMeterSimTest, ShellyPro3emServesLowWordFirstFloats) {
  ASSERT_NO_FATAL_FAILURE(StartTcp({"--unit", "1:shelly_pro3em"}));
  Client client = ConnectTcp(1);
  uint16_t words[2] = {};
  ASSERT_EQ(modbus_read_input_registers(client.get(), 1013, 2, words), 2);
  EXPECT_EQ(modbus_get_float_cdab(words), 1313.0f);
  for (const RegisterPoint& point : MeterPoints(MeterSpec{MeterModel::kShellyPro3em})) {
    if (point.is_string()) continue;
    EXPECT_EQ(ReadPoint(client.get(), point), point.value()) << point.name;
  }
  // Holding registers are not served.
  EXPECT_EQ(modbus_read_registers(client.get(), 1013, 2, words), -1);
  EXPECT_EQ(errno, EMBXILADD);
}

// What an agent does (DEVICES.md D.4): try each base, find "SunS", walk the
// models by ID and L until 0xFFFF.
std::vector<int> WalkSunSpec(modbus_t* client, int* base_found, int* model_203_at) {
  for (int base : {40000, 50000, 0}) {
    uint16_t marker[2] = {};
    if (modbus_read_registers(client, base, 2, marker) != 2) continue;
    if (marker[0] != 0x5375 || marker[1] != 0x6E53) continue;
    *base_found = base;
    std::vector<int> ids;
    int at = base + 2;
    for (int guard = 0; guard < 20; ++guard) {
      uint16_t header[2] = {};
      if (modbus_read_registers(client, at, 2, header) != 2) break;
      ids.push_back(header[0]);
      if (header[0] == 0xFFFF) break;
      if (header[0] == 203) *model_203_at = at;
      at += 2 + header[1];
    }
    return ids;
  }
  return {};
}

TEST_F(ModbusMeterSimTest, SunSpecWalkFromEachBaseFindsModel203) {
  for (int base : {40000, 50000, 0}) {
    SCOPED_TRACE(base);
    ASSERT_NO_FATAL_FAILURE(StartTcp({"--unit", "5:sunspec203:base=" + std::to_string(base)}));
    Client client = ConnectTcp(5);
    int found = -1, model_at = -1;
    EXPECT_EQ(WalkSunSpec(client.get(), &found, &model_at), (std::vector<int>{1, 203, 0xFFFF}));
    EXPECT_EQ(found, base);
    ASSERT_EQ(model_at, base + 70);

    // Model 203 in one read, values against the table.
    uint16_t block[107] = {};
    ASSERT_EQ(modbus_read_registers(client.get(), model_at, 107, block), 107);
    const MeterSpec spec{MeterModel::kSunSpec203, 5, static_cast<uint16_t>(base)};
    const auto sf = [&](int offset) { return std::pow(10.0, static_cast<int16_t>(block[offset])); };
    EXPECT_DOUBLE_EQ(static_cast<int16_t>(block[18]) * sf(22), ServedValue(spec, "W"));
    EXPECT_DOUBLE_EQ(static_cast<int16_t>(block[8]) * sf(15), 230.1);
    EXPECT_DOUBLE_EQ(static_cast<int16_t>(block[21]) * sf(22), -1150.0);
    EXPECT_EQ(block[29], 0x8000);  // VARphA not implemented
    const uint32_t imported = (uint32_t{block[46]} << 16) | block[47];
    EXPECT_DOUBLE_EQ(imported * sf(54), ServedValue(spec, "TotWhImp"));

    // Model 1: manufacturer string and the unit id in DA.
    uint16_t common[68] = {};
    ASSERT_EQ(modbus_read_registers(client.get(), base + 2, 68, common), 68);
    EXPECT_EQ(common[2], ('W' << 8) | 'a');
    EXPECT_EQ(common[66], 5);
    client.reset();
    sim_.reset();
    std::remove(dir_.File("port").c_str());
  }
}

TEST_F(ModbusMeterSimTest, TwoUnitsOnOneRtuLineAnswerWithTheirOwnMaps) {
  if (!PtyPair::Available()) GTEST_SKIP() << "socat is not installed (Debian package socat)";
  Result<std::unique_ptr<PtyPair>> line = PtyPair::Start(dir_.path(), "line");
  ASSERT_TRUE(line.ok()) << line.status().ToString();
  ASSERT_NO_FATAL_FAILURE(
      StartRtu((*line)->end_a(), {"--unit", "1:sdm630", "--unit", "7:sdm120", "--unit", "3:pattern",
                                  "--fault", "3:exception:6"}));
  Client client(modbus_new_rtu((*line)->end_b().c_str(), 9600, 'E', 8, 1), CloseAndFree);
  ASSERT_NE(client, nullptr);
  ASSERT_EQ(modbus_connect(client.get()), 0) << modbus_strerror(errno);
  modbus_set_response_timeout(client.get(), 0, 300000);
  uint16_t words[2] = {};
  // Alternate units: a server that lost the request after a foreign one
  // (libmodbus's "confirmation to ignore") would fail the second round.
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE(round);
    modbus_set_slave(client.get(), 1);
    ASSERT_EQ(modbus_read_input_registers(client.get(), 72, 2, words), 2) << modbus_strerror(errno);
    EXPECT_EQ(modbus_get_float_abcd(words), 12345.678f);
    modbus_set_slave(client.get(), 7);
    ASSERT_EQ(modbus_read_input_registers(client.get(), 0, 2, words), 2) << modbus_strerror(errno);
    EXPECT_EQ(modbus_get_float_abcd(words), 236.9f);
  }
  // Eastron rule and an injected exception, over RTU.
  modbus_set_slave(client.get(), 1);
  EXPECT_EQ(modbus_read_input_registers(client.get(), 71, 2, words), -1);
  EXPECT_EQ(errno, EMBXILADD);
  modbus_set_slave(client.get(), 3);
  EXPECT_EQ(modbus_read_input_registers(client.get(), 100, 1, words), -1);
  EXPECT_EQ(errno, EMBXSBUSY);
  // Nobody answers unit 2; the line then still serves the others.
  modbus_set_slave(client.get(), 2);
  EXPECT_EQ(modbus_read_input_registers(client.get(), 0, 2, words), -1);
  EXPECT_EQ(errno, ETIMEDOUT);
  modbus_set_slave(client.get(), 7);
  ASSERT_EQ(modbus_read_input_registers(client.get(), 72, 2, words), 2) << modbus_strerror(errno);
  EXPECT_EQ(modbus_get_float_abcd(words), 1551.374f);

  const std::string log = ReadFileOrEmpty(served_log());
  EXPECT_NE(log.find("unit=7 fc=4 addr=0 count=2 result=ok"), std::string::npos) << log;
  EXPECT_NE(log.find("unit=2 fc=4 addr=0 count=2 result=no_unit"), std::string::npos) << log;
}

TEST_F(ModbusMeterSimTest, RtuPatternDecodesLikeTcp) {
  if (!PtyPair::Available()) GTEST_SKIP() << "socat is not installed (Debian package socat)";
  Result<std::unique_ptr<PtyPair>> line = PtyPair::Start(dir_.path(), "line");
  ASSERT_TRUE(line.ok()) << line.status().ToString();
  ASSERT_NO_FATAL_FAILURE(StartRtu((*line)->end_a(), {"--unit", "12:pattern"}));
  Client client(modbus_new_rtu((*line)->end_b().c_str(), 9600, 'E', 8, 1), CloseAndFree);
  ASSERT_EQ(modbus_connect(client.get()), 0) << modbus_strerror(errno);
  modbus_set_response_timeout(client.get(), 0, 300000);
  modbus_set_slave(client.get(), 12);
  for (const RegisterPoint& point : MeterPoints(MeterSpec{MeterModel::kPattern})) {
    if (point.type != ValueType::kFloat32 && point.type != ValueType::kInt32) continue;
    EXPECT_EQ(ReadPoint(client.get(), point), point.value()) << point.name;
  }
}

}  // namespace
}  // namespace wattline::sim
