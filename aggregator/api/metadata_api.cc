#include "aggregator/api/metadata_api.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aggregator/api/api_response.h"
#include "aggregator/api/metric_catalog.h"
#include "aggregator/api/prom_json.h"
#include "aggregator/query/lexer.h"
#include "aggregator/query/parser.h"
#include "aggregator/query/quote.h"
#include "aggregator/query/time_param.h"
#include "common/labels.h"
#include "common/version.h"

namespace wattline::aggregator {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::string_view kTruncated = "results truncated due to limit";

HttpResponse Success(const Json& data, const std::vector<std::string>& warnings = {}) {
  return SuccessResponse(data.dump(-1, ' ', false, Json::error_handler_t::replace), warnings);
}

// start and end, as Prometheus's parseTimeParam reads them; absent, the
// range is unbounded on that side.
struct TimeRange {
  int64_t start_ms = std::numeric_limits<int64_t>::min();
  int64_t end_ms = std::numeric_limits<int64_t>::max();
  bool bounded = false;
};

std::optional<HttpResponse> ParseTimeRange(const HttpRequest& request, TimeRange* range) {
  for (const auto& [name, field] :
       {std::pair{"start", &range->start_ms}, std::pair{"end", &range->end_ms}}) {
    const std::string& text = request.Param(name);
    if (text.empty()) continue;
    Result<int64_t> time = ParseTimeParam(text);
    // 2.42's text; later versions write "invalid time value".
    if (!time.ok()) {
      return InvalidParam(
          name, "Invalid time value for '" + std::string(name) + "': " + time.status().message());
    }
    *field = *time;
    range->bounded = true;
  }
  return std::nullopt;
}

// `limit` as Prometheus's later versions read it (strconv.Atoi; 0 means
// none). Sets SIZE_MAX for no limit.
std::optional<HttpResponse> ParseLimit(const HttpRequest& request, size_t* limit) {
  *limit = std::numeric_limits<size_t>::max();
  const std::string& text = request.Param("limit");
  if (text.empty()) return std::nullopt;
  std::string_view digits = text;
  if (digits.size() > 1 && digits.front() == '+') digits.remove_prefix(1);
  int64_t value = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error == std::errc::result_out_of_range) {
    return InvalidParam("limit", "strconv.Atoi: parsing " + Quote(text) + ": value out of range");
  }
  if (error != std::errc() || end != digits.data() + digits.size()) {
    return InvalidParam("limit", "strconv.Atoi: parsing " + Quote(text) + ": invalid syntax");
  }
  if (value < 0) return InvalidParam("limit", "limit must be non-negative");
  if (value > 0) *limit = static_cast<size_t>(value);
  return std::nullopt;
}

// "line:column" of byte `pos` of `text`, both from 1, as parse errors
// give positions.
std::string LineColumn(std::string_view text, size_t pos) {
  const std::string_view before = text.substr(0, pos);
  const size_t line = 1 + static_cast<size_t>(std::count(before.begin(), before.end(), '\n'));
  const size_t line_start =
      before.rfind('\n') == std::string_view::npos ? 0 : before.rfind('\n') + 1;
  return std::to_string(line) + ":" + std::to_string(pos - line_start + 1);
}

// Prometheus parses match[] with its grammar's metric-selector start,
// `[metric_identifier] [{matchers}]`, and names the first token past it.
// Returns that token when `text` lexes but is something else ("sum(x)",
// "x[5m]", "x offset 5m"); nullopt when it has the selector's shape (its
// matchers are then checked by ParseExpr) or does not lex (ParseExpr
// reports the lexer's error).
std::optional<Token> TokenPastSelector(std::string_view text) {
  Lexer lexer(text);
  auto next = [&lexer] {
    Token token = lexer.Next();
    while (token.type == TokenType::kComment) token = lexer.Next();
    return token;
  };
  // Past the matchers to the token after '}'; kEof or kError when unclosed.
  auto past_braces = [&next] {
    Token token = next();
    while (token.type != TokenType::kRightBrace && token.type != TokenType::kEof &&
           token.type != TokenType::kError) {
      token = next();
    }
    return token.type == TokenType::kRightBrace ? next() : token;
  };
  Token token = next();
  // A metric name may be a keyword ("sum", "offset"), as in the grammar.
  const bool name = token.type != TokenType::kString && token.type != TokenType::kNumber &&
                    token.type != TokenType::kDuration && IsValidMetricName(token.text);
  if (name) token = next();
  if (token.type == TokenType::kLeftBrace) token = past_braces();
  if (token.type == TokenType::kEof || token.type == TokenType::kError) return std::nullopt;
  return token;
}

