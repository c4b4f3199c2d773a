// The Modbus path after the wire: an SDM630's answer (the read plan's raw
// words, as modbus-meter-sim serves them) decoded by the built-in profile to
// samples (PollPlan::Decode). The bus itself is not measured: libmodbus and
// the kernel do that work, and on RS485 the 9600-baud frame time dwarfs it.
//
// Baseline: converting each field's words to a double (DecodeRegisters), the
// arithmetic any Modbus reader must do; the rest of Decode is finding the
// words, scaling, and building the labelled samples.
#include <memory>
#include <vector>

#include "agent/modbus/builtin_profiles.h"
#include "agent/modbus/modbus_value.h"
#include "agent/modbus/poll_plan.h"
#include "bench/source_path.h"
#include "tests/sim/modbus_register_maps.h"

namespace wattline::bench {
namespace {

namespace modbus = agent::modbus;

volatile double g_sink = 0;

// The words of `read` from the simulator's image of the meter.
std::vector<uint16_t> AnswerFromImage(const sim::MeterImage& image,
                                      const modbus::PlannedRead& read) {
  CheckSetup(read.table == modbus::RegisterTable::kInputRegister ||
                 read.table == modbus::RegisterTable::kHoldingRegister,
             "the SDM630 profile reads a bit table");
  const sim::RegisterImage& table =
      read.table == modbus::RegisterTable::kInputRegister ? image.input : image.holding;
  CheckSetup(read.address >= table.start &&
                 read.address + read.count <= table.start + table.words.size(),
             "a planned read lies outside the simulator's map");
  const auto first = table.words.begin() + (read.address - table.start);
  return std::vector<uint16_t>(first, first + read.count);
}

// Where each field's words are: the read that covers it and the offset.
struct FieldWords {
  size_t read = 0;
  size_t offset = 0;
  size_t count = 0;
};

SourcePath Sdm630() {
  struct State {
    std::shared_ptr<const modbus::ModbusProfile> profile;
    std::unique_ptr<modbus::PollPlan> plan;
    std::vector<std::vector<uint16_t>> answers;
    std::vector<FieldWords> fields;
    agent::Samples out;
  };
  auto state = std::make_shared<State>();
  auto profile = modbus::LoadBuiltinProfile("eastron_sdm630");
  CheckSetup(profile.ok(), "eastron_sdm630 does not load");
  state->profile = std::make_shared<const modbus::ModbusProfile>(std::move(*profile));
  auto plan = modbus::PollPlan::Create(state->profile);
  CheckSetup(plan.ok(), "eastron_sdm630 has no read plan");
  state->plan = std::make_unique<modbus::PollPlan>(std::move(*plan));

  const sim::MeterImage image = sim::BuildMeterImage(sim::MeterSpec{sim::MeterModel::kSdm630});
  const auto& reads = state->plan->reads();
  for (const auto& read : reads) state->answers.push_back(AnswerFromImage(image, read));
  for (size_t i = 0; i < state->profile->fields.size(); ++i) {
    const modbus::RegisterSpan span = state->profile->Span(i);
    bool found = false;
    for (size_t r = 0; r < reads.size() && !found; ++r) {
      if (reads[r].table == span.table && span.address >= reads[r].address &&
          span.address + span.count <= reads[r].address + reads[r].count) {
        state->fields.push_back({r, size_t(span.address - reads[r].address), span.count});
        found = true;
      }
    }
    CheckSetup(found, "a field of eastron_sdm630 is in no planned read");
  }

  SourcePath path;
  path.name = "modbus_sdm630";
  path.what = "PollPlan::Decode, eastron_sdm630's " + std::to_string(reads.size()) +
              " read(s) as modbus-meter-sim serves them";
  path.baseline = "DecodeRegisters";
  path.run = [state] {
    return state->plan->Decode(state->answers, "mains", kBenchStartMs, &state->out);
  };
  path.run_baseline = [state] {
    double sum = 0;
    for (size_t i = 0; i < state->fields.size(); ++i) {
      const FieldWords& where = state->fields[i];
      const modbus::ProfileField& field = state->profile->fields[i];
      const std::span<const uint16_t> words(state->answers[where.read].data() + where.offset,
                                            where.count);
      sum += modbus::DecodeRegisters(words, field.type, field.order);
    }
    g_sink = sum;
  };
  path.reset = [state] { state->out.clear(); };
  return path;
}

}  // namespace

std::vector<SourcePath> ModbusPaths() {
  std::vector<SourcePath> paths;
  paths.push_back(Sdm630());
  return paths;
}

}  // namespace wattline::bench
