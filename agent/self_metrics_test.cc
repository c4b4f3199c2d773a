#include "agent/self_metrics.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace wattline::agent {
namespace {

std::map<std::string, double> ByName(const Samples& samples, int64_t now_ms) {
  std::map<std::string, double> out;
  for (const Sample& sample : samples) {
    EXPECT_TRUE(ValidateCanonical(sample.labels).ok()) << LabelsToString(sample.labels);
    EXPECT_EQ(sample.timestamp_ms, now_ms);
    out[LabelsToString(sample.labels)] = sample.value;
  }
  return out;
}

SelfState FillingNode() {
  SelfState state;
  state.outbox.batches = 40;
  state.outbox.samples = 72'000;
  state.outbox.bytes = 164'000;
  state.outbox_max_bytes = 1 << 20;
  state.outbox.oldest_sealed_at_ms = 1'700'000'000'000;
  state.outbox.held_batches = 2;
  state.outbox.parked_batches = 1;
  state.outbox.sealed_batches = 900;
  state.outbox.sealed_samples = 1'620'000;
  state.outbox.dropped_batches[static_cast<int>(DropReason::kBytes)] = 3;
  state.outbox.dropped_samples[static_cast<int>(DropReason::kBytes)] = 5'400;
  state.outbox.dropped_samples[static_cast<int>(DropReason::kUntimed)] = 7;
  state.upload.requests = 850;
  state.upload.errors[static_cast<int>(UploadError::kTransport)] = 12;
  state.upload.errors[static_cast<int>(UploadError::kTooManyRequests)] = 1;
  state.clock = ClockState::kBootOffset;
  state.open_batch_dropped_samples = 9;
  return state;
}

TEST(SelfMetrics, AFillingBufferAndItsCausesAreSeries) {
  const int64_t now_ms = 1'700'000'600'000;  // ten minutes after the oldest seal
  Samples out;
  AppendSelfMetrics(FillingNode(), now_ms, &out);
  auto series = ByName(out, now_ms);
  EXPECT_EQ(series.at("wattline_agent_outbox_batches{}"), 40);
  EXPECT_EQ(series.at("wattline_agent_outbox_samples{}"), 72'000);
  EXPECT_EQ(series.at("wattline_agent_outbox_bytes{}"), 164'000);
  EXPECT_EQ(series.at("wattline_agent_outbox_max_bytes{}"), 1 << 20);
  EXPECT_EQ(series.at("wattline_agent_outbox_oldest_age_seconds{}"), 600);
  EXPECT_EQ(series.at("wattline_agent_outbox_held_batches{}"), 2);
  EXPECT_EQ(series.at("wattline_agent_outbox_parked_batches{}"), 1);
  EXPECT_EQ(series.at("wattline_agent_outbox_sealed_samples_total{}"), 1'620'000);
  EXPECT_EQ(series.at("wattline_agent_outbox_dropped_batches_total{reason=\"bytes\"}"), 3);
  EXPECT_EQ(series.at("wattline_agent_outbox_dropped_samples_total{reason=\"bytes\"}"), 5'400);
  EXPECT_EQ(series.at("wattline_agent_outbox_dropped_samples_total{reason=\"untimed\"}"), 7);
  EXPECT_EQ(series.at("wattline_agent_outbox_dropped_samples_total{reason=\"age\"}"), 0);
  EXPECT_EQ(series.at("wattline_agent_open_batch_dropped_samples_total{}"), 9);
  EXPECT_EQ(series.at("wattline_agent_upload_requests_total{}"), 850);
  EXPECT_EQ(series.at("wattline_agent_upload_errors_total{reason=\"transport\"}"), 12);
  EXPECT_EQ(series.at("wattline_agent_upload_errors_total{reason=\"too_many_requests\"}"), 1);
  EXPECT_EQ(series.at("wattline_agent_upload_errors_total{reason=\"server\"}"), 0);
  EXPECT_EQ(series.at("wattline_agent_clock_state{}"), 1);
}

TEST(SelfMetrics, NoAgeWhileTheClockIsProvisional) {
  SelfState state = FillingNode();
  state.clock = ClockState::kProvisional;
  Samples out;
  AppendSelfMetrics(state, 60'000, &out);
  auto series = ByName(out, 60'000);
  EXPECT_EQ(series.count("wattline_agent_outbox_oldest_age_seconds{}"), 0u)
      << "an age measured against boot time would be nonsense";
  EXPECT_EQ(series.at("wattline_agent_clock_state{}"), 0);
}

}  // namespace
}  // namespace wattline::agent