// Each match[] as a series selector, refused with Prometheus's texts.
Result<std::vector<LabelMatchers>> ParseMatchSets(const std::vector<std::string>& selectors) {
  std::vector<LabelMatchers> sets;
  for (const std::string& text : selectors) {
    if (std::optional<Token> past = TokenPastSelector(text)) {
      return Status::InvalidArgument(LineColumn(text, past->pos) + ": parse error: unexpected " +
                                     DescribeToken(*past));
    }
    Result<std::unique_ptr<Expr>> expr = ParseExpr(text);
    if (!expr.ok()) {
      // ParseExpr checks for a non-empty matcher as Prometheus's ParseExpr
      // does; Prometheus checks match[] after parsing, in its own words.
      if (expr.status().message().ends_with(
              "vector selector must contain at least one non-empty matcher")) {
        return Status::InvalidArgument("match[] must contain at least one non-empty matcher");
      }
      return expr.status();
    }
    if ((*expr)->kind != Expr::Kind::kVectorSelector) {
      return Status::Internal("not a series selector: " + Quote(text));  // TokenPastSelector
    }
    sets.push_back(static_cast<const VectorSelector&>(**expr).matchers);
  }
  return sets;
}

// The series selected by any of `sets` (all series without sets), ordered
// by labels, with a sample in `range` when it is bounded.
Result<std::vector<SeriesRef>> SelectSeries(SeriesReader& reader,
                                            const std::vector<LabelMatchers>& sets,
                                            const TimeRange& range) {
  std::vector<SeriesRef> series;
  if (sets.empty()) {
    Result<std::vector<SeriesRef>> all = reader.Select({});
    if (!all.ok()) return all.status();
    series = std::move(*all);
  } else {
    std::map<SeriesId, SeriesRef> by_id;
    for (const LabelMatchers& matchers : sets) {
      Result<std::vector<SeriesRef>> selected = reader.Select(matchers);
      if (!selected.ok()) return selected.status();
      for (SeriesRef& ref : *selected) by_id.try_emplace(ref.id, std::move(ref));
    }
    for (auto& [id, ref] : by_id) series.push_back(std::move(ref));
    std::sort(series.begin(), series.end(),
              [](const SeriesRef& a, const SeriesRef& b) { return a.labels < b.labels; });
  }
  if (!range.bounded) return series;
  std::vector<SeriesRef> in_range;
  for (SeriesRef& ref : series) {
    Result<bool> has = reader.HasSamples(ref.id, range.start_ms, range.end_ms);
    if (!has.ok()) return has.status();
    if (*has) in_range.push_back(std::move(ref));
  }
  return in_range;
}

// A sorted list cut to `limit`, with Prometheus's warning when it was cut.
HttpResponse LimitedList(const std::set<std::string>& items, size_t limit) {
  Json data = Json::array();
  for (const std::string& item : items) {
    if (data.size() == limit) break;
    data.push_back(item);
  }
  std::vector<std::string> warnings;
  if (items.size() > limit) warnings.emplace_back(kTruncated);
  return Success(std::move(data), warnings);
}

// The parameters labels and label values share, in Prometheus's order.
struct LabelQuery {
  TimeRange range;
  std::vector<LabelMatchers> sets;
  size_t limit = 0;
};

std::optional<HttpResponse> ParseLabelQuery(const HttpRequest& request, LabelQuery* query) {
  if (auto error = ParseTimeRange(request, &query->range)) return error;
  Result<std::vector<LabelMatchers>> sets = ParseMatchSets(request.Params("match[]"));
  // Not wrapped as an invalid parameter here, unlike /series: as 2.42.
  if (!sets.ok()) return ErrorResponse(ApiErrorType::kBadData, sets.status().message());
  query->sets = std::move(*sets);
  return ParseLimit(request, &query->limit);
}

HttpResponse StorageError(const Status& status) {
  return ErrorResponse(ApiErrorType::kExecution, status.message());
}

}  // namespace

MetadataApi::MetadataApi(SeriesReader* reader) : reader_(reader) {}

HttpResponse MetadataApi::HandleLabels(const HttpRequest& request) const {
  LabelQuery query;
  if (auto error = ParseLabelQuery(request, &query)) return std::move(*error);
  Result<std::vector<SeriesRef>> series = SelectSeries(*reader_, query.sets, query.range);
  if (!series.ok()) return StorageError(series.status());
  std::set<std::string> names;
  for (const SeriesRef& ref : *series) {
    for (const Label& label : ref.labels) names.insert(label.name);
  }
  return LimitedList(names, query.limit);
}

HttpResponse MetadataApi::HandleLabelValues(const HttpRequest& request) const {
  // /api/v1/label/<name>/values, one path segment for the name, as
  // Prometheus's router matches it.
  constexpr std::string_view kSuffix = "/values";
  std::string_view path = request.path;
  if (!path.starts_with(kLabelValuesPrefix) || !path.ends_with(kSuffix)) {
    return HandleUnknownPath(request);
  }
  path.remove_prefix(std::string_view(kLabelValuesPrefix).size());
  if (path.size() < kSuffix.size()) return HandleUnknownPath(request);
  const std::string_view name = path.substr(0, path.size() - kSuffix.size());
  if (name.empty() || name.find('/') != std::string_view::npos) return HandleUnknownPath(request);
  if (!IsValidLabelName(name)) {
    return ErrorResponse(ApiErrorType::kBadData, "invalid label name: " + Quote(name));
  }
  LabelQuery query;
  if (auto error = ParseLabelQuery(request, &query)) return std::move(*error);
  Result<std::vector<SeriesRef>> series = SelectSeries(*reader_, query.sets, query.range);
  if (!series.ok()) return StorageError(series.status());
  std::set<std::string> values;
  for (const SeriesRef& ref : *series) {
    // A series without the label has no value for it ("" is no value).
    if (std::string_view value = LabelValue(ref.labels, name); !value.empty()) {
      values.emplace(value);
    }
  }
  return LimitedList(values, query.limit);
}

