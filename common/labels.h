// Labels: the identity of a series, as in Prometheus. A metric name plus a
// label set; the metric name travels as the label "__name__".
#ifndef WATTLINE_COMMON_LABELS_H_
#define WATTLINE_COMMON_LABELS_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace wattline {

inline constexpr std::string_view kMetricNameLabel = "__name__";

struct Label {
  std::string name;
  std::string value;

  friend bool operator==(const Label&, const Label&) = default;
  friend auto operator<=>(const Label&, const Label&) = default;
};

// Kept sorted by name, names unique (see Canonicalize()).
using Labels = std::vector<Label>;

// Sorts by name. Fails on an empty or repeated name, a name outside
// [a-zA-Z_][a-zA-Z0-9_]*, or a missing/invalid metric name.
[[nodiscard]] Status Canonicalize(Labels& labels);

// Checks that `labels` is already canonical, without changing it.
[[nodiscard]] Status ValidateCanonical(const Labels& labels);

// The value of "__name__", or "" when absent.
std::string_view MetricName(const Labels& labels);

// The value of `name`, or "" when absent (Prometheus treats the two alike).
std::string_view LabelValue(const Labels& labels, std::string_view name);

// Sets label `name` to `value` in canonical `labels`, in its place by name;
// an empty value removes it (Prometheus treats the two alike).
void SetLabel(Labels& labels, std::string_view name, std::string value);

// Prometheus's text form: power_watts{device="panel",phase="a"}. Unique per
// label set, so it doubles as a map key.
std::string LabelsToString(const Labels& labels);

bool IsValidLabelName(std::string_view name);
bool IsValidMetricName(std::string_view name);

}  // namespace wattline

#endif  // WATTLINE_COMMON_LABELS_H_
