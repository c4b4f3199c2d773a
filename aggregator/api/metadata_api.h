// Prometheus's metadata endpoints, which Grafana's Prometheus data source
// reads for its metric browser, label filters and template variables, as
// Prometheus 2.42's web/api/v1/api.go answers them (docs/api.md):
//
//   GET|POST /api/v1/labels              start, end, match[]..., limit
//   GET      /api/v1/label/<name>/values start, end, match[]..., limit
//   GET|POST /api/v1/series              match[]... (required), start, end, limit
//   GET      /api/v1/metadata            metric, limit
//   GET      /api/v1/status/buildinfo
//   GET|POST /api/v1/query_exemplars     query, start, end: always []
//
// Parameters come from HttpRequest::params (the URL query and a form body);
// match[] may repeat, and the answers are the union over its selectors. A
// match[] is a series selector (`metric`, `metric{...}` or `{...}`), parsed
// by parser.h. Without start and end every stored series counts; with
// either, only series with a raw sample in [start, end]
// (SeriesReader::HasSamples; the missing end is unbounded).
//
// `limit` is from Prometheus's later versions (2.42 has none): at most that
// many entries, with the warning "results truncated due to limit" when
// there were more; 0 or none means no limit, a negative value is refused.
//
// Errors are Prometheus's JSON (prom_json.h) with its texts and codes, e.g.
//   400 bad_data  invalid label name: "1x"
//   400 bad_data  no match[] parameter provided
//   400 bad_data  invalid parameter "start": Invalid time value for 'start':
//                 cannot parse "x" to a valid timestamp
//   422 execution storage failures
//
// Thread-safety: thread-safe if the reader is; handlers keep no state.
#ifndef WATTLINE_AGGREGATOR_API_METADATA_API_H_
#define WATTLINE_AGGREGATOR_API_METADATA_API_H_

#include "aggregator/http/http_types.h"
#include "aggregator/storage/series_reader.h"

namespace wattline::aggregator {

// The prefix of label values' paths: /api/v1/label/<name>/values.
inline constexpr char kLabelValuesPrefix[] = "/api/v1/label/";

// The Prometheus version /api/v1/status/buildinfo reports. Grafana enables
// features by it (e.g. label queries with match[] from 2.24 on); the API
// follows 2.42's.
inline constexpr char kPrometheusCompatibleVersion[] = "2.42.0";

class MetadataApi {
 public:
  // `reader` must outlive the MetadataApi.
  explicit MetadataApi(SeriesReader* reader);

  MetadataApi(const MetadataApi&) = delete;
  MetadataApi& operator=(const MetadataApi&) = delete;

  // /api/v1/labels: label names, sorted.
  HttpResponse HandleLabels(const HttpRequest& request) const;
  // /api/v1/label/<name>/values, the name read from request.path: values,
  // sorted. A path of another shape is answered 404 as an unknown path.
  HttpResponse HandleLabelValues(const HttpRequest& request) const;
  // /api/v1/series: label sets, ordered by labels.
  HttpResponse HandleSeries(const HttpRequest& request) const;
  // /api/v1/metadata: {metric: [{type, help, unit}]} for every stored metric
  // name (metric_catalog.h).
  HttpResponse HandleMetadata(const HttpRequest& request) const;

  static HttpResponse HandleBuildInfo(const HttpRequest& request);
  static HttpResponse HandleQueryExemplars(const HttpRequest& request);
  // Any other path under /api/v1/: 404 "404 page not found", as
  // Prometheus's router answers.
  static HttpResponse HandleUnknownPath(const HttpRequest& request);
  // POST to a path Prometheus serves to GET only: 405 "Method Not Allowed".
  static HttpResponse HandleMethodNotAllowed(const HttpRequest& request);

 private:
  SeriesReader* const reader_;
};

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_API_METADATA_API_H_
