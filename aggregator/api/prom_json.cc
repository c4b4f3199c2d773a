#include "aggregator/api/prom_json.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <variant>

#include "aggregator/query/number.h"

namespace wattline::aggregator {
namespace {

using Json = nlohmann::ordered_json;

std::string Dump(const Json& json) {
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// `text` as a JSON string. Label names, and most values, are printable
// ASCII without a quote or a backslash, which JSON takes as it is; any
// other text goes through nlohmann-json, which escapes it and replaces
// invalid UTF-8. (A JSON tree of the label set was a fifth of what a
// last-value request ran.)
void AppendJsonString(std::string_view text, std::string* out) {
  const bool verbatim = std::all_of(text.begin(), text.end(), [](char c) {
    return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
  });
  if (!verbatim) {
    *out += Dump(Json(text));
    return;
  }
  *out += '"';
  out->append(text);
  *out += '"';
}

// A label set as a JSON object, in the labels' order.
void AppendMetric(const Labels& labels, std::string* out) {
  *out += '{';
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) *out += ',';
    AppendJsonString(labels[i].name, out);
    *out += ':';
    AppendJsonString(labels[i].value, out);
  }
  *out += '}';
}

// Whole seconds as an integer ("1700000000"), otherwise seconds with the
// milliseconds as decimals ("1700000000.123"): ms / 1000.0 is the double
// nearest that decimal, and the shortest fixed form of that double is the
// decimal.
void AppendTimestamp(int64_t ms, std::string* out) {
  char buffer[64];
  const std::to_chars_result printed =
      ms % 1000 == 0 ? std::to_chars(buffer, buffer + sizeof(buffer), ms / 1000)
                     : std::to_chars(buffer, buffer + sizeof(buffer),
                                     static_cast<double>(ms) / 1000.0, std::chars_format::fixed);
  out->append(buffer, printed.ptr);
}

// [1700000000,"230.5"]: written directly, not through a JSON tree, since a
// range query's answer is mostly these (a tree node each cost a third of a
// 30-day query's time).
void AppendPoint(int64_t ms, double value, std::string* out) {
  *out += '[';
  AppendTimestamp(ms, out);
  *out += ",\"";
  AppendGoFloat(value, out);
  *out += "\"]";
}

// The success envelope around `result`, which is JSON already.
std::string SuccessEnvelope(std::string_view result_type, std::string_view result) {
  std::string out = R"({"status":"success","data":{"resultType":")";
  out += result_type;
  out += R"(","result":)";
  out += result;
  out += "}}";
  return out;
}

}  // namespace

std::string_view ApiErrorTypeName(ApiErrorType type) {
  switch (type) {
    case ApiErrorType::kBadData:
      return "bad_data";
    case ApiErrorType::kExecution:
      return "execution";
    case ApiErrorType::kTimeout:
      return "timeout";
    case ApiErrorType::kInternal:
      return "internal";
    case ApiErrorType::kUnavailable:
      return "unavailable";
    case ApiErrorType::kNotFound:
      return "not_found";
  }
  return "internal";
}

int ApiErrorHttpStatus(ApiErrorType type) {
  switch (type) {
    case ApiErrorType::kBadData:
      return 400;
    case ApiErrorType::kExecution:
      return 422;
    case ApiErrorType::kTimeout:
      return 503;
    case ApiErrorType::kInternal:
      return 500;
    case ApiErrorType::kUnavailable:
      return 503;
    case ApiErrorType::kNotFound:
      return 404;
  }
  return 500;
}

std::string EncodeVectorResult(const Vector& vector) {
  std::string result = "[";
  for (const Sample& sample : vector) {
    if (result.size() > 1) result += ',';
    result += R"({"metric":)";
    AppendMetric(sample.metric, &result);
    result += R"(,"value":)";
    AppendPoint(sample.timestamp_ms, sample.value, &result);
    result += '}';
  }
  result += ']';
  return SuccessEnvelope("vector", result);
}

std::string EncodeMatrixResult(const Matrix& matrix) {
  size_t points = 0;
  for (const Series& series : matrix) points += series.points.size();
  std::string result = "[";
  result.reserve(points * 28);  // a point is about 25 bytes
  for (const Series& series : matrix) {
    if (result.size() > 1) result += ',';
    result += R"({"metric":)";
    AppendMetric(series.metric, &result);
    result += R"(,"values":[)";
    for (size_t i = 0; i < series.points.size(); ++i) {
      if (i > 0) result += ',';
      AppendPoint(series.points[i].timestamp_ms, series.points[i].value, &result);
    }
    result += "]}";
  }
  result += ']';
  return SuccessEnvelope("matrix", result);
}

std::string EncodeScalarResult(const Scalar& scalar) {
  std::string result;
  AppendPoint(scalar.timestamp_ms, scalar.value, &result);
  return SuccessEnvelope("scalar", result);
}

std::string EncodeStringResult(const StringValue& string) {
  std::string result = "[";
  AppendTimestamp(string.timestamp_ms, &result);
  result += ',';
  AppendJsonString(string.value, &result);
  result += ']';
  return SuccessEnvelope("string", result);
}

std::string EncodeQueryValue(const QueryValue& value) {
  struct Encoder {
    std::string operator()(const Scalar& v) const { return EncodeScalarResult(v); }
    std::string operator()(const StringValue& v) const { return EncodeStringResult(v); }
    std::string operator()(const Vector& v) const { return EncodeVectorResult(v); }
    std::string operator()(const Matrix& v) const { return EncodeMatrixResult(v); }
  };
  return std::visit(Encoder{}, value);
}

std::string EncodeError(ApiErrorType type, std::string_view message) {
  Json envelope = Json::object();
  envelope["status"] = "error";
  envelope["errorType"] = ApiErrorTypeName(type);
  envelope["error"] = message;
  return Dump(envelope);
}

std::string EncodeSuccess(std::string_view data, const std::vector<std::string>& warnings) {
  std::string out = R"({"status":"success","data":)";
  out += data;
  if (!warnings.empty()) out += R"(,"warnings":)" + Dump(Json(warnings));
  out += "}";
  return out;
}

std::string FormatSampleValue(double value) { return FormatGoFloat(value); }

}  // namespace wattline::aggregator
