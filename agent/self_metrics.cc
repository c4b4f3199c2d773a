#include "agent/self_metrics.h"

#include <string>
#include <string_view>

namespace wattline::agent {
namespace {

void Append(std::string_view metric, double value, int64_t now_ms, Samples* out,
            std::string_view reason = {}) {
  Sample sample;
  sample.labels = {{std::string(kMetricNameLabel), std::string(metric)}};
  if (!reason.empty()) sample.labels.push_back({"reason", std::string(reason)});
  sample.timestamp_ms = now_ms;
  sample.value = value;
  out->push_back(std::move(sample));
}

}  // namespace

void AppendSelfMetrics(const SelfState& state, int64_t now_ms, Samples* out) {
  const OutboxStats& outbox = state.outbox;
  const auto d = [](auto value) { return static_cast<double>(value); };
  Append("wattline_agent_outbox_batches", d(outbox.batches), now_ms, out);
  Append("wattline_agent_outbox_samples", d(outbox.samples), now_ms, out);
  Append("wattline_agent_outbox_bytes", d(outbox.bytes), now_ms, out);
  if (state.outbox_max_bytes > 0) {
    Append("wattline_agent_outbox_max_bytes", d(state.outbox_max_bytes), now_ms, out);
  }
  if (state.clock != ClockState::kProvisional && outbox.oldest_sealed_at_ms > 0) {
    Append("wattline_agent_outbox_oldest_age_seconds",
           d(now_ms - outbox.oldest_sealed_at_ms) / 1000.0, now_ms, out);
  }
  Append("wattline_agent_outbox_held_batches", d(outbox.held_batches), now_ms, out);
  Append("wattline_agent_outbox_parked_batches", d(outbox.parked_batches), now_ms, out);
  Append("wattline_agent_outbox_unpersisted_batches", d(outbox.unpersisted_batches), now_ms, out);
  Append("wattline_agent_outbox_sealed_batches_total", d(outbox.sealed_batches), now_ms, out);
  Append("wattline_agent_outbox_sealed_samples_total", d(outbox.sealed_samples), now_ms, out);
  for (size_t reason = 0; reason < kDropReasonCount; ++reason) {
    const char* name = DropReasonName(static_cast<DropReason>(reason));
    Append("wattline_agent_outbox_dropped_batches_total", d(outbox.dropped_batches[reason]), now_ms,
           out, name);
    Append("wattline_agent_outbox_dropped_samples_total", d(outbox.dropped_samples[reason]), now_ms,
           out, name);
  }
  Append("wattline_agent_open_batch_dropped_samples_total", d(state.open_batch_dropped_samples),
         now_ms, out);

  const UploaderCounters& upload = state.upload;
  Append("wattline_agent_upload_requests_total", d(upload.requests), now_ms, out);
  Append("wattline_agent_upload_bytes_total", d(upload.bytes_sent), now_ms, out);
  Append("wattline_agent_upload_batches_total", d(upload.batches_sent), now_ms, out);
  Append("wattline_agent_upload_samples_total", d(upload.samples_sent), now_ms, out);
  Append("wattline_agent_upload_duplicate_batches_total", d(upload.duplicate_batches), now_ms, out);
  Append("wattline_agent_upload_parked_batches_total", d(upload.parked_batches), now_ms, out);
  Append("wattline_agent_upload_refused_samples_total", d(upload.samples_refused), now_ms, out);
  for (int error = 0; error < kUploadErrorKinds; ++error) {
    Append("wattline_agent_upload_errors_total", d(upload.errors[error]), now_ms, out,
           UploadErrorName(static_cast<UploadError>(error)));
  }
  Append("wattline_agent_clock_state", d(static_cast<int>(state.clock)), now_ms, out);
}

}  // namespace wattline::agent
