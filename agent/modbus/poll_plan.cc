#include "agent/modbus/poll_plan.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "agent/modbus/modbus_value.h"
#include "agent/modbus/sunspec.h"

namespace wattline::agent::modbus {
namespace {

constexpr size_t kNone = std::numeric_limits<size_t>::max();

// SunSpec scale factors are powers of ten from -10 to 10 (sunssf); anything
// else is a device fault, not a reading.
constexpr int kMaxScaleFactor = 10;

}  // namespace

Result<PollPlan> PollPlan::Create(std::shared_ptr<const ModbusProfile> profile) {
  return Build(std::move(profile), 0);
}

Result<PollPlan> PollPlan::CreateSunSpec(std::shared_ptr<const ModbusProfile> profile,
                                         uint16_t model_address, uint16_t model_length) {
  const uint32_t model_end = uint32_t{model_length} + 2;  // offsets below this are in the model
  for (const ProfileField& field : profile->fields) {
    const uint32_t end = uint32_t{field.address} + static_cast<uint32_t>(RegisterCount(field.type));
    if (end > model_end || (field.sunssf && *field.sunssf >= model_end)) {
      return Status::InvalidArgument(field.where + ": " + field.name + " lies beyond the " +
                                     std::to_string(model_length) + " registers of SunSpec model " +
                                     std::to_string(profile->sunspec->model) + " at " +
                                     std::to_string(model_address));
    }
  }
  if (uint32_t{model_address} + model_end > 0x10000) {
    return Status::InvalidArgument("SunSpec model runs past address 65535");
  }
  return Build(std::move(profile), model_address);
}

Result<PollPlan> PollPlan::Build(std::shared_ptr<const ModbusProfile> profile, uint32_t base) {
  PollPlan plan;
  plan.base_ = base;
  const size_t fields = profile->fields.size();
  std::map<uint16_t, size_t> sunssf_spans;  // scale-factor offset -> span index
  plan.field_sunssf_span_.assign(fields, kNone);
  for (size_t i = 0; i < fields; ++i) {
    RegisterSpan span = profile->Span(i);
    span.address = static_cast<uint16_t>(span.address + base);
    plan.spans_.push_back(span);
  }
  for (size_t i = 0; i < fields; ++i) {
    const std::optional<uint16_t>& sunssf = profile->fields[i].sunssf;
    if (!sunssf) continue;
    auto [it, added] = sunssf_spans.emplace(*sunssf, plan.spans_.size());
    if (added) {
      plan.spans_.push_back(
          RegisterSpan{RegisterTable::kHoldingRegister, static_cast<uint16_t>(*sunssf + base), 1});
    }
    plan.field_sunssf_span_[i] = it->second;
  }
  Result<std::vector<PlannedRead>> reads = PlanReads(plan.spans_, profile->limits);
  if (!reads.ok()) return reads.status().WithContext("profile " + profile->name);
  plan.reads_ = std::move(*reads);
  plan.span_read_.assign(plan.spans_.size(), kNone);
  for (size_t r = 0; r < plan.reads_.size(); ++r) {
    for (size_t span : plan.reads_[r].spans) plan.span_read_[span] = r;
  }
  // A field's labels are the same at every poll but the device's name, so
  // they are sorted and checked here once rather than for every sample.
  plan.field_labels_.reserve(fields);
  for (const ProfileField& field : profile->fields) {
    FieldLabels& out = plan.field_labels_.emplace_back();
    out.labels = field.labels;
    out.labels.push_back({std::string(kMetricNameLabel), field.name});
    out.labels.push_back({"device", ""});
    if (!Canonicalize(out.labels).ok()) {  // checked when the profile was read
      out.labels.clear();
      continue;
    }
    out.device = static_cast<size_t>(
        std::find_if(out.labels.begin(), out.labels.end(),
                     [](const Label& label) { return label.name == "device"; }) -
        out.labels.begin());
  }
  plan.profile_ = std::move(profile);
  return plan;
}

const uint16_t* PollPlan::Words(std::span<const std::vector<uint16_t>> answers, size_t span) const {
  const size_t read = span_read_[span];
  if (read >= answers.size() || answers[read].size() != reads_[read].count) return nullptr;
  return answers[read].data() + (spans_[span].address - reads_[read].address);
}

size_t PollPlan::Decode(std::span<const std::vector<uint16_t>> answers, std::string_view device,
                        int64_t timestamp_ms, Samples* out) const {
  const bool sunspec = profile_->sunspec.has_value();
  size_t appended = 0;
  for (size_t i = 0; i < profile_->fields.size(); ++i) {
    const ProfileField& field = profile_->fields[i];
    const uint16_t* words = Words(answers, i);
    if (words == nullptr) continue;
    double value = 0;
    if (field.type == ValueType::kBool) {
      value = words[0] != 0 ? 1 : 0;
    } else {
      const auto count = static_cast<size_t>(RegisterCount(field.type));
      const uint64_t bits = AssembleWords({words, count}, field.type, field.order);
      if (std::find(field.invalid.begin(), field.invalid.end(), bits) != field.invalid.end()) {
        continue;
      }
      if (sunspec && IsSunSpecNotImplemented(bits, field.type)) continue;
      value = BitsToDouble(bits, field.type);
    }
    if (field_sunssf_span_[i] != kNone) {
      const uint16_t* factor = Words(answers, field_sunssf_span_[i]);
      if (factor == nullptr || *factor == kSunSpecScaleFactorMissing) continue;
      const int exponent = static_cast<int16_t>(*factor);
      if (exponent < -kMaxScaleFactor || exponent > kMaxScaleFactor) continue;
      // Dividing by 10^n, not multiplying by 10^-n, keeps 2301 with SF -1 at
      // exactly the double nearest 230.1.
      value = exponent < 0 ? value / std::pow(10.0, -exponent) : value * std::pow(10.0, exponent);
    }
    value = value * field.scale + field.offset;
    if (!std::isfinite(value)) continue;
    const FieldLabels& labels = field_labels_[i];
    if (labels.labels.empty()) continue;  // not canonical: see Build()
    Sample sample;
    sample.labels = labels.labels;
    sample.labels[labels.device].value = device;
    sample.timestamp_ms = timestamp_ms;
    sample.value = value;
    out->push_back(std::move(sample));
    ++appended;
  }
  return appended;
}

}  // namespace wattline::agent::modbus
