#include "aggregator/metrics/aggregator_metrics.h"

namespace wattline::aggregator {
namespace {

void Write(std::string& out, const char* name, const char* type, const char* help,
           const std::string& value, const std::string& labels = "") {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
  out += name;
  out += labels;
  out += ' ';
  out += value;
  out += '\n';
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
  Counter(out, "wattline_ingest_batches_stored_total", "Agent batches stored.",
          m.ingest.batches_stored);
  Counter(out, "wattline_ingest_batches_duplicate_total",
          "Agent batches acknowledged without storing, because they were stored before.",
          m.ingest.batches_duplicate);
  Counter(out, "wattline_ingest_samples_stored_total", "Samples stored from agent batches.",
          m.ingest.samples_stored);
  Counter(out, "wattline_ingest_rejected_malformed_total",
          "Agent requests refused as malformed.", m.ingest.rejected_malformed);
  Counter(out, "wattline_ingest_rejected_oversized_total",
          "Agent requests refused as over a size limit.", m.ingest.rejected_oversized);
  Counter(out, "wattline_ingest_rejected_unauthenticated_total",
          "Agent requests without a verified client certificate.",
          m.ingest.rejected_unauthenticated);
  Counter(out, "wattline_ingest_storage_errors_total",
          "Agent batches that storage failed to commit (answered 503, agent retries).",
          m.ingest.storage_errors);
  Counter(out, "wattline_queries_total", "Queries answered on the HTTP API.", m.query.queries);
  Write(out, "wattline_storage_series", "gauge", "Series in storage.",
        std::to_string(storage.series));
  Write(out, "wattline_storage_samples", "gauge", "Samples in storage.",
        std::to_string(storage.samples));
  return out;
}

}  // namespace wattline::aggregator
