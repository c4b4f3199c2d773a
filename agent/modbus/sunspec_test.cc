#include "agent/modbus/sunspec.h"

#include <gtest/gtest.h>

#include <map>
#include <vector>

namespace wattline::agent::modbus {
namespace {

// Holding registers of a fake device: addresses present in the map answer,
// others get an exception, as a meter answers outside its map.
class FakeDevice {
 public:
  void Put(uint32_t address, std::vector<uint16_t> words) {
    for (uint16_t word : words) registers_[address++] = word;
  }
  // A SunSpec map at `base`: marker, the models (id, length), end model.
  void PutMap(uint16_t base, const std::vector<std::pair<uint16_t, uint16_t>>& models) {
    Put(base, {kSunSpecMarker0, kSunSpecMarker1});
    uint32_t address = base + 2u;
    for (auto [id, length] : models) {
      Put(address, {id, length});
      Put(address + 2, std::vector<uint16_t>(length, 0));
      address += 2u + length;
    }
    Put(address, {kSunSpecEndModel, 0});
  }
  HoldingReader Reader() {
    return [this](uint16_t address, uint16_t count, uint16_t* dest) {
      ++reads;
      if (timeout_at && *timeout_at == address) {
        return ModbusStatus::Error(ModbusErrorKind::kTimeout, Status::Unavailable("timed out"));
      }
      for (uint16_t i = 0; i < count; ++i) {
        auto it = registers_.find(uint32_t{address} + i);
        if (it == registers_.end()) {
          return ModbusStatus::Error(ModbusErrorKind::kException,
                                     Status::Unavailable("illegal data address"));
        }
        dest[i] = it->second;
      }
      return ModbusStatus::Ok();
    };
  }
  int reads = 0;
  std::optional<uint16_t> timeout_at;

 private:
  std::map<uint32_t, uint16_t> registers_;
};

SunSpecOptions Model(uint16_t model) {
  SunSpecOptions options;
  options.model = model;
  return options;
}

TEST(SunSpec, FindsTheModelAfterCommonAtEachBase) {
  for (uint16_t base : {40000, 50000, 0}) {
    SCOPED_TRACE(base);
    FakeDevice device;
    device.PutMap(base, {{1, 66}, {203, 105}});
    SunSpecModelLocation location;
    ModbusStatus status = FindSunSpecModel(device.Reader(), Model(203), &location);
    ASSERT_TRUE(status.ok()) << status.status.ToString();
    EXPECT_EQ(location.address, base + 2 + 68);
    EXPECT_EQ(location.length, 105);
  }
}

TEST(SunSpec, WalksPastOtherModels) {
  FakeDevice device;
  device.PutMap(40000, {{1, 65}, {101, 50}, {160, 48}, {203, 105}});
  SunSpecModelLocation location;
  ASSERT_TRUE(FindSunSpecModel(device.Reader(), Model(203), &location).ok());
  EXPECT_EQ(location.address, 40002 + 67 + 52 + 50);
}

TEST(SunSpec, MissingModelNamesWhatWasSeen) {
  FakeDevice device;
  device.PutMap(40000, {{1, 66}, {101, 50}});
  SunSpecModelLocation location;
  ModbusStatus status = FindSunSpecModel(device.Reader(), Model(203), &location);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.kind, ModbusErrorKind::kException);
  EXPECT_NE(status.status.message().find("models: 1, 101"), std::string::npos)
      << status.status.message();
}

TEST(SunSpec, NoMarkerAnywhere) {
  FakeDevice device;
  device.Put(40000, {0x1234, 0x5678});  // registers, but no "SunS"
  SunSpecModelLocation location;
  ModbusStatus status = FindSunSpecModel(device.Reader(), Model(203), &location);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.kind, ModbusErrorKind::kException);
  EXPECT_NE(status.status.message().find("40000, 50000, 0"), std::string::npos);
  EXPECT_EQ(device.reads, 3);
}

TEST(SunSpec, TimeoutStopsTheSearch) {
  // A dead device is not "no SunSpec here": the caller must see a timeout.
  FakeDevice device;
  device.PutMap(50000, {{1, 66}, {203, 105}});
  device.timeout_at = 40000;
  SunSpecModelLocation location;
  ModbusStatus status = FindSunSpecModel(device.Reader(), Model(203), &location);
  EXPECT_EQ(status.kind, ModbusErrorKind::kTimeout);
  EXPECT_EQ(device.reads, 1);
}

TEST(SunSpec, ChainWithoutEndIsBounded) {
  // Model length 0xFFFE from 40002 runs past 65535; a loop of zero-length
  // models (id 7, L 0 everywhere) stops after kMaxSunSpecModels.
  FakeDevice runaway;
  runaway.Put(40000, {kSunSpecMarker0, kSunSpecMarker1, 1, 0xFFFE});
  SunSpecModelLocation location;
  EXPECT_EQ(FindSunSpecModel(runaway.Reader(), Model(203), &location).kind,
            ModbusErrorKind::kException);

  FakeDevice endless;
  endless.Put(0, {kSunSpecMarker0, kSunSpecMarker1});
  for (uint32_t a = 2; a < 1000; a += 2) endless.Put(a, {7, 0});
  SunSpecOptions options = Model(203);
  options.bases = {0};
  ModbusStatus status = FindSunSpecModel(endless.Reader(), options, &location);
  EXPECT_EQ(status.kind, ModbusErrorKind::kException);
  EXPECT_EQ(endless.reads, 1 + kMaxSunSpecModels);
}

TEST(SunSpec, NotImplementedValues) {
  EXPECT_TRUE(IsSunSpecNotImplemented(0x8000, ValueType::kInt16));
  EXPECT_FALSE(IsSunSpecNotImplemented(0x8001, ValueType::kInt16));
  EXPECT_TRUE(IsSunSpecNotImplemented(0xFFFF, ValueType::kUint16));
  EXPECT_FALSE(IsSunSpecNotImplemented(0, ValueType::kUint16));
  EXPECT_TRUE(IsSunSpecNotImplemented(0, ValueType::kAcc16));
  EXPECT_TRUE(IsSunSpecNotImplemented(0, ValueType::kAcc32));
  EXPECT_FALSE(IsSunSpecNotImplemented(1, ValueType::kAcc32));
  EXPECT_TRUE(IsSunSpecNotImplemented(0, ValueType::kAcc64));
  EXPECT_TRUE(IsSunSpecNotImplemented(0x80000000, ValueType::kInt32));
  EXPECT_TRUE(IsSunSpecNotImplemented(0xFFFFFFFF, ValueType::kUint32));
  EXPECT_TRUE(IsSunSpecNotImplemented(0x8000000000000000u, ValueType::kInt64));
  EXPECT_TRUE(IsSunSpecNotImplemented(0xFFFFFFFFFFFFFFFFu, ValueType::kUint64));
  EXPECT_TRUE(IsSunSpecNotImplemented(0x7FC00000, ValueType::kFloat32));
  EXPECT_FALSE(IsSunSpecNotImplemented(0x43668000, ValueType::kFloat32));
}

}  // namespace
}  // namespace wattline::agent::modbus
