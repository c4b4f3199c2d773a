#include "tests/sim/modbus_meter_tables.h"

#include <string>
#include <utility>

namespace wattline::sim {
namespace {

using Points = std::vector<RegisterPoint>;
constexpr RegisterTable kInput = RegisterTable::kInputRegisters;
constexpr RegisterTable kHolding = RegisterTable::kHoldingRegisters;

RegisterPoint Float32(std::string name, RegisterTable table, int address, double value,
                      std::string unit, WordOrder order) {
  RegisterPoint point;
  point.name = std::move(name);
  point.table = table;
  point.address = static_cast<uint16_t>(address);
  point.registers = 2;
  point.type = ValueType::kFloat32;
  point.order = order;
  point.raw = value;
  point.unit = std::move(unit);
  return point;
}

RegisterPoint Signed(std::string name, RegisterTable table, int address, ValueType type,
                     int64_t raw, int scale_exponent = 0, std::string unit = "",
                     WordOrder order = WordOrder::kAbcd) {
  RegisterPoint point;
  point.name = std::move(name);
  point.table = table;
  point.address = static_cast<uint16_t>(address);
  point.registers = RegisterCount(type);
  point.type = type;
  point.order = order;
  point.raw = raw;
  point.scale_exponent = scale_exponent;
  point.unit = std::move(unit);
  return point;
}

RegisterPoint Unsigned(std::string name, RegisterTable table, int address, ValueType type,
                       uint64_t raw, int scale_exponent = 0, std::string unit = "",
                       WordOrder order = WordOrder::kAbcd) {
  RegisterPoint point =
      Signed(std::move(name), table, address, type, 0, scale_exponent, std::move(unit), order);
  point.raw = raw;
  return point;
}

RegisterPoint Text(std::string name, RegisterTable table, int address, int registers,
                   std::string text) {
  RegisterPoint point;
  point.name = std::move(name);
  point.table = table;
  point.address = static_cast<uint16_t>(address);
  point.registers = registers;
  point.raw = std::move(text);
  return point;
}

RegisterPoint NotImplemented(RegisterPoint point) {
  point.implemented = false;
  return point;
}

// Eastron: float32, high word first, input registers (D.2).
RegisterPoint Eastron(std::string name, int address, double value, std::string unit) {
  return Float32(std::move(name), kInput, address, value, std::move(unit), WordOrder::kAbcd);
}

// Holding registers every Eastron model here has: 40003 demand period
// (SDM630-DI frame example, D.1) and 40029 baud index, 2 = 9600 (D.3).
void AddEastronHolding(Points& points) {
  points.push_back(Float32("demand_period", kHolding, 2, 60.0, "min", WordOrder::kAbcd));
  points.push_back(Float32("baud_rate_index", kHolding, 28, 2.0, "", WordOrder::kAbcd));
}

}  // namespace

std::vector<RegisterPoint> Sdm630Points() {
  Points p = {
      Eastron("l1_voltage", 0, 230.1, "V"),
      Eastron("l2_voltage", 2, 231.2, "V"),
      Eastron("l3_voltage", 4, 229.9, "V"),
      Eastron("l1_current", 6, 5.43, "A"),
      Eastron("l2_current", 8, 7.21, "A"),
      Eastron("l3_current", 10, 3.05, "A"),
      Eastron("l1_active_power", 12, 1210.5, "W"),
      Eastron("l2_active_power", 14, 1640.2, "W"),
      Eastron("l3_active_power", 16, -690.8, "W"),  // exporting
      Eastron("l1_apparent_power", 18, 1249.5, "VA"),
      Eastron("l2_apparent_power", 20, 1667.0, "VA"),
      Eastron("l3_apparent_power", 22, 701.3, "VA"),
      Eastron("l1_reactive_power", 24, 310.4, "var"),
      Eastron("l2_reactive_power", 26, -298.6, "var"),
      Eastron("l3_reactive_power", 28, 121.8, "var"),
      Eastron("l1_power_factor", 30, 0.969, ""),
      Eastron("l2_power_factor", 32, 0.984, ""),
      Eastron("l3_power_factor", 34, -0.985, ""),
      Eastron("average_voltage", 42, 230.4, "V"),
      Eastron("average_current", 46, 5.23, "A"),
      Eastron("sum_current", 48, 15.69, "A"),
      Eastron("total_active_power", 52, 2159.9, "W"),
      Eastron("total_apparent_power", 56, 3617.8, "VA"),
      Eastron("total_reactive_power", 60, 133.6, "var"),
      Eastron("total_power_factor", 62, 0.597, ""),
      Eastron("frequency", 70, 50.01, "Hz"),
      Eastron("import_active_energy", 72, 12345.678, "kWh"),
      Eastron("export_active_energy", 74, 321.5, "kWh"),
      Eastron("import_reactive_energy", 76, 2345.6, "kvarh"),
      Eastron("export_reactive_energy", 78, 123.4, "kvarh"),
      Eastron("total_power_demand", 84, 2400.0, "W"),
      Eastron("total_active_energy", 342, 12667.178, "kWh"),
      Eastron("l1_import_active_energy", 346, 4321.1, "kWh"),
      Eastron("l2_import_active_energy", 348, 5012.3, "kWh"),
      Eastron("l3_import_active_energy", 350, 3012.278, "kWh"),
      Eastron("l1_export_active_energy", 352, 0.1, "kWh"),
      Eastron("l2_export_active_energy", 354, 0.2, "kWh"),
      Eastron("l3_export_active_energy", 356, 321.2, "kWh"),
      Eastron("l1_total_active_energy", 358, 4321.2, "kWh"),
      Eastron("l2_total_active_energy", 360, 5012.5, "kWh"),
      Eastron("l3_total_active_energy", 362, 3333.478, "kWh"),
  };
  AddEastronHolding(p);
  return p;
}

std::vector<RegisterPoint> Sdm120Points() {
  // The V, W, Hz and kWh values are the real SDM120 reading quoted in D.3.
  Points p = {
      Eastron("voltage", 0, 236.9, "V"),
      Eastron("current", 6, 8.62, "A"),
      Eastron("active_power", 12, -1923.7, "W"),
      Eastron("apparent_power", 18, 2042.1, "VA"),
      Eastron("reactive_power", 24, -684.9, "var"),
      Eastron("power_factor", 30, -0.942, ""),
      Eastron("frequency", 70, 49.95, "Hz"),
      Eastron("import_active_energy", 72, 1551.374, "kWh"),
      Eastron("export_active_energy", 74, 1335.694, "kWh"),
      Eastron("import_reactive_energy", 76, 12.5, "kvarh"),
      Eastron("export_reactive_energy", 78, 210.25, "kvarh"),
      Eastron("total_active_energy", 342, 2887.068, "kWh"),
      Eastron("total_reactive_energy", 344, 222.75, "kvarh"),
  };
  AddEastronHolding(p);
  return p;
}

std::vector<RegisterPoint> Sdm72Points() {
  Points p = {
      Eastron("l1_voltage", 0, 229.4, "V"),
      Eastron("l2_voltage", 2, 230.8, "V"),
      Eastron("l3_voltage", 4, 232.0, "V"),
      Eastron("l1_current", 6, 12.04, "A"),
      Eastron("l2_current", 8, 0.87, "A"),
      Eastron("l3_current", 10, 4.5, "A"),
      Eastron("l1_active_power", 12, 2710.3, "W"),
      Eastron("l2_active_power", 14, -180.6, "W"),
      Eastron("l3_active_power", 16, 1002.4, "W"),
      Eastron("total_active_power", 52, 3532.1, "W"),
      Eastron("frequency", 70, 49.98, "Hz"),
      Eastron("import_active_energy", 72, 8765.432, "kWh"),
      Eastron("export_active_energy", 74, 1234.5, "kWh"),
      Eastron("total_active_energy", 342, 9999.932, "kWh"),
  };
  AddEastronHolding(p);
  return p;
}

std::vector<RegisterPoint> SunSpec203Points(uint16_t base, int unit_id) {
  constexpr ValueType kI16 = ValueType::kInt16;
  constexpr ValueType kU16 = ValueType::kUint16;
  constexpr ValueType kU32 = ValueType::kUint32;
  constexpr int64_t kNotImplementedI16 = -32768;  // 0x8000, also sunssf (D.4)
  const int m1 = base + 2;                        // model 1: ID, L = 66, 66 registers
  const int m = m1 + 2 + 66;                      // model 203: ID, L = 105, 105 registers
  const int end = m + 2 + 105;
  const auto h16 = [&](std::string name, int address, int64_t raw, int sf = 0,
                       std::string unit = "") {
    return Signed(std::move(name), kHolding, address, kI16, raw, sf, std::move(unit));
  };
  const auto acc32 = [&](std::string name, int address, uint64_t raw, int sf, std::string unit) {
    RegisterPoint point =
        Unsigned(std::move(name), kHolding, address, kU32, raw, sf, std::move(unit));
    point.implemented = raw != 0;  // acc32 0 is "not implemented"
    return point;
  };
  Points p = {
      Unsigned("SunS", kHolding, base, kU32, 0x53756E53),
      Unsigned("M1.ID", kHolding, m1, kU16, 1),
      Unsigned("M1.L", kHolding, m1 + 1, kU16, 66),
      Text("M1.Mn", kHolding, m1 + 2, 16, "Wattline"),
      Text("M1.Md", kHolding, m1 + 18, 16, "SimMeter 203"),
      Text("M1.Opt", kHolding, m1 + 34, 8, ""),
      Text("M1.Vr", kHolding, m1 + 42, 8, "1.4.2"),
      Text("M1.SN", kHolding, m1 + 50, 16, "WL203-0000042"),
      Unsigned("M1.DA", kHolding, m1 + 66, kU16, static_cast<uint64_t>(unit_id)),
      Unsigned("M1.Pad", kHolding, m1 + 67, kU16, 0x8000),
      Unsigned("ID", kHolding, m, kU16, 203),
      Unsigned("L", kHolding, m + 1, kU16, 105),
      h16("A", m + 2, 2345, -2, "A"),
      h16("AphA", m + 3, 812, -2, "A"),
      h16("AphB", m + 4, 1033, -2, "A"),
      h16("AphC", m + 5, 500, -2, "A"),
      h16("A_SF", m + 6, -2),
      h16("PhV", m + 7, 2304, -1, "V"),
      h16("PhVphA", m + 8, 2301, -1, "V"),
      h16("PhVphB", m + 9, 2312, -1, "V"),
      h16("PhVphC", m + 10, 2299, -1, "V"),
      h16("PPV", m + 11, 3991, -1, "V"),
      h16("PhVphAB", m + 12, 3995, -1, "V"),
      h16("PhVphBC", m + 13, 3993, -1, "V"),
      h16("PhVphCA", m + 14, 3985, -1, "V"),
      h16("V_SF", m + 15, -1),
      h16("Hz", m + 16, 5001, -2, "Hz"),
      h16("Hz_SF", m + 17, -2),
      h16("W", m + 18, 3010, 0, "W"),
      h16("WphA", m + 19, 1850, 0, "W"),
      h16("WphB", m + 20, 2310, 0, "W"),
      h16("WphC", m + 21, -1150, 0, "W"),  // exporting
      h16("W_SF", m + 22, 0),
      h16("VA", m + 23, 5410, 0, "VA"),
      h16("VAphA", m + 24, 1870, 0, "VA"),
      h16("VAphB", m + 25, 2390, 0, "VA"),
      h16("VAphC", m + 26, 1150, 0, "VA"),
      h16("VA_SF", m + 27, 0),
      h16("VAR", m + 28, 520, 0, "var"),
      NotImplemented(h16("VARphA", m + 29, kNotImplementedI16, 0, "var")),
      NotImplemented(h16("VARphB", m + 30, kNotImplementedI16, 0, "var")),
      NotImplemented(h16("VARphC", m + 31, kNotImplementedI16, 0, "var")),
      h16("VAR_SF", m + 32, 0),
      // Power factor in percent ("Pct" in model_203.json).
      h16("PF", m + 33, 556, -1, "%"),
      h16("PFphA", m + 34, 989, -1, "%"),
      h16("PFphB", m + 35, 966, -1, "%"),
      h16("PFphC", m + 36, -1000, -1, "%"),
      h16("PF_SF", m + 37, -1),
      // Export comes before import in model 203 (D.4).
      acc32("TotWhExp", m + 38, 3215000, -1, "Wh"),
      acc32("TotWhExpPhA", m + 40, 15000, -1, "Wh"),
      acc32("TotWhExpPhB", m + 42, 200000, -1, "Wh"),
      acc32("TotWhExpPhC", m + 44, 3000000, -1, "Wh"),
      acc32("TotWhImp", m + 46, 123456789, -1, "Wh"),
      acc32("TotWhImpPhA", m + 48, 50000000, -1, "Wh"),
      acc32("TotWhImpPhB", m + 50, 40000000, -1, "Wh"),
      acc32("TotWhImpPhC", m + 52, 33456789, -1, "Wh"),
      h16("TotWh_SF", m + 54, -1),
  };
  // The VAh and varh counters are not implemented: acc32 0, sunssf 0x8000.
  const char* const vah[] = {"TotVAhExp", "TotVAhExpPhA", "TotVAhExpPhB", "TotVAhExpPhC",
                             "TotVAhImp", "TotVAhImpPhA", "TotVAhImpPhB", "TotVAhImpPhC"};
  for (int i = 0; i < 8; ++i) p.push_back(acc32(vah[i], m + 55 + 2 * i, 0, 0, "VAh"));
  p.push_back(NotImplemented(h16("TotVAh_SF", m + 71, kNotImplementedI16)));
  const char* const quadrants[] = {"TotVArhImpQ1", "TotVArhImpQ2", "TotVArhExpQ3", "TotVArhExpQ4"};
  const char* const phases[] = {"", "PhA", "PhB", "PhC"};
  for (int q = 0; q < 4; ++q) {
    for (int ph = 0; ph < 4; ++ph) {
      p.push_back(
          acc32(std::string(quadrants[q]) + phases[ph], m + 72 + 8 * q + 2 * ph, 0, 0, "varh"));
    }
  }
  p.push_back(NotImplemented(h16("TotVArh_SF", m + 104, kNotImplementedI16)));
  p.push_back(Unsigned("Evt", kHolding, m + 105, kU32, 0));
  p.push_back(Unsigned("End.ID", kHolding, end, kU16, 0xFFFF));
  p.push_back(Unsigned("End.L", kHolding, end + 1, kU16, 0));
  return p;
}

std::vector<RegisterPoint> ShellyPro3emPoints() {
  constexpr WordOrder kCdab = WordOrder::kCdab;
  const auto f = [&](std::string name, int address, double value, std::string unit) {
    return Float32(std::move(name), kInput, address, value, std::move(unit), kCdab);
  };
  const auto u16 = [&](std::string name, int address, uint64_t value) {
    return Unsigned(std::move(name), kInput, address, ValueType::kUint16, value);
  };
  Points p = {
      Text("mac", kInput, 0, 6, "C8F09E0A1B2C"),
      Text("model", kInput, 6, 10, "SPEM-003CEBEU"),
      Text("name", kInput, 16, 32, "Wattline sim"),
      Unsigned("em_timestamp", kInput, 1000, ValueType::kUint32, 1700000000, 0, "s", kCdab),
      u16("a_error", 1002, 0),
      u16("b_error", 1003, 0),
      u16("c_error", 1004, 0),
      u16("n_error", 1005, 0),
      u16("phase_sequence_error", 1006, 0),
      f("n_current", 1007, 0.412, "A"),
      f("total_current", 1011, 18.38, "A"),
      f("total_act_power", 1013, 1313.0, "W"),
      f("total_aprt_power", 1015, 4238.3, "VA"),
      Unsigned("emdata_timestamp", kInput, 1160, ValueType::kUint32, 1700000000, 0, "s", kCdab),
      f("total_act", 1162, 4566123.5, "Wh"),
      f("total_act_ret", 1164, 987654.25, "Wh"),
  };
  struct Phase {
    const char* x;
    double voltage, current, act_power, aprt_power, pf, freq, act_energy, ret_energy;
  };
  const Phase phases[] = {
      {"a", 230.5, 8.05, 1805.4, 1855.5, 0.97, 50.02, 1800000.5, 12.25},
      {"b", 229.1, 4.12, 910.2, 943.9, 0.96, 50.02, 1500123.0, 0.0},
      {"c", 231.7, 6.21, -1402.6, 1438.9, -0.97, 50.02, 1266000.0, 987642.0},  // exporting
  };
  for (int i = 0; i < 3; ++i) {
    const Phase& ph = phases[i];
    const std::string x = ph.x;
    const int em = 1020 + 20 * i;
    const int data = 1170 + 20 * i;
    p.push_back(f(x + "_voltage", em, ph.voltage, "V"));
    p.push_back(f(x + "_current", em + 2, ph.current, "A"));
    p.push_back(f(x + "_act_power", em + 4, ph.act_power, "W"));
    p.push_back(f(x + "_aprt_power", em + 6, ph.aprt_power, "VA"));
    p.push_back(f(x + "_pf", em + 8, ph.pf, ""));
    p.push_back(f(x + "_freq", em + 13, ph.freq, "Hz"));
    p.push_back(f(x + "_total_act_energy", data, ph.act_energy, "Wh"));
    p.push_back(f(x + "_total_act_ret_energy", data + 4, ph.ret_energy, "Wh"));
    p.push_back(f(x + "_perpetual_act_energy", data + 12, ph.act_energy, "Wh"));
    p.push_back(f(x + "_perpetual_act_ret_energy", data + 14, ph.ret_energy, "Wh"));
  }
  return p;
}

std::vector<RegisterPoint> PatternPoints() {
  struct Values {
    RegisterTable table;
    int64_t int16, int32, int64;
    uint64_t uint16, uint32, uint64;
    double float32, float64;
  };
  const Values tables[] = {
      {kInput, -12345, -123456789, -1234567890123456789, 0xA1B2, 0x89ABCDEF, 0xFEDCBA9876543210,
       -1234.5625, -98765.4321012345},
      {kHolding, -23456, -987654321, -7654321098765432101, 0xC3D4, 0xFEDCBA98, 0x8899AABBCCDDEEFF,
       98765.4375, 3.14159265358979},
  };
  Points p;
  for (const Values& v : tables) {
    for (WordOrder order : kAllWordOrders) {
      const auto name = [&](ValueType type) { return PatternPointName(v.table, type, order); };
      const auto at = [&](ValueType type) { return PatternAddress(type, order); };
      using VT = ValueType;
      p.push_back(
          Signed(name(VT::kInt16), v.table, at(VT::kInt16), VT::kInt16, v.int16, 0, "", order));
      p.push_back(Unsigned(name(VT::kUint16), v.table, at(VT::kUint16), VT::kUint16, v.uint16, 0,
                           "", order));
      p.push_back(
          Signed(name(VT::kInt32), v.table, at(VT::kInt32), VT::kInt32, v.int32, 0, "", order));
      p.push_back(Unsigned(name(VT::kUint32), v.table, at(VT::kUint32), VT::kUint32, v.uint32, 0,
                           "", order));
      p.push_back(
          Signed(name(VT::kInt64), v.table, at(VT::kInt64), VT::kInt64, v.int64, 0, "", order));
      p.push_back(Unsigned(name(VT::kUint64), v.table, at(VT::kUint64), VT::kUint64, v.uint64, 0,
                           "", order));
      p.push_back(Float32(name(VT::kFloat32), v.table, at(VT::kFloat32), v.float32, "", order));
      RegisterPoint f64 =
          Float32(name(VT::kFloat64), v.table, at(VT::kFloat64), v.float64, "", order);
      f64.type = VT::kFloat64;
      f64.registers = 4;
      p.push_back(std::move(f64));
    }
  }
  return p;
}

}  // namespace wattline::sim
