#include "aggregator/ingest/write_handler.h"

#include <strings.h>

#include "aggregator/ingest/prom_text_import.h"
#include "aggregator/ingest/remote_write.h"
#include "aggregator/ingest/request_helpers.h"
#include "aggregator/ingest/sample_time_rules.h"
#include "common/log.h"

namespace wattline::aggregator {
namespace {

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// A refusal of the parsers: 413 for a limit, 400 for everything else.
HttpResponse Malformed(const Status& status) {
  return Refuse(status.code() == Status::Code::kResourceExhausted ? 413 : 400, status.message());
}

HttpResponse Counted(HttpResponse response, WritePathCounters& counters) {
  counters.CountAnswer(response.status);
  return response;
}

}  // namespace

WriteHandler::WriteHandler(SampleStore* store, const Clock* clock, const WriteOptions& options,
                           WriteCounters* counters)
    : store_(store),
      clock_(clock),
      token_(options.token),
      max_write_bytes_(options.max_write_bytes),
      max_future_ms_(options.max_future_ms),
      counters_(counters) {}

HttpRouteOptions WriteHandler::Route(WritePathCounters& counters) const {
  HttpRouteOptions route;
  route.max_body_bytes = max_write_bytes_;
  // curl --data-binary, as VictoriaMetrics documents the import, labels the
  // text application/x-www-form-urlencoded.
  route.form_fields = false;
  route.admit = [this](const HttpRequest& request) { return CheckToken(request); };
  route.on_refusal = [&counters](int status) { counters.CountAnswer(status); };
  return route;
}

std::optional<HttpResponse> WriteHandler::CheckToken(const HttpRequest& request) const {
  if (!token_.enabled()) {
    return Refuse(403, "writes are disabled: set api.write_token_file in the aggregator's config");
  }
  if (!token_.Matches(request.Header("authorization"))) {
    HttpResponse response = Refuse(401, "a valid \"Authorization: Bearer <token>\" is required");
    response.headers.emplace_back("WWW-Authenticate", "Bearer");
    return response;
  }
  return std::nullopt;
}

std::optional<HttpResponse> WriteHandler::Admit(const HttpRequest& request) const {
  if (auto refused = CheckToken(request)) return refused;
  // The listener refused bodies over its limit before reading them; this
  // holds the write paths' own limit should the listener's be larger.
  if (request.body.size() > max_write_bytes_) {
    return Refuse(413, "body of " + std::to_string(request.body.size()) +
                           " bytes is over api.max_write_bytes (" +
                           std::to_string(max_write_bytes_) + ")");
  }
  return std::nullopt;
}

HttpResponse WriteHandler::HandleRemoteWrite(const HttpRequest& request) {
  WritePathCounters& counters = counters_->remote_write;
  if (auto refused = Admit(request)) return Counted(std::move(*refused), counters);
  // Remote write 1.0 sends exactly these; 2.0 is told apart by a proto=
  // parameter (io.prometheus.write.v2.Request), which 1.0 receivers refuse.
  const std::string& content_type = request.Header("content-type");
  const bool v1 = content_type.find("proto=") == std::string::npos ||
                  content_type.find("proto=prometheus.WriteRequest") != std::string::npos;
  if (MediaType(content_type) != "application/x-protobuf" || !v1 ||
      !EqualsIgnoringCase(request.Header("content-encoding"), "snappy")) {
    return Counted(Refuse(415,
                          "remote write needs Content-Type: application/x-protobuf "
                          "(prometheus.WriteRequest) and Content-Encoding: snappy"),
                   counters);
  }
  Result<std::vector<SeriesSamples>> series = DecodeRemoteWrite(request.body, max_write_bytes_);
  if (!series.ok()) return Counted(Malformed(series.status()), counters);
  return Counted(Store(std::move(*series), clock_->NowUnixMs(), kRemoteWritePath, counters),
                 counters);
}

HttpResponse WriteHandler::HandleTextImport(const HttpRequest& request) {
  WritePathCounters& counters = counters_->text_import;
  if (auto refused = Admit(request)) return Counted(std::move(*refused), counters);
  const std::string& encoding = request.Header("content-encoding");
  if (!encoding.empty() && !EqualsIgnoringCase(encoding, "identity")) {
    return Counted(Refuse(415, "the text import takes uncompressed text; Content-Encoding " +
                                   encoding + " is not supported"),
                   counters);
  }
  const int64_t now_ms = clock_->NowUnixMs();
  Result<std::vector<SeriesSamples>> series = ParsePromText(request.body, now_ms);
  if (!series.ok()) return Counted(Malformed(series.status()), counters);
  return Counted(Store(std::move(*series), now_ms, kTextImportPath, counters), counters);
}

HttpResponse WriteHandler::Store(std::vector<SeriesSamples> series, int64_t now_ms,
                                 const char* path, WritePathCounters& counters) {
  const RefusedSamples refused = PlaceInTime(series, 0, now_ms + max_future_ms_);
  std::erase_if(series, [](const SeriesSamples& one) { return one.values.empty(); });
  Result<StoredBatch> stored = store_->Write(series);
  if (!stored.ok()) {
    LogError("write", std::string(path) + ": " + stored.status().ToString());
    return Refuse(503, "storage could not store the request (" + stored.status().ToString() +
                           "); retry later");
  }
  counters.samples_stored += stored->samples_stored;
  counters.samples_overwritten += stored->samples_overwritten;
  counters.samples_refused_before_2000 += refused.before_2000;
  counters.samples_refused_too_far_in_future += refused.too_far_in_future;
  if (refused.total() > 0) {
    // Not an error for the sender, which must not retry: a warning here.
    std::lock_guard<std::mutex> lock(log_mutex_);
    if (refused_log_.Allow(clock_->NowMonotonicMs())) {
      LogWarning(
          "write",
          std::string(path) + ": " + std::to_string(refused.total()) +
              " samples refused for their time (" + std::to_string(refused.before_2000) +
              " before 2000, " + std::to_string(refused.too_far_in_future) +
              " too far in the future; see wattline_write_samples_refused_total)" +
              (refused_log_.suppressed() > 0
                   ? "; " + std::to_string(refused_log_.suppressed()) + " such requests not logged"
                   : ""));
    }
  }
  HttpResponse response;
  response.status = 204;
  return response;
}

}  // namespace wattline::aggregator
