// A device profile: which registers of a Modbus device become which series.
// Profiles are YAML files; the grammar, with an example, is in
// docs/formats/modbus_profile.md. The shipped ones are in agent/profiles/ and
// are built into the agent (builtin_profiles.h); users add their own without
// recompiling.
//
// A field turns the registers at one address into one series:
//
//   value = raw × 10^sunssf × scale + offset
//
// where raw is the decoded register value (modbus_value.h) and the sunssf
// factor applies to SunSpec profiles only. Each sample is labelled
// {__name__ = field name, device = the device's label, the field's labels}.
//
// Thread-safety: a loaded profile is immutable and may be shared by threads.
#ifndef WATTLINE_AGENT_MODBUS_MODBUS_PROFILE_H_
#define WATTLINE_AGENT_MODBUS_MODBUS_PROFILE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/modbus/modbus_value.h"
#include "agent/modbus/read_plan.h"
#include "common/labels.h"
#include "common/status.h"

namespace wattline::agent::modbus {

// Profiles with more fields are refused; a big meter has about a hundred.
inline constexpr size_t kMaxProfileFields = 1000;

struct ProfileField {
  std::string name;  // metric name, e.g. power_watts
  // Extra labels such as {phase: a}; never __name__ or device. Sorted.
  Labels labels;
  RegisterTable table = RegisterTable::kInputRegister;
  // The wire address; in a SunSpec profile, the offset from the model's ID
  // register (so 2 is the first point after ID and L).
  uint16_t address = 0;
  ValueType type = ValueType::kFloat32;
  WordOrder order = WordOrder::kABCD;
  double scale = 1;
  double offset = 0;
  // SunSpec: offset (from the model's ID register) of the sunssf register
  // that scales this field.
  std::optional<uint16_t> sunssf;
  // Raw values (the assembled bits, see AssembleWords) that mean "no
  // reading": a field holding one produces no sample.
  std::vector<uint64_t> invalid;
  std::string unit;   // documentation only
  std::string where;  // FILE:LINE:COLUMN of the field, for messages
};

// A SunSpec device: its model is found at run time (sunspec.h).
struct SunSpecOptions {
  uint16_t model = 0;                               // e.g. 203
  std::vector<uint16_t> bases = {40000, 50000, 0};  // where to look for "SunS"
};

struct ModbusProfile {
  std::string name;         // how configs name it: the file name without .yaml
  std::string source;       // the file it came from, for messages
  std::string description;  // free text, may be empty
  ReadLimits limits;
  std::optional<SunSpecOptions> sunspec;
  std::vector<ProfileField> fields;

  // The registers (or bits) of field `i`.
  RegisterSpan Span(size_t i) const;
};

// Parses and checks a profile. `source_name` names the file in messages and
// `name` is what configs call the profile.
//
// Errors: InvalidArgument "FILE:LINE:COLUMN: <key path>: <what is wrong>" for
// a YAML syntax error, an unknown key, a missing name or address, an unknown
// table, type or order, a label or metric name that is not valid, a label named
// __name__ or device, a bool that is not in a coil or discrete input (or a
// register type that is), a scale of 0 or a number that is not finite, an
// address range past 65535, two fields whose registers overlap, two fields
// that make the same series, a field too large for one read, limits out of
// range (max_registers_per_read 1-125, max_gap 0-125), a SunSpec field outside
// the holding registers, a sunssf outside a SunSpec profile, more than
// kMaxProfileFields fields, or no field at all.
Result<ModbusProfile> ParseModbusProfile(std::string_view yaml, std::string_view source_name,
                                         std::string_view name);

// Reads and parses the profile file at `path`; the profile's name is the
// file name without its directory and its .yaml extension.
// Errors: NotFound when the file cannot be read; as ParseModbusProfile.
Result<ModbusProfile> LoadModbusProfileFile(const std::string& path);

}  // namespace wattline::agent::modbus

#endif  // WATTLINE_AGENT_MODBUS_MODBUS_PROFILE_H_
