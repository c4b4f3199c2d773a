#include "tests/sim/modbus_register_maps.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <utility>

namespace wattline::sim {
namespace {

const MeterModel kAllModels[] = {MeterModel::kSdm120,       MeterModel::kSdm630,
                                 MeterModel::kSdm72,        MeterModel::kSunSpec203,
                                 MeterModel::kShellyPro3em, MeterModel::kPattern};

TEST(ModbusRegisterMaps, PointsNeitherOverlapNorShareNames) {
  for (MeterModel model : kAllModels) {
    const std::vector<RegisterPoint> points = MeterPoints(MeterSpec{model});
    std::set<std::pair<RegisterTable, int>> used;
    std::set<std::string> names;
    for (const RegisterPoint& point : points) {
      EXPECT_TRUE(names.insert(point.name).second) << MeterModelName(model) << " " << point.name;
      for (int i = 0; i < point.registers; ++i) {
        EXPECT_TRUE(used.insert({point.table, point.address + i}).second)
            << MeterModelName(model) << " " << point.name << " overlaps at " << point.address + i;
      }
    }
  }
}

TEST(ModbusRegisterMaps, EastronPointsAreEvenFloat32Abcd) {
  for (MeterModel model : {MeterModel::kSdm120, MeterModel::kSdm630, MeterModel::kSdm72}) {
    for (const RegisterPoint& point : MeterPoints(MeterSpec{model})) {
      EXPECT_EQ(point.address % 2, 0) << point.name;
      EXPECT_EQ(point.type, ValueType::kFloat32) << point.name;
      EXPECT_EQ(point.order, WordOrder::kAbcd) << point.name;
    }
    EXPECT_TRUE(RulesFor(model).even_addresses_only);
    EXPECT_EQ(RulesFor(model).max_registers, 80);
  }
}

TEST(ModbusRegisterMaps, Sdm630ImportEnergyIsAt30073) {
  const std::vector<RegisterPoint> points = MeterPoints(MeterSpec{MeterModel::kSdm630});
  const RegisterPoint* import = FindPoint(points, "import_active_energy");
  ASSERT_NE(import, nullptr);
  EXPECT_EQ(import->table, RegisterTable::kInputRegisters);
  EXPECT_EQ(import->address, 30073 - 30001);
  EXPECT_EQ(import->unit, "kWh");
  EXPECT_EQ(import->value(), static_cast<double>(12345.678f));
}

TEST(ModbusRegisterMaps, SunSpecValuesApplyTheirScaleFactors) {
  const MeterSpec spec{MeterModel::kSunSpec203, 3, 50000};
  EXPECT_DOUBLE_EQ(ServedValue(spec, "PhVphA"), 230.1);
  EXPECT_DOUBLE_EQ(ServedValue(spec, "Hz"), 50.01);
  EXPECT_DOUBLE_EQ(ServedValue(spec, "WphC"), -1150.0);
  EXPECT_DOUBLE_EQ(ServedValue(spec, "TotWhImp"), 12345678.9);
  EXPECT_DOUBLE_EQ(ServedValue(spec, "M1.DA"), 3.0);
  EXPECT_TRUE(std::isnan(ServedValue(spec, "VARphA")));
  const std::vector<RegisterPoint> points = MeterPoints(spec);
  EXPECT_EQ(FindPoint(points, "SunS")->address, 50000);
  EXPECT_EQ(FindPoint(points, "ID")->address, 50000 + 70);
  EXPECT_EQ(FindPoint(points, "End.ID")->address, 50000 + 70 + 107);
  EXPECT_EQ(FindPoint(points, "M1.Md")->text(), "SimMeter 203");
}

TEST(ModbusRegisterMaps, SunSpecPhasesAddUpToTotals) {
  const MeterSpec spec{MeterModel::kSunSpec203};
  EXPECT_DOUBLE_EQ(
      ServedValue(spec, "WphA") + ServedValue(spec, "WphB") + ServedValue(spec, "WphC"),
      ServedValue(spec, "W"));
  EXPECT_NEAR(ServedValue(spec, "TotWhImpPhA") + ServedValue(spec, "TotWhImpPhB") +
                  ServedValue(spec, "TotWhImpPhC"),
              ServedValue(spec, "TotWhImp"), 1e-6);
}

TEST(ModbusRegisterMaps, ShellyIsCdabInputRegistersFrom1000) {
  const std::vector<RegisterPoint> points = MeterPoints(MeterSpec{MeterModel::kShellyPro3em});
  const RegisterPoint* power = FindPoint(points, "total_act_power");
  ASSERT_NE(power, nullptr);
  EXPECT_EQ(power->address, 1013);
  EXPECT_EQ(power->order, WordOrder::kCdab);
  EXPECT_EQ(FindPoint(points, "c_freq")->address, 1073);
  EXPECT_EQ(FindPoint(points, "b_total_act_energy")->address, 1190);
}

TEST(ModbusRegisterMaps, PatternCoversEveryTypeAndOrderInBothTables) {
  const std::vector<RegisterPoint> points = MeterPoints(MeterSpec{MeterModel::kPattern});
  EXPECT_EQ(points.size(), 64u);
  for (RegisterTable table : {RegisterTable::kInputRegisters, RegisterTable::kHoldingRegisters}) {
    for (ValueType type : kAllValueTypes) {
      for (WordOrder order : kAllWordOrders) {
        const RegisterPoint* point = FindPoint(points, PatternPointName(table, type, order));
        ASSERT_NE(point, nullptr);
        EXPECT_EQ(point->table, table);
        EXPECT_EQ(point->type, type);
        EXPECT_EQ(point->order, order);
        EXPECT_EQ(point->address, PatternAddress(type, order));
      }
    }
  }
  EXPECT_EQ(PatternAddress(ValueType::kFloat32, WordOrder::kCdab), 200);
  EXPECT_EQ(PatternAddress(ValueType::kFloat64, WordOrder::kDcba), 224);
}

TEST(ModbusRegisterMaps, ImageHoldsTheEncodedPoints) {
  const MeterImage image = BuildMeterImage(MeterSpec{MeterModel::kPattern});
  EXPECT_EQ(image.input.start, 100);
  ASSERT_EQ(image.input.words.size(), 128u);
  // int32 abcd (-123456789 = 0xF8A432EB) at 132, float32 cdab (-1234.5625 =
  // 0xC49A5200) at 200.
  EXPECT_EQ(image.input.words[132 - 100], 0xF8A4);
  EXPECT_EQ(image.input.words[133 - 100], 0x32EB);
  EXPECT_EQ(image.input.words[200 - 100], 0x5200);
  EXPECT_EQ(image.input.words[201 - 100], 0xC49A);
  ASSERT_EQ(image.coils.bits.size(), 20u);
  EXPECT_EQ(image.coils.bits[2], 1);  // 0xB5A3C: bits 2..5 set, 0..1 clear
  EXPECT_EQ(image.coils.bits[0], 0);
}

TEST(ModbusRegisterMaps, ModelNamesRoundTrip) {
  for (MeterModel model : kAllModels) {
    EXPECT_EQ(ParseMeterModel(MeterModelName(model)), model);
  }
  EXPECT_FALSE(ParseMeterModel("sdm530").has_value());
}

}  // namespace
}  // namespace wattline::sim
