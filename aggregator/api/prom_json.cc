#include "aggregator/api/prom_json.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>

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

std::string EncodeError(ApiErrorType type, std::string_view message) {
  Json envelope = Json::object();
  envelope["status"] = "error";
  envelope["errorType"] = ApiErrorTypeName(type);
  envelope["error"] = message;
  return Dump(envelope);
}

std::string FormatSampleValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  // The shortest round-trip digits come from scientific form; they are laid
  // out in fixed form here, as Go does. (to_chars in fixed form would print
  // every digit of a large double's exact value instead: 1e23 as
  // 99999999999999991611392.)
  char buffer[64];
  const std::to_chars_result printed =
      std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::scientific);
  const std::string_view scientific(buffer, static_cast<size_t>(printed.ptr - buffer));
  const size_t e = scientific.find('e');
  std::string out;
  std::string digits;
  for (char c : scientific.substr(0, e)) {
    if (c == '-') {
      out += '-';
    } else if (c != '.') {
      digits += c;
    }
  }
  const int exponent = std::atoi(std::string(scientific.substr(e + 1)).c_str());
  const int point = exponent + 1;  // digits before the decimal point
  const int count = static_cast<int>(digits.size());
  if (point <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-point), '0');
    out += digits;
  } else if (point >= count) {
    out += digits;
    out.append(static_cast<size_t>(point - count), '0');
  } else {
    out += digits.substr(0, static_cast<size_t>(point));
    out += '.';
    out += digits.substr(static_cast<size_t>(point));
  }
  return out;
}

}  // namespace wattline::aggregator
