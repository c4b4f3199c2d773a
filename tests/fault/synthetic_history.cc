#include "tests/fault/synthetic_history.h"

#include <vector>

#include "agent/outbox/outbox.h"
#include "agent/time/kernel_clock.h"
#include "common/labels.h"

namespace wattline::testing {

Result<WrittenHistory> WriteHistory(const std::string& outbox_path, const History& history,
                                    int64_t end_ms, const std::string& agent) {
  auto outbox = agent::Outbox::Open(outbox_path, agent::OutboxOptions{}, agent::CurrentBootId());
  if (!outbox.ok()) return outbox.status();
  std::vector<Labels> labels;
  for (int i = 0; i < history.series; ++i) {
    Labels one = {{std::string(kMetricNameLabel), "power_watts"},
                  {"device", "history"},
                  {"channel", std::to_string(i)}};
    WATTLINE_RETURN_IF_ERROR(Canonicalize(one));
    labels.push_back(std::move(one));
  }
  const int64_t start_ms = end_ms - history.span_ms;
  WrittenHistory written;
  for (int64_t window = start_ms; window < end_ms; window += history.seal_every_ms) {
    Batch batch;
    batch.agent_id = agent;
    batch.sealed_at_ms = window + history.seal_every_ms;
    for (int i = 0; i < history.series; ++i) {
      SeriesSamples samples;
      samples.labels = labels[static_cast<size_t>(i)];
      // Series are staggered over the sample period, as polls are.
      const int64_t phase = (history.sample_every_ms * i) / history.series;
      int64_t first = start_ms + phase;
      if (first < window) {
        first += ((window - first + history.sample_every_ms - 1) / history.sample_every_ms) *
                 history.sample_every_ms;
      }
      for (int64_t t = first; t < window + history.seal_every_ms; t += history.sample_every_ms) {
        samples.timestamps_ms.push_back(t);
        samples.values.push_back(static_cast<double>(i * 1000 + (t / 1000) % 997));
      }
      if (samples.timestamps_ms.empty()) continue;
      written.samples += static_cast<int64_t>(samples.timestamps_ms.size());
      batch.series.push_back(std::move(samples));
    }
    if (batch.series.empty()) continue;
    Result<uint64_t> sealed = (*outbox)->Seal(
        std::move(batch), agent::SealTime{window + history.seal_every_ms, true, "", 0});
    if (!sealed.ok()) return sealed.status();
    ++written.batches;
  }
  return written;
}

}  // namespace wattline::testing
