// Prometheus's query endpoints, for Grafana's Prometheus data source:
//
//   GET|POST /api/v1/query        query, time (default: now), timeout
//   GET|POST /api/v1/query_range  query, start, end, step, timeout
//
// Parameters are read from HttpRequest::params, where the HTTP adapter puts
// both the URL query and an application/x-www-form-urlencoded body. They are
// checked in Prometheus's order and refused with its texts (time_param.h),
// e.g. bad_data `invalid parameter "start": cannot parse "x" to a valid
// timestamp`. The query language is what parser.h accepts; evaluation is
// engine.h's. Responses are application/json in the shape of prom_json.h,
// with Prometheus's status codes:
//   200 success; 400 bad_data (parameters, parse errors, more than 11,000
//   points per series); 422 execution (too many samples); 503 timeout;
//   500 internal (storage failed).
// Parameters Prometheus also knows (stats, limit, lookback_delta) are
// ignored.
#ifndef WATTLINE_AGGREGATOR_API_QUERY_API_H_
#define WATTLINE_AGGREGATOR_API_QUERY_API_H_

#include "aggregator/http/http_types.h"
#include "aggregator/query/engine.h"
#include "aggregator/query/parsed_query_cache.h"
#include "aggregator/storage/series_reader.h"
#include "common/clock.h"

namespace wattline::aggregator {

// Prometheus's cap on a range query's resolution.
inline constexpr int64_t kMaxPointsPerSeries = 11'000;

class QueryApi {
 public:
  // `reader` and `clock` must outlive the QueryApi; the clock gives the
  // default evaluation time and measures timeouts. Thread-safe if `reader`
  // is: handlers keep no state between requests but the parsed queries
  // (parsed_query_cache.h).
  QueryApi(SeriesReader* reader, const Clock* clock, QueryLimits limits = {});

  QueryApi(const QueryApi&) = delete;
  QueryApi& operator=(const QueryApi&) = delete;

  // /api/v1/query: an instant query, answered with a "vector" result.
  HttpResponse HandleQuery(const HttpRequest& request) const;

  // /api/v1/query_range: a range query, answered with a "matrix" result.
  HttpResponse HandleQueryRange(const HttpRequest& request) const;

 private:
  const Clock* const clock_;
  const Engine engine_;
  mutable ParsedQueryCache parsed_;
};

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_API_QUERY_API_H_