HttpResponse MetadataApi::HandleSeries(const HttpRequest& request) const {
  const std::vector<std::string> selectors = request.Params("match[]");
  if (selectors.empty()) {
    return ErrorResponse(ApiErrorType::kBadData, "no match[] parameter provided");
  }
  TimeRange range;
  if (auto error = ParseTimeRange(request, &range)) return std::move(*error);
  Result<std::vector<LabelMatchers>> sets = ParseMatchSets(selectors);
  if (!sets.ok()) return InvalidParam("match[]", sets.status().message());
  size_t limit = 0;
  if (auto error = ParseLimit(request, &limit)) return std::move(*error);
  Result<std::vector<SeriesRef>> series = SelectSeries(*reader_, *sets, range);
  if (!series.ok()) return StorageError(series.status());
  Json data = Json::array();
  for (const SeriesRef& ref : *series) {
    if (data.size() == limit) break;
    Json labels = Json::object();
    for (const Label& label : ref.labels) labels[label.name] = label.value;
    data.push_back(std::move(labels));
  }
  std::vector<std::string> warnings;
  if (series->size() > limit) warnings.emplace_back(kTruncated);
  return Success(std::move(data), warnings);
}

HttpResponse MetadataApi::HandleMetadata(const HttpRequest& request) const {
  // 2.42's own `limit`: any integer, negative for none.
  int64_t limit = -1;
  if (const std::string& text = request.Param("limit"); !text.empty()) {
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), limit);
    if (error != std::errc() || end != text.data() + text.size()) {
      return ErrorResponse(ApiErrorType::kBadData, "limit must be a number");
    }
  }
  const std::string& metric = request.Param("metric");
  LabelMatchers matchers;
  if (!metric.empty()) {
    Result<LabelMatcher> by_name =
        LabelMatcher::Make(LabelMatcher::Type::kEqual, std::string(kMetricNameLabel), metric);
    if (!by_name.ok()) return StorageError(by_name.status());
    matchers.push_back(std::move(*by_name));
  }
  Result<std::vector<SeriesRef>> series = reader_->Select(matchers);
  if (!series.ok()) return StorageError(series.status());
  std::set<std::string> names;
  for (const SeriesRef& ref : *series) names.emplace(MetricName(ref.labels));
  Json data = Json::object();
  for (const std::string& name : names) {
    if (limit >= 0 && data.size() >= static_cast<uint64_t>(limit)) break;
    const MetricMetadata described = DescribeMetric(name);
    Json entry = Json::object();
    entry["type"] = described.type;
    entry["help"] = described.help;
    entry["unit"] = described.unit;
    data[name] = Json::array();
    data[name].push_back(std::move(entry));
  }
  return Success(std::move(data));
}

HttpResponse MetadataApi::HandleBuildInfo(const HttpRequest&) {
  // Prometheus's keys. The version is the API's (kPrometheusCompatibleVersion);
  // Wattline's own goes in revision, and Go has no part in it.
  Json data = Json::object();
  data["version"] = kPrometheusCompatibleVersion;
  data["revision"] = std::string("wattline-") + kVersion;
  data["branch"] = "";
  data["buildUser"] = "";
  data["buildDate"] = "";
  data["goVersion"] = "";
  return Success(std::move(data));
}

HttpResponse MetadataApi::HandleQueryExemplars(const HttpRequest& request) {
  // Wattline stores no exemplars; the parameters are still checked, as 2.42
  // checks them.
  TimeRange range;
  if (auto error = ParseTimeRange(request, &range)) return std::move(*error);
  if (range.end_ms < range.start_ms) {
    return ErrorResponse(ApiErrorType::kBadData,
                         "end timestamp must not be before start timestamp");
  }
  Result<std::unique_ptr<Expr>> expr = ParseExpr(request.Param("query"));
  if (!expr.ok()) return ErrorResponse(ApiErrorType::kBadData, expr.status().message());
  return Success(Json::array());
}

HttpResponse MetadataApi::HandleUnknownPath(const HttpRequest&) {
  // Go's http.NotFound.
  HttpResponse response;
  response.status = 404;
  response.body = "404 page not found\n";
  return response;
}

HttpResponse MetadataApi::HandleMethodNotAllowed(const HttpRequest&) {
  // Prometheus's router (httprouter) for a path it has for other methods.
  HttpResponse response;
  response.status = 405;
  response.body = "Method Not Allowed\n";
  return response;
}

}  // namespace wattline::aggregator
