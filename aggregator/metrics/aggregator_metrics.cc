#include "aggregator/metrics/aggregator_metrics.h"

namespace wattline::aggregator {
namespace {

void Header(std::string& out, const char* name, const char* type, const char* help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

void Sample(std::string& out, const char* name, const std::string& labels,
            const std::string& value) {
  out += name;
  out += labels;
  out += ' ';
  out += value;
  out += '\n';
}

void Write(std::string& out, const char* name, const char* type, const char* help,
           const std::string& value, const std::string& labels = "") {
  Header(out, name, type, help);
  Sample(out, name, labels, value);
}

void Counter(std::string& out, const char* name, const char* help,
             const std::atomic<uint64_t>& value) {
  Write(out, name, "counter", help, std::to_string(value.load()));
}

}  // namespace

std::string RenderMetrics(const AggregatorMetrics& m, const StorageGauges& storage,
                          const char* version) {
  std::string out;
  Write(out, "wattline_aggregator_build_info", "gauge", "Build information.", "1",
        std::string("{version=\"") + version + "\"}");
  Counter(out, "wattline_ingest_uploads_received_total",
          "Agent uploads received with a well-formed envelope.", m.ingest.uploads_received);
  Counter(out, "wattline_ingest_batches_stored_total", "Agent batches stored.",
          m.ingest.batches_stored);
  Counter(out, "wattline_ingest_batches_duplicate_total",
          "Agent batches acknowledged without storing, because they were stored before.",
          m.ingest.batches_duplicate);
  Counter(out, "wattline_ingest_batches_refused_total",
          "Agent batches refused: not a valid batch, or of another outbox than their upload.",
          m.ingest.batches_refused);
  Counter(out, "wattline_ingest_samples_stored_total", "Samples stored from agent batches.",
          m.ingest.samples_stored);
  Counter(out, "wattline_ingest_samples_overwritten_total",
          "Samples stored over one already stored for the same series and timestamp: "
          "duplicated data or clock trouble.",
          m.ingest.samples_overwritten);
  const char* refused = "wattline_ingest_samples_refused_total";
  Header(out, refused, "counter", "Samples of stored batches refused for their timestamp.");
  Sample(out, refused, "{reason=\"before_2000\"}",
         std::to_string(m.ingest.samples_refused_before_2000.load()));
  Sample(out, refused, "{reason=\"too_far_in_future\"}",
         std::to_string(m.ingest.samples_refused_too_far_in_future.load()));
  Counter(out, "wattline_ingest_rejected_malformed_total",
          "Agent requests refused as malformed or of the wrong media type.",
          m.ingest.rejected_malformed);
  Counter(out, "wattline_ingest_rejected_oversized_total",
          "Agent requests refused as over a size limit.", m.ingest.rejected_oversized);
  Counter(out, "wattline_ingest_rejected_unauthenticated_total",
          "Agent requests without a verified client certificate.",
          m.ingest.rejected_unauthenticated);
  Counter(out, "wattline_ingest_storage_errors_total",
          "Agent uploads that storage failed to commit (answered 503, agent retries).",
          m.ingest.storage_errors);
  Counter(out, "wattline_queries_total", "Queries answered on the HTTP API.", m.query.queries);
  Write(out, "wattline_storage_series", "gauge", "Series in storage.",
        std::to_string(storage.series));
  Write(out, "wattline_storage_samples", "gauge", "Samples in storage.",
        std::to_string(storage.samples));
  return out;
}

}  // namespace wattline::aggregator
