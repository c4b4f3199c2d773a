// The instant-vector functions' arithmetic: math, clamping, rounding and
// the calendar functions, per sample; label_replace and label_join, per
// series. The engine applies them to every sample of a vector and drops the
// metric name where Prometheus does.
//
// Thread-safety: pure functions.
#ifndef WATTLINE_AGGREGATOR_QUERY_INSTANT_FUNCTIONS_H_
#define WATTLINE_AGGREGATOR_QUERY_INSTANT_FUNCTIONS_H_

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/labels.h"
#include "common/status.h"

namespace re2 {
class RE2;
}  // namespace re2

namespace wattline::aggregator {

// A function of one sample's value: abs, ceil, ... and, with `scalars`,
// clamp (min, max), clamp_min, clamp_max, round (to_nearest, default 1).
// The calendar functions (day_of_month, hour, ...) take the value as Unix
// seconds, in UTC. `scalars` holds the call's scalar arguments at this step.
using ValueKernel = double (*)(double value, std::span<const double> scalars);

// The kernel of `name`, or nullptr when `name` is not a per-value function.
// clamp only clamps: the engine drops the whole vector when min > max, as
// Prometheus does. clamp_min and clamp_max follow Go's math.Max and math.Min
// (NaN wins over numbers, an infinity of the clamping side over NaN). The
// calendar functions read the value as time.Unix(int64(v), 0).UTC() does;
// where Go's int64(v) is undefined (NaN, infinities, beyond int64) or the
// year lies beyond about ±30000, they give NaN.
ValueKernel FindValueKernel(std::string_view name);

// label_replace(v, dst, replacement, src, regex) on one series' labels, as
// Prometheus: when the anchored regex matches src's value, dst is set to the
// expanded replacement ($1, ${name}), or removed when that is empty.
// Expansion is Go's Regexp.Expand: $$ is a literal $, a name is the longest
// run of letters, digits and underscores (so "$1x" names group "1x"), an
// unknown or unmatched group expands to "". As in 2.42, "." does not match
// a newline. Compiles the regex on every call: LabelReplacer compiles it
// once for many series.
// Errors: InvalidArgument "invalid regular expression in label_replace():
// ..." and "invalid destination label name in label_replace(): ...".
Result<Labels> LabelReplace(const Labels& labels, std::string_view dst,
                            std::string_view replacement, std::string_view src,
                            std::string_view regex);

// label_replace's arguments, checked and compiled once for all the series
// of a call. Thread-safety: immutable after Make(); Apply() may run on many
// threads at once.
class LabelReplacer {
 public:
  // Errors: as LabelReplace().
  static Result<LabelReplacer> Make(std::string_view dst, std::string_view replacement,
                                    std::string_view src, std::string_view regex);

  LabelReplacer(LabelReplacer&&) noexcept;
  LabelReplacer& operator=(LabelReplacer&&) noexcept;
  ~LabelReplacer();

  // One series' labels after label_replace.
  Labels Apply(const Labels& labels) const;

 private:
  LabelReplacer(std::string dst, std::string replacement, std::string src,
                std::unique_ptr<const re2::RE2> regex);

  std::string dst_;
  std::string replacement_;
  std::string src_;
  std::unique_ptr<const re2::RE2> regex_;
};

// label_join(v, dst, separator, src...) on one series' labels.
// Errors: InvalidArgument "invalid destination label name in label_join():
// ..." and "invalid source label name in label_join(): ...".
Result<Labels> LabelJoin(const Labels& labels, std::string_view dst, std::string_view separator,
                         std::span<const std::string> sources);

// The q-quantile of `values` as Prometheus computes it (promql/quantile.go:
// linear interpolation between ranks; -Inf for q < 0, +Inf for q > 1, NaN
// for NaN q or no values). Reorders `values`.
double Quantile(double q, std::vector<double>& values);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_QUERY_INSTANT_FUNCTIONS_H_
