#include "aggregator/metrics/aggregator_metrics.h"

#include "aggregator/notify/notification_queue.h"

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

// One family of the write paths' counters: a sample per path (and `extra`
// label set), read by `get`.
template <typename Get>
void WriteFamily(std::string& out, const WriteCounters& w, const char* name, const char* help,
                 Get get) {
  Header(out, name, "counter", help);
  for (const auto& [path, counters] : {std::pair<const char*, const WritePathCounters*>{
                                           "/api/v1/write", &w.remote_write},
                                       {"/api/v1/import/prometheus", &w.text_import}}) {
    get(out, name, std::string("{path=\"") + path + "\"", *counters);
  }
}

void RenderWriteCounters(std::string& out, const WriteCounters& w) {
  WriteFamily(out, w, "wattline_write_requests_total",
              "Requests on the standard write paths, by answer (code \"other\": any other).",
              [](std::string& o, const char* name, const std::string& path,
                 const WritePathCounters& c) {
                for (size_t i = 0; i < WritePathCounters::kCodeSlots; ++i) {
                  std::string code = i < std::size(WritePathCounters::kWriteStatusCodes)
                                         ? std::to_string(WritePathCounters::kWriteStatusCodes[i])
                                         : "other";
                  Sample(o, name, path + ",code=\"" + code + "\"}",
                         std::to_string(c.requests[i].load()));
                }
              });
  WriteFamily(out, w, "wattline_write_samples_stored_total",
              "Samples stored from the standard write paths.",
              [](std::string& o, const char* name, const std::string& path,
                 const WritePathCounters& c) {
                Sample(o, name, path + "}", std::to_string(c.samples_stored.load()));
              });
  WriteFamily(out, w, "wattline_write_samples_overwritten_total",
              "Samples from the standard write paths stored over one already stored for the "
              "same series and timestamp.",
              [](std::string& o, const char* name, const std::string& path,
                 const WritePathCounters& c) {
                Sample(o, name, path + "}", std::to_string(c.samples_overwritten.load()));
              });
  WriteFamily(out, w, "wattline_write_samples_refused_total",
              "Samples of stored write requests refused for their timestamp.",
              [](std::string& o, const char* name, const std::string& path,
                 const WritePathCounters& c) {
                Sample(o, name, path + ",reason=\"before_2000\"}",
                       std::to_string(c.samples_refused_before_2000.load()));
                Sample(o, name, path + ",reason=\"too_far_in_future\"}",
                       std::to_string(c.samples_refused_too_far_in_future.load()));
              });
}

void RenderStorage(std::string& out, const StoreStats& s) {
  auto gauge = [&](const char* name, const char* help, int64_t value) {
    Write(out, name, "gauge", help, std::to_string(value));
  };
  auto counter = [&](const char* name, const char* help, uint64_t value) {
    Write(out, name, "counter", help, std::to_string(value));
  };
  gauge("wattline_storage_series", "Series in storage.", s.series);
  gauge("wattline_storage_samples",
        "Samples in storage (a late sample for a cut window counts twice until it is cut).",
        s.samples);
  gauge("wattline_storage_head_samples", "Samples in memory not yet cut into chunks.",
        s.head_samples);
  gauge("wattline_storage_chunks", "Compressed chunks of raw samples on disk.", s.chunks);
  gauge("wattline_storage_log_records",
        "Ingest log records holding samples not yet cut into chunks (replayed at start).",
        s.log_records);
  gauge("wattline_storage_disk_bytes", "Bytes of the storage file and its write-ahead log.",
        s.disk_bytes);
  gauge("wattline_storage_free_bytes",
        "Bytes of the storage file free for reuse (left by retention and rewritten chunks).",
        s.free_bytes);
  gauge("wattline_storage_writable",
        "0 after a write failed for lack of disk space (writes answer 503; agents buffer).",
        s.writable ? 1 : 0);
  gauge("wattline_storage_read_cache_bytes",
        "Memory held by decoded chunks and hour rollups kept for repeated queries.",
        s.read_cache_bytes);
  counter("wattline_storage_read_cache_hits_total",
          "Chunks and hour-rollup blocks a query found decoded in memory.", s.read_cache_hits);
  counter("wattline_storage_read_cache_misses_total",
          "Chunks and hour-rollup blocks a query read from disk (or found none).",
          s.read_cache_misses);
  counter("wattline_storage_flushes_total", "Transactions that cut head windows into chunks.",
          s.flushes);
  counter("wattline_storage_flush_errors_total",
          "Cutting or retention passes that failed (retried; nothing is lost).", s.flush_errors);
  counter("wattline_storage_samples_merged_over_total",
          "Samples of stored chunks replaced by a later sample at the same timestamp.",
          s.samples_merged_over);
  counter("wattline_storage_corrupt_chunks_total",
          "Stored chunks, rollups or log records that failed their checksum or decoding "
          "(skipped; chunks are quarantined when rewritten).",
          s.corrupt_chunks);
  counter("wattline_storage_retention_deleted_chunks_total",
          "Raw chunks deleted as older than the raw retention.", s.retention_deleted_chunks);
  counter("wattline_storage_samples_beyond_retention_total",
          "Late samples not kept because their window is older than the raw retention.",
          s.samples_beyond_retention);
}

}  // namespace

std::string RenderMetrics(const AggregatorMetrics& m, const StoreStats& storage,
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
  RenderWriteCounters(out, m.write);
  Counter(out, "wattline_queries_total", "Queries answered on the HTTP API.", m.query.queries);
  RenderStorage(out, storage);
  return out;
}

std::string RenderNotificationMetrics(const NotificationQueueCounts& counts, int64_t pending) {
  std::string out;
  Write(out, "wattline_notifications_queued_total", "counter",
        "Alert notifications queued for their receiver.", std::to_string(counts.queued));
  Write(out, "wattline_notifications_delivered_total", "counter",
        "Alert notifications their receiver took.", std::to_string(counts.delivered));
  Write(out, "wattline_notifications_retried_total", "counter",
        "Failed deliveries of alert notifications, each retried later.",
        std::to_string(counts.retried));
  Write(out, "wattline_notifications_dropped_total", "counter",
        "Alert notifications dropped, the oldest, past the queue's bound.",
        std::to_string(counts.dropped));
  Write(out, "wattline_notifications_rejected_total", "counter",
        "Alert notifications dropped because their receiver refused them as they are (400).",
        std::to_string(counts.rejected));
  Write(out, "wattline_notifications_pending", "gauge",
        "Alert notifications waiting for their receiver.", std::to_string(pending));
  return out;
}

}  // namespace wattline::aggregator
