#include "tests/promql/answer_compare.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <vector>

namespace wattline::testing {
namespace {

using nlohmann::json;

constexpr double kRelativeTolerance = 1e-9;

// Labels in the Prometheus notation, sorted by name (json objects are).
std::string LabelsText(const json& metric) {
  std::string out = "{";
  for (auto it = metric.begin(); it != metric.end(); ++it) {
    if (out.size() > 1) out += ",";
    out += it.key() + "=" + it.value().dump();
  }
  return out + "}";
}

// A JSON timestamp (seconds, maybe fractional) as whole milliseconds.
long long TimestampMs(const json& seconds) {
  return seconds.is_number() ? std::llround(seconds.get<double>() * 1000) : -1;
}

std::string TimestampText(const json& seconds) { return seconds.dump(); }

// Compares two [timestamp, "value"] pairs.
std::string ComparePoint(const json& reference, const json& ours, const std::string& what) {
  if (!reference.is_array() || reference.size() != 2 || !ours.is_array() || ours.size() != 2 ||
      !reference[1].is_string() || !ours[1].is_string()) {
    return what + ": malformed point " + reference.dump() + " vs " + ours.dump();
  }
  if (TimestampMs(reference[0]) != TimestampMs(ours[0])) {
    return what + ": timestamp " + TimestampText(reference[0]) + " vs " + TimestampText(ours[0]);
  }
  if (!ValuesAgree(reference[1].get<std::string>(), ours[1].get<std::string>())) {
    return what + " at " + TimestampText(reference[0]) + ": " + reference[1].get<std::string>() +
           " vs " + ours[1].get<std::string>();
  }
  return "";
}

struct Series {
  std::string labels;
  const json* data;  // "value" of a vector's sample, "values" of a matrix's series
};

std::vector<Series> SeriesOf(const json& result, const char* field) {
  std::vector<Series> out;
  for (const json& item : result) {
    out.push_back({LabelsText(item.value("metric", json::object())), &item[field]});
  }
  return out;
}

std::string CompareSeriesData(const Series& reference, const Series& ours, bool matrix) {
  if (!matrix) return ComparePoint(*reference.data, *ours.data, "value of " + reference.labels);
  const json& a = *reference.data;
  const json& b = *ours.data;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    std::string difference =
        ComparePoint(a[i], b[i], "point " + std::to_string(i) + " of " + reference.labels);
    if (!difference.empty()) return difference;
  }
  if (a.size() != b.size()) {
    return reference.labels + ": " + std::to_string(a.size()) + " vs " + std::to_string(b.size()) +
           " points, first extra at " +
           TimestampText(a.size() > b.size() ? a[b.size()][0] : b[a.size()][0]);
  }
  return "";
}

std::string CompareSeriesLists(const json& reference, const json& ours, bool matrix, bool ordered) {
  const char* field = matrix ? "values" : "value";
  std::vector<Series> a = SeriesOf(reference, field);
  std::vector<Series> b = SeriesOf(ours, field);
  if (ordered) {
    for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
      if (a[i].labels != b[i].labels) {
        return "order: series " + std::to_string(i) + " is " + a[i].labels + " vs " + b[i].labels;
      }
    }
  }
  std::map<std::string, const Series*> by_labels;
  for (const Series& series : b) by_labels.emplace(series.labels, &series);
  std::map<std::string, const Series*> reference_by_labels;
  for (const Series& series : a) reference_by_labels.emplace(series.labels, &series);
  if (by_labels.size() != b.size()) return "our answer has a series twice";
  for (const Series& series : a) {
    if (!by_labels.contains(series.labels)) {
      return std::to_string(a.size()) + " vs " + std::to_string(b.size()) + " series; ours lacks " +
             series.labels;
    }
  }
  for (const Series& series : b) {
    if (!reference_by_labels.contains(series.labels)) {
      return std::to_string(a.size()) + " vs " + std::to_string(b.size()) +
             " series; ours has extra " + series.labels;
    }
  }
  for (const Series& series : a) {
    std::string difference = CompareSeriesData(series, *by_labels[series.labels], matrix);
    if (!difference.empty()) return difference;
  }
  return "";
}

}  // namespace

