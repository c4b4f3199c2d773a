#include "aggregator/api/prom_json.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <variant>

#include "aggregator/query/number.h"

namespace wattline::aggregator {
namespace {

using Json = nlohmann::ordered_json;

Json MetricJson(const Labels& labels) {
  Json metric = Json::object();
  for (const Label& label : labels) metric[label.name] = label.value;
  return metric;
}

// Whole seconds as an integer ("1700000000"), otherwise seconds with the
// milliseconds as decimals ("1700000000.123"): ms / 1000.0 is the double
// nearest that decimal, and the shortest form of that double is the decimal.
Json TimestampJson(int64_t ms) {
  if (ms % 1000 == 0) return Json(ms / 1000);
  return Json(static_cast<double>(ms) / 1000.0);
}

Json PointJson(int64_t ms, double value) {
  return Json::array({TimestampJson(ms), FormatSampleValue(value)});
}

std::string Dump(const Json& json) {
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string SuccessEnvelope(std::string_view result_type, Json result) {
  Json data = Json::object();
  data["resultType"] = result_type;
  data["result"] = std::move(result);
  Json envelope = Json::object();
  envelope["status"] = "success";
  envelope["data"] = std::move(data);
  return Dump(envelope);
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
  Json result = Json::array();
  for (const Sample& sample : vector) {
    Json element = Json::object();
    element["metric"] = MetricJson(sample.metric);
    element["value"] = PointJson(sample.timestamp_ms, sample.value);
    result.push_back(std::move(element));
  }
  return SuccessEnvelope("vector", std::move(result));
}

std::string EncodeMatrixResult(const Matrix& matrix) {
  Json result = Json::array();
  for (const Series& series : matrix) {
    Json values = Json::array();
    for (const SamplePoint& point : series.points) {
      values.push_back(PointJson(point.timestamp_ms, point.value));
    }
    Json element = Json::object();
    element["metric"] = MetricJson(series.metric);
    element["values"] = std::move(values);
    result.push_back(std::move(element));
  }
  return SuccessEnvelope("matrix", std::move(result));
}

std::string EncodeScalarResult(const Scalar& scalar) {
  return SuccessEnvelope("scalar", PointJson(scalar.timestamp_ms, scalar.value));
}

std::string EncodeStringResult(const StringValue& string) {
  return SuccessEnvelope("string", Json::array({TimestampJson(string.timestamp_ms), string.value}));
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

std::string FormatSampleValue(double value) { return FormatGoFloat(value); }

}  // namespace wattline::aggregator
