// The meters modbus-meter-sim simulates: which register holds what, with
// fixed, distinct values, so that tests can assert exact readings without
// writing the numbers twice. Ask MeterPoints() (or ServedValue()) what a
// meter serves; the simulator builds its registers from the same table.
//
// Addresses are wire addresses (0-based, DEVICES.md D.1): 30073 in a
// datasheet is input register 72 here.
//
// Models (DEVICES.md section D; the tables in modbus_meter_tables.cc list
// every point with its value):
//   sdm630  Eastron SDM630, input registers (FC04), float32 kAbcd (D.2): per
//           phase V/A/W/VA/var/PF at 0..34, totals 42..62, Hz at 70, import
//           and export kWh at 72/74, kvarh at 76/78, demand at 84, total and
//           per-phase kWh at 342..362. Phase 3 exports (negative power).
//           Holding registers 2 (demand period, min) and 28 (baud index).
//   sdm120  Eastron SDM120, the D.3 table, with the real reading quoted there
//           (236.9 V, -1923.7 W, 49.95 Hz, 1551.374 / 1335.694 kWh).
//   sdm72   Eastron SDM72D-M: the SDM630 layout for V, A, W per phase, total
//           W (52), Hz (70), import/export kWh (72/74), total kWh (342).
//           D.2 confirms 52/72/74/342 for the SDM72D-M; the others follow
//           the SDM630 table.
//   sunspec203  SunSpec, holding registers, big-endian (D.4): "SunS" at the
//           base (40000, 50000 or 0), model 1 (Mn "Wattline", Md "SimMeter
//           203", Opt "", Vr "1.4.2", SN "WL203-0000042", DA = unit id, Pad),
//           model 203 (L = 105), then the end model 0xFFFF, L = 0. Not
//           implemented: VARphA/B/C (0x8000), the VAh and varh counters (acc32
//           0) and their scale factors (0x8000). Negative scale factors on A,
//           V, Hz, PF and TotWh. Points are named as in the SunSpec model
//           ("W", "PhVphA", "TotWhImp", "W_SF"); model 1 points carry an "M1."
//           prefix ("M1.Mn").
//   shelly_pro3em  Shelly Pro 3EM Modbus TCP, input registers, float32
//           kCdab (low word first, D.1). Points are named after the RPC keys
//           of EM.GetStatus / EMData.GetStatus (B.2, B.3): "a_voltage",
//           "total_act_power", "total_act" (Wh). The map:
//             0 MAC (6 regs), 6 model (10 regs), 16 name (32 regs)
//             1000 uint32 timestamp, 1002..1006 error flags, 1007 n_current,
//             1011 total_current, 1013 total_act_power, 1015 total_aprt_power,
//             1020/1040/1060 phase a/b/c: +0 voltage, +2 current,
//               +4 act_power, +6 aprt_power, +8 pf, +13 freq
//             1160 uint32 timestamp, 1162 total_act, 1164 total_act_ret (Wh),
//             1170/1190/1210 phase a/b/c: +0 total_act_energy,
//               +4 total_act_ret_energy, +12/+14 the same two as perpetual
//               counters (equal here: the meter was never reset)
//           Source: the Shelly Gen2 API pages EM and EMData, "Modbus
//           registers" (shelly-api-docs.shelly.cloud/gen2/ComponentsAndServices/
//           EM#modbus-registers), whose tables were read through three
//           clients that agree on them: the nobrega8/mbmap-library map
//           maps/shelly/pro-3em.mbmap.json (word order, 31000 = register
//           1000), a Victron dbus-modbus-client Shelly driver (1013, 1020+20n
//           V/A/W/PF at +0/+2/+4/+8, 1162/1164, 1182+20n/1184+20n) and a
//           Rust tokio-modbus Shelly client (apparent power +6, frequency
//           +13, 1011, 1015). The +0/+4 phase energy offsets and the string
//           byte order come from one emulator only; treat them as unconfirmed.
//   pattern  for decoder tests, see "Pattern model" below.
//
// Thread-safety: all functions are pure; the returned vectors are new.
#ifndef WATTLINE_TESTS_SIM_MODBUS_REGISTER_MAPS_H_
#define WATTLINE_TESTS_SIM_MODBUS_REGISTER_MAPS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "tests/sim/modbus_register_encoding.h"

