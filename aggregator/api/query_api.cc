#include "aggregator/api/query_api.h"

#include <optional>
#include <string>
#include <utility>

#include "aggregator/api/api_response.h"
#include "aggregator/api/prom_json.h"
#include "aggregator/query/time_param.h"

namespace wattline::aggregator {
namespace {

// A few dashboards' panels: 10 dashboards of 25 queries, at most 4 KB each.
constexpr size_t kParsedQueriesKept = 256;

// The engine's codes, as engine.h assigns them.
HttpResponse EngineError(const Status& status) {
  switch (status.code()) {
    case Status::Code::kInvalidArgument:
      return ErrorResponse(ApiErrorType::kBadData, status.message());
    case Status::Code::kResourceExhausted:
    case Status::Code::kFailedPrecondition:
      return ErrorResponse(ApiErrorType::kExecution, status.message());
    case Status::Code::kUnavailable:
      return ErrorResponse(ApiErrorType::kTimeout, status.message());
    default:
      return ErrorResponse(ApiErrorType::kInternal, status.message());
  }
}

// The optional `timeout` parameter. Sets *error on a bad value.
std::optional<int64_t> TimeoutParam(const HttpRequest& request,
                                    std::optional<HttpResponse>* error) {
  const std::string& text = request.Param("timeout");
  if (text.empty()) return std::nullopt;
  Result<int64_t> timeout = ParseDurationParam(text);
  if (!timeout.ok()) {
    *error = InvalidParam("timeout", timeout.status().message());
    return std::nullopt;
  }
  return *timeout;
}

}  // namespace

QueryApi::QueryApi(SeriesReader* reader, const Clock* clock, QueryLimits limits)
    : clock_(clock), engine_(reader, clock, limits), parsed_(kParsedQueriesKept) {}

HttpResponse QueryApi::HandleQuery(const HttpRequest& request) const {
  int64_t time_ms = clock_->NowUnixMs();
  if (const std::string& text = request.Param("time"); !text.empty()) {
    Result<int64_t> time = ParseTimeParam(text);
    if (!time.ok()) {
      return InvalidParam("time", "invalid time value for 'time': " + time.status().message());
    }
    time_ms = *time;
  }
  std::optional<HttpResponse> error;
  const std::optional<int64_t> timeout_ms = TimeoutParam(request, &error);
  if (error) return std::move(*error);

  Result<std::shared_ptr<const Expr>> expr = parsed_.Parse(request.Param("query"));
  if (!expr.ok()) return InvalidParam("query", expr.status().message());

  Result<QueryValue> value = engine_.Instant(**expr, time_ms, timeout_ms);
  if (!value.ok()) return EngineError(value.status());
  return JsonResponse(200, EncodeQueryValue(*value));
}

HttpResponse QueryApi::HandleQueryRange(const HttpRequest& request) const {
  Result<int64_t> start = ParseTimeParam(request.Param("start"));
  if (!start.ok()) return InvalidParam("start", start.status().message());
  Result<int64_t> end = ParseTimeParam(request.Param("end"));
  if (!end.ok()) return InvalidParam("end", end.status().message());
  if (*end < *start) return InvalidParam("end", "end timestamp must not be before start time");

  Result<int64_t> step = ParseDurationParam(request.Param("step"));
  if (!step.ok()) return InvalidParam("step", step.status().message());
  if (*step <= 0) {
    return InvalidParam(
        "step",
        "zero or negative query resolution step widths are not accepted. Try a positive integer");
  }
  // For safety, as Prometheus: enough for 60s resolution over a week or 1h
  // over a year. Unsigned, since end - start may not fit in int64.
  const uint64_t span = static_cast<uint64_t>(*end) - static_cast<uint64_t>(*start);
  if (span / static_cast<uint64_t>(*step) > static_cast<uint64_t>(kMaxPointsPerSeries)) {
    return ErrorResponse(ApiErrorType::kBadData,
                         "exceeded maximum resolution of 11,000 points per timeseries. Try "
                         "decreasing the query resolution (?step=XX)");
  }
  std::optional<HttpResponse> error;
  const std::optional<int64_t> timeout_ms = TimeoutParam(request, &error);
  if (error) return std::move(*error);

  Result<std::shared_ptr<const Expr>> expr = parsed_.Parse(request.Param("query"));
  if (!expr.ok()) return InvalidParam("query", expr.status().message());

  Result<Matrix> matrix = engine_.Range(**expr, *start, *end, *step, timeout_ms);
  if (!matrix.ok()) return EngineError(matrix.status());
  return JsonResponse(200, EncodeMatrixResult(*matrix));
}

}  // namespace wattline::aggregator