bool ValuesAgree(const std::string& reference, const std::string& ours) {
  if (reference == ours) return true;
  char* end_a = nullptr;
  char* end_b = nullptr;
  const double a = std::strtod(reference.c_str(), &end_a);
  const double b = std::strtod(ours.c_str(), &end_b);
  if (*end_a != '\0' || *end_b != '\0' || reference.empty() || ours.empty()) return false;
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  if (a == b) return true;
  if (std::isinf(a) || std::isinf(b)) return false;
  return std::abs(a - b) <= kRelativeTolerance * std::max(std::abs(a), std::abs(b));
}

bool OutermostIsSort(std::string_view query) {
  auto trim = [](std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
      text.remove_prefix(1);
    }
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
      text.remove_suffix(1);
    }
    return text;
  };
  query = trim(query);
  // Parentheses around the whole expression do not change its order.
  while (query.size() >= 2 && query.front() == '(' && query.back() == ')') {
    query = trim(query.substr(1, query.size() - 2));
  }
  for (std::string_view name : {"sort_desc", "sort"}) {
    if (!query.starts_with(name)) continue;
    std::string_view rest = trim(query.substr(name.size()));
    if (rest.empty() || rest.front() != '(') return false;
    // The call must end the query: its closing parenthesis is the last
    // character (strings may hold parentheses).
    int depth = 0;
    char quote = 0;
    for (size_t i = 0; i < rest.size(); ++i) {
      const char c = rest[i];
      if (quote != 0) {
        if (c == '\\') {
          ++i;
        } else if (c == quote) {
          quote = 0;
        }
      } else if (c == '"' || c == '\'' || c == '`') {
        quote = c;
      } else if (c == '(') {
        ++depth;
      } else if (c == ')' && --depth == 0) {
        return i + 1 == rest.size();
      }
    }
    return false;
  }
  return false;
}

std::string CompareAnswers(const ApiAnswer& reference, const ApiAnswer& ours, bool ordered) {
  if (reference.http_status == 0) return "Prometheus did not answer";
  if (ours.http_status == 0) return "the aggregator did not answer";
  const json a = json::parse(reference.body, nullptr, false);
  const json b = json::parse(ours.body, nullptr, false);
  if (a.is_discarded() || !a.is_object()) return "Prometheus's answer is not JSON";
  if (b.is_discarded() || !b.is_object()) {
    return "our answer (HTTP " + std::to_string(ours.http_status) +
           ") is not JSON: " + ours.body.substr(0, 120);
  }
  const std::string status_a = a.value("status", "");
  const std::string status_b = b.value("status", "");
  if (status_a == "error" || status_b == "error") {
    const std::string type_a = status_a == "error" ? a.value("errorType", "") : "success";
    const std::string type_b = status_b == "error" ? b.value("errorType", "") : "success";
    if (type_a == type_b) return "";
    std::string why = status_a == "error" ? a.value("error", "") : b.value("error", "");
    return "status " + type_a + " vs " + type_b + " (" + why.substr(0, 120) + ")";
  }
  const json& data_a = a["data"];
  const json& data_b = b["data"];
  const std::string type_a = data_a.value("resultType", "");
  const std::string type_b = data_b.value("resultType", "");
  if (type_a != type_b) return "resultType " + type_a + " vs " + type_b;
  const json& result_a = data_a["result"];
  const json& result_b = data_b["result"];
  if (type_a == "scalar" || type_a == "string") {
    return ComparePoint(result_a, result_b, type_a);
  }
  if (type_a == "vector" || type_a == "matrix") {
    if (!result_a.is_array() || !result_b.is_array()) return "result is not a list";
    return CompareSeriesLists(result_a, result_b, type_a == "matrix", ordered);
  }
  return "unknown resultType " + type_a;
}

}  // namespace wattline::testing