namespace wattline::sim {

enum class MeterModel { kSdm120, kSdm630, kSdm72, kSunSpec203, kShellyPro3em, kPattern };

// "sdm120", "sdm630", "sdm72", "sunspec203", "shelly_pro3em", "pattern".
std::string_view MeterModelName(MeterModel model);
std::optional<MeterModel> ParseMeterModel(std::string_view name);

enum class RegisterTable { kCoils, kDiscreteInputs, kHoldingRegisters, kInputRegisters };
std::string_view RegisterTableName(RegisterTable table);  // "coils", ..., "input"

// One simulated meter: its model and what the model's values depend on.
struct MeterSpec {
  MeterModel model = MeterModel::kSdm630;
  int unit_id = 1;                // served as SunSpec model 1 "DA"
  uint16_t sunspec_base = 40000;  // sunspec203: where "SunS" sits (40000, 50000 or 0)
};

// One value a meter serves.
struct RegisterPoint {
  std::string name;
  RegisterTable table = RegisterTable::kInputRegisters;
  uint16_t address = 0;  // wire address of the first register
  int registers = 1;     // RegisterCount(type), or the string's length
  // The encoding; meaningless for strings.
  ValueType type = ValueType::kFloat32;
  WordOrder order = WordOrder::kAbcd;
  // What is encoded: int64_t for signed types, uint64_t for unsigned ones,
  // double for floats (float32 points store the value before rounding to
  // float), std::string for strings.
  std::variant<int64_t, uint64_t, double, std::string> raw;
  // Engineering value = raw × 10^scale_exponent (SunSpec sunssf; 0 elsewhere).
  int scale_exponent = 0;
  std::string unit;  // "V", "A", "W", "kWh", "Wh", "Hz", "%", "" ...
  // False when raw is the meter's "not implemented" sentinel (SunSpec D.4).
  bool implemented = true;

  bool is_string() const { return std::holds_alternative<std::string>(raw); }
  // The value a correct decoder reports, in `unit`: a float32 point gives the
  // float32-rounded value widened to double; NaN when !implemented or a string.
  double value() const;
  const std::string& text() const { return std::get<std::string>(raw); }
};

// A run of coils or discrete inputs.
struct BitBlock {
  RegisterTable table = RegisterTable::kCoils;
  uint16_t address = 0;
  std::vector<bool> bits;  // bits[i] is the bit at address + i
};

// What the model's firmware enforces, before the register map is consulted.
struct MeterRules {
  // Eastron: odd start addresses or odd counts get exception 2 (D.1).
  bool even_addresses_only = false;
  // Reads of more registers get exception 3 (SDM630: 80, D.1).
  int max_registers = 125;
  // Function codes the meter answers; others get exception 1. Empty: all
  // that libmodbus serves.
  std::vector<int> function_codes;
};
MeterRules RulesFor(MeterModel model);

std::vector<RegisterPoint> MeterPoints(const MeterSpec& spec);
std::vector<BitBlock> MeterBits(const MeterSpec& spec);

// The point named `name`, or nullptr.
const RegisterPoint* FindPoint(const std::vector<RegisterPoint>& points, std::string_view name);
// MeterPoints(spec)'s `name`'s value(). A test helper: aborts with a message
// when the meter has no such point.
double ServedValue(const MeterSpec& spec, std::string_view name);

// The register image the simulator serves: each table is a contiguous run
// from `start`; registers no point covers hold 0.
struct RegisterImage {
  uint16_t start = 0;
  std::vector<uint16_t> words;
};
struct BitImage {
  uint16_t start = 0;
  std::vector<uint8_t> bits;  // one byte per bit, 0 or 1 (libmodbus's layout)
};
struct MeterImage {
  BitImage coils;
  BitImage discrete_inputs;
  RegisterImage holding;
  RegisterImage input;
};
MeterImage BuildMeterImage(const MeterSpec& spec);

// Pattern model. One value for every type × word order, in holding AND
// input registers, each in its own 4-register slot:
//   address = kPatternBase + 16 × type index + 4 × order index
// with type index in kAllValueTypes order (int16 0, uint16 1, int32 2,
// uint32 3, int64 4, uint64 5, float32 6, float64 7) and order index in
// kAllWordOrders order (abcd 0, cdab 1, badc 2, dcba 3); so addresses run
// from 100 to 227, and e.g. float32 cdab is at 100 + 96 + 4 = 200. Unused
// registers of a slot hold 0. The holding table holds different values from
// the input table, so reading the wrong table is caught:
//   type     input registers                     holding registers
//   int16    -12345 (0xCFC7)                     -23456 (0xA460)
//   uint16   0xA1B2                              0xC3D4
//   int32    -123456789 (0xF8A432EB)             -987654321 (0xC521974F)
//   uint32   0x89ABCDEF                          0xFEDCBA98
//   int64    -1234567890123456789                -7654321098765432101
//   uint64   0xFEDCBA9876543210                  0x8899AABBCCDDEEFF
//   float32  -1234.5625                          98765.4375
//   float64  -98765.4321012345                   3.14159265358979
// Point names are "<type>_<order>", e.g. "float32_cdab"; the holding table's
// carry an "h." prefix ("h.float32_cdab").
// Coils 0..19 are set where bit i of kPatternCoilBits is 1; discrete inputs
// 0..19 where bit i of kPatternDiscreteBits is 1.
inline constexpr uint16_t kPatternBase = 100;
inline constexpr uint32_t kPatternCoilBits = 0xB5A3C;
inline constexpr uint32_t kPatternDiscreteBits = 0x4C3A5;
inline constexpr int kPatternBitCount = 20;
uint16_t PatternAddress(ValueType type, WordOrder order);
std::string PatternPointName(RegisterTable table, ValueType type, WordOrder order);

}  // namespace wattline::sim

#endif  // WATTLINE_TESTS_SIM_MODBUS_REGISTER_MAPS_H_
