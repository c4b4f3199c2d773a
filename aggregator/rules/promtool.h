// For the tests that hold the rules against Prometheus's own
// (alert_template_promtool_test.cc, alert_timeline_promtool_test.cc):
// Debian's promtool, run as a command.
#ifndef WATTLINE_AGGREGATOR_RULES_PROMTOOL_H_
#define WATTLINE_AGGREGATOR_RULES_PROMTOOL_H_

#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "common/labels.h"

namespace wattline::aggregator {

inline constexpr const char* kPromtool = "/usr/bin/promtool";

// "" when promtool is installed; otherwise why not, for GTEST_SKIP().
inline std::string PromtoolMissing() {
  if (::access(kPromtool, X_OK) == 0) return "";
  return std::string(kPromtool) + " is not installed (Debian package prometheus)";
}

// Runs `promtool ARGS` in `dir`; its exit status, and its output (stdout
// and stderr) in `output`.
inline int RunPromtool(const std::string& dir, const std::string& args, std::string* output) {
  const std::string command = "cd '" + dir + "' && " + kPromtool + " " + args + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return -1;
  char buffer[4096];
  size_t n = 0;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) output->append(buffer, n);
  return pclose(pipe);
}

// A YAML double-quoted scalar: JSON's string syntax is one.
inline std::string YamlString(const std::string& text) { return nlohmann::json(text).dump(); }

// A series of `labels` as a test file's `series:` selector: m{a="1",b="2"}.
inline std::string SeriesSelector(const Labels& labels) {
  std::string out = std::string(MetricName(labels)) + "{";
  bool first = true;
  for (const Label& label : labels) {
    if (label.name == kMetricNameLabel) continue;
    out += (first ? "" : ",") + label.name + "=" + YamlString(label.value);
    first = false;
  }
  return out + "}";
}

// An alert's labels as a test file's `exp_labels:` map, without the metric
// name and alertname (promtool adds the latter).
inline std::string LabelsYaml(const Labels& labels) {
  std::string out = "{";
  for (const Label& label : labels) {
    if (label.name == kMetricNameLabel || label.name == "alertname") continue;
    out += (out.size() > 1 ? ", " : "") + label.name + ": " + YamlString(label.value);
  }
  return out + "}";
}

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_RULES_PROMTOOL_H_
