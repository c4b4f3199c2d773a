// One poll of one device: the requests it makes (a profile's fields, plus the
// SunSpec scale-factor registers they need, merged by read_plan.h) and how the
// answers become samples.
//
// A field produces no sample when its request failed, when it holds a value
// the profile lists as invalid, when (SunSpec) it holds the "not implemented"
// value or its scale factor does, or when the result is not finite. A missing
// reading never reads as zero.
//
// Thread-safety: immutable once created; Decode may run on any thread.
#ifndef WATTLINE_AGENT_MODBUS_POLL_PLAN_H_
#define WATTLINE_AGENT_MODBUS_POLL_PLAN_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "agent/modbus/modbus_profile.h"
#include "agent/modbus/read_plan.h"
#include "agent/sources/sample.h"
#include "common/status.h"

namespace wattline::agent::modbus {

class PollPlan {
 public:
  // For a plain profile. Errors: as PlanReads (not for a profile that parsed).
  static Result<PollPlan> Create(std::shared_ptr<const ModbusProfile> profile);
  // For a SunSpec profile whose model starts at `model_address` (the ID
  // register) and has length L = `model_length`.
  // Errors: InvalidArgument when a field or scale factor lies beyond the
  // model's L registers, or past address 65535.
  static Result<PollPlan> CreateSunSpec(std::shared_ptr<const ModbusProfile> profile,
                                        uint16_t model_address, uint16_t model_length);

  const std::vector<PlannedRead>& reads() const { return reads_; }

  // Turns answers into samples stamped `timestamp_ms`, labelled with
  // device=`device`, appended to `*out`. answers[i] holds the words of
  // reads()[i] (bits as 0/1 words), or is empty when that read failed.
  // Returns the number of samples appended. Each sample's labels are a copy
  // of its field's, made canonical once when the plan was created, with
  // `device` filled in.
  // REQUIRES: answers.size() == reads().size(); a non-empty answer has
  // reads()[i].count words.
  size_t Decode(std::span<const std::vector<uint16_t>> answers, std::string_view device,
                int64_t timestamp_ms, Samples* out) const;

 private:
  PollPlan() = default;
  static Result<PollPlan> Build(std::shared_ptr<const ModbusProfile> profile, uint32_t base);
  // The words of span `span` in `answers`, or nullptr when its read failed.
  const uint16_t* Words(std::span<const std::vector<uint16_t>> answers, size_t span) const;

  // A field's canonical labels with an empty device value, at index `device`.
  struct FieldLabels {
    Labels labels;  // empty when the field's labels are not canonical
    size_t device = 0;
  };

  std::shared_ptr<const ModbusProfile> profile_;
  uint32_t base_ = 0;
  std::vector<RegisterSpan> spans_;        // fields first, then scale factors
  std::vector<size_t> span_read_;          // the read that covers each span
  std::vector<size_t> field_sunssf_span_;  // per field; SIZE_MAX when it has none
  std::vector<FieldLabels> field_labels_;  // per field
  std::vector<PlannedRead> reads_;
};

}  // namespace wattline::agent::modbus

#endif  // WATTLINE_AGENT_MODBUS_POLL_PLAN_H_
