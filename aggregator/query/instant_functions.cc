#include "aggregator/query/instant_functions.h"

#include <re2/re2.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <numbers>
#include <optional>
#include <utility>

// Each kernel follows Prometheus 2.42's promql/functions.go for float
// samples; where Go's math package computes differently from <cmath>
// (log2, log10, max, min), the Go formula is reproduced.
namespace wattline::aggregator {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

double ScalarAt(std::span<const double> scalars, size_t i, double fallback) {
  return i < scalars.size() ? scalars[i] : fallback;
}

// Go's math.Max: +Inf wins over NaN, NaN over everything else, +0 over -0.
double GoMax(double x, double y) {
  if (std::isinf(x) && x > 0) return x;
  if (std::isinf(y) && y > 0) return y;
  if (std::isnan(x) || std::isnan(y)) return kNaN;
  if (x == 0 && x == y) return std::signbit(x) ? y : x;
  return x > y ? x : y;
}

// Go's math.Min: -Inf wins over NaN, NaN over everything else, -0 over +0.
double GoMin(double x, double y) {
  if (std::isinf(x) && x < 0) return x;
  if (std::isinf(y) && y < 0) return y;
  if (std::isnan(x) || std::isnan(y)) return kNaN;
  if (x == 0 && x == y) return std::signbit(x) ? x : y;
  return x < y ? x : y;
}

// Go's math.Log2: exact for powers of two, else ln(frac)/ln(2) + exponent.
double GoLog2(double x) {
  int exp = 0;
  const double frac = std::frexp(x, &exp);
  if (frac == 0.5) return exp - 1;
  return std::log(frac) * (1 / std::numbers::ln2) + exp;
}

double GoLog10(double x) { return std::log(x) * (1 / std::numbers::ln10); }

// A kernel of one argument; F is a captureless lambda (standard functions
// may not have their address taken).
template <auto F>
double Unary(double v, std::span<const double>) {
  return F(v);
}

double Sgn(double v, std::span<const double>) {
  if (v < 0) return -1;
  if (v > 0) return 1;
  return v;  // 0, -0 and NaN unchanged
}

double Deg(double v, std::span<const double>) { return v * 180 / std::numbers::pi; }
double Rad(double v, std::span<const double>) { return v * std::numbers::pi / 180; }

double Round(double v, std::span<const double> scalars) {
  // Prometheus multiplies by the inverse: fewer floating-point surprises.
  // Ties round up.
  const double to_nearest_inverse = 1.0 / ScalarAt(scalars, 0, 1);
  return std::floor(v * to_nearest_inverse + 0.5) / to_nearest_inverse;
}

double Clamp(double v, std::span<const double> scalars) {
  return GoMax(ScalarAt(scalars, 0, kNaN), GoMin(ScalarAt(scalars, 1, kNaN), v));
}
double ClampMin(double v, std::span<const double> scalars) {
  return GoMax(ScalarAt(scalars, 0, kNaN), v);
}
double ClampMax(double v, std::span<const double> scalars) {
  return GoMin(ScalarAt(scalars, 0, kNaN), v);
}

// --- Calendar functions: time.Unix(int64(v), 0).UTC() ---

struct CivilTime {
  std::chrono::sys_days day;
  std::chrono::year_month_day date;
  int64_t second_of_day;
};

// nullopt where Go's int64(v) is undefined (NaN, infinities, beyond int64)
// and beyond the years <chrono> represents (about ±30000): Prometheus gives
// arbitrary dates there, we give NaN.
std::optional<CivilTime> ToCivil(double v) {
  constexpr double kTwo63 = 9223372036854775808.0;
  if (!(v > -kTwo63 && v < kTwo63)) return std::nullopt;
  const auto seconds = static_cast<int64_t>(v);  // truncates toward zero, as Go
  int64_t days = seconds / 86400;
  int64_t second_of_day = seconds % 86400;
  if (second_of_day < 0) {
    second_of_day += 86400;
    --days;
  }
  using std::chrono::December;
  using std::chrono::January;
  using std::chrono::year;
  const std::chrono::sys_days first{year::min() / January / 1};
  const std::chrono::sys_days last{year::max() / December / 31};
  if (days < first.time_since_epoch().count() || days > last.time_since_epoch().count()) {
    return std::nullopt;
  }
  const std::chrono::sys_days day{std::chrono::days{days}};
  return CivilTime{day, std::chrono::year_month_day{day}, second_of_day};
}

template <double (*Field)(const CivilTime&)>
double Calendar(double v, std::span<const double>) {
  const std::optional<CivilTime> t = ToCivil(v);
  return t ? Field(*t) : kNaN;
}

double DayOfMonth(const CivilTime& t) { return static_cast<unsigned>(t.date.day()); }
double DayOfWeek(const CivilTime& t) {  // Sunday = 0, as Go's Weekday
  return std::chrono::weekday{t.day}.c_encoding();
}
double DayOfYear(const CivilTime& t) {
  const std::chrono::sys_days new_year{t.date.year() / std::chrono::January / 1};
  return static_cast<double>((t.day - new_year).count() + 1);
}
double DaysInMonth(const CivilTime& t) {
  const std::chrono::year_month_day_last last{t.date.year(),
                                              std::chrono::month_day_last{t.date.month()}};
  return static_cast<unsigned>(last.day());
}
double Hour(const CivilTime& t) { return static_cast<double>(t.second_of_day / 3600); }
double Minute(const CivilTime& t) { return static_cast<double>(t.second_of_day % 3600 / 60); }
double Month(const CivilTime& t) { return static_cast<unsigned>(t.date.month()); }
double Year(const CivilTime& t) { return static_cast<int>(t.date.year()); }

struct NamedKernel {
  std::string_view name;
  ValueKernel kernel;
};

constexpr NamedKernel kKernels[] = {
    {"abs", Unary<[](double v) { return std::fabs(v); }>},
    {"acos", Unary<[](double v) { return std::acos(v); }>},
    {"acosh", Unary<[](double v) { return std::acosh(v); }>},
    {"asin", Unary<[](double v) { return std::asin(v); }>},
    {"asinh", Unary<[](double v) { return std::asinh(v); }>},
    {"atan", Unary<[](double v) { return std::atan(v); }>},
    {"atanh", Unary<[](double v) { return std::atanh(v); }>},
    {"ceil", Unary<[](double v) { return std::ceil(v); }>},
    {"clamp", Clamp},
    {"clamp_max", ClampMax},
    {"clamp_min", ClampMin},
    {"cos", Unary<[](double v) { return std::cos(v); }>},
    {"cosh", Unary<[](double v) { return std::cosh(v); }>},
    {"day_of_month", Calendar<DayOfMonth>},
    {"day_of_week", Calendar<DayOfWeek>},
    {"day_of_year", Calendar<DayOfYear>},
    {"days_in_month", Calendar<DaysInMonth>},
    {"deg", Deg},
    {"exp", Unary<[](double v) { return std::exp(v); }>},
    {"floor", Unary<[](double v) { return std::floor(v); }>},
    {"hour", Calendar<Hour>},
    {"ln", Unary<[](double v) { return std::log(v); }>},
    {"log10", Unary<[](double v) { return GoLog10(v); }>},
    {"log2", Unary<[](double v) { return GoLog2(v); }>},
    {"minute", Calendar<Minute>},
    {"month", Calendar<Month>},
    {"rad", Rad},
    {"round", Round},
    {"sgn", Sgn},
    {"sin", Unary<[](double v) { return std::sin(v); }>},
    {"sinh", Unary<[](double v) { return std::sinh(v); }>},
    {"sqrt", Unary<[](double v) { return std::sqrt(v); }>},
    {"tan", Unary<[](double v) { return std::tan(v); }>},
    {"tanh", Unary<[](double v) { return std::tanh(v); }>},
    {"year", Calendar<Year>},
};

// --- label_replace and label_join ---

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// The group a $-reference names: a number when the name is all digits
// without a leading zero (and below 1e8), else a group name. -1: no group.
int GroupIndex(const RE2& regex, std::string_view name) {
  int number = 0;
  bool numeric = name.size() == 1 || name.front() != '0';
  for (char c : name) {
    if (c < '0' || c > '9' || number >= 100'000'000) {
      numeric = false;
      break;
    }
    number = number * 10 + (c - '0');
  }
  if (numeric) return number;
  const auto& names = regex.NamedCapturingGroups();
  auto it = names.find(std::string(name));
  return it == names.end() ? -1 : it->second;
}

// Go's Regexp.Expand: $1, ${1}, $name, ${name}, and $$ for a literal $. A
// name is the longest run of letters, digits and underscores (ASCII; Go also
// takes non-ASCII letters); a malformed reference is kept as text, an unknown
// or unmatched group expands to nothing.
std::string Expand(const RE2& regex, std::string_view tmpl,
                   std::span<const re2::StringPiece> groups) {
  std::string out;
  while (!tmpl.empty()) {
    const size_t dollar = tmpl.find('$');
    if (dollar == std::string_view::npos) break;
    out.append(tmpl.substr(0, dollar));
    tmpl.remove_prefix(dollar + 1);
    if (!tmpl.empty() && tmpl.front() == '$') {
      out += '$';
      tmpl.remove_prefix(1);
      continue;
    }
    const bool brace = !tmpl.empty() && tmpl.front() == '{';
    std::string_view rest = brace ? tmpl.substr(1) : tmpl;
    size_t length = 0;
    while (length < rest.size() && IsNameChar(rest[length])) ++length;
    if (length == 0 || (brace && (length >= rest.size() || rest[length] != '}'))) {
      out += '$';  // malformed: the $ is plain text
      continue;
    }
    const std::string_view name = rest.substr(0, length);
    tmpl = rest.substr(length + (brace ? 1 : 0));
    const int index = GroupIndex(regex, name);
    if (index >= 0 && static_cast<size_t>(index) < groups.size() &&
        groups[index].data() != nullptr) {
      out.append(groups[index].data(), groups[index].size());
    }
  }
  out.append(tmpl);
  return out;
}

// `labels` with `name` set to `value`, or removed when `value` is empty;
// still sorted by name.
Labels WithLabel(const Labels& labels, std::string_view name, std::string value) {
  Labels out;
  out.reserve(labels.size() + 1);
  bool placed = value.empty();
  for (const Label& label : labels) {
    if (label.name == name) continue;
    if (!placed && label.name > name) {
      out.push_back({std::string(name), std::move(value)});
      placed = true;
    }
    out.push_back(label);
  }
  if (!placed) out.push_back({std::string(name), std::move(value)});
  return out;
}

}  // namespace

ValueKernel FindValueKernel(std::string_view name) {
  for (const NamedKernel& entry : kKernels) {
    if (entry.name == name) return entry.kernel;
  }
  return nullptr;
}

LabelReplacer::LabelReplacer(std::string dst, std::string replacement, std::string src,
                             std::unique_ptr<const RE2> regex)
    : dst_(std::move(dst)),
      replacement_(std::move(replacement)),
      src_(std::move(src)),
      regex_(std::move(regex)) {}
LabelReplacer::LabelReplacer(LabelReplacer&&) noexcept = default;
LabelReplacer& LabelReplacer::operator=(LabelReplacer&&) noexcept = default;
LabelReplacer::~LabelReplacer() = default;

Result<LabelReplacer> LabelReplacer::Make(std::string_view dst, std::string_view replacement,
                                          std::string_view src, std::string_view regex) {
  RE2::Options options;
  options.set_log_errors(false);
  // Anchored at both ends by the match below, as Prometheus's
  // "^(?:" + regex + ")$". 2.42 does not let "." match a newline here
  // (later versions do).
  auto re = std::make_unique<const RE2>("(?:" + std::string(regex) + ")", options);
  if (!re->ok()) {
    return Status::InvalidArgument("invalid regular expression in label_replace(): " +
                                   std::string(regex));
  }
  if (!IsValidLabelName(dst)) {
    return Status::InvalidArgument("invalid destination label name in label_replace(): " +
                                   std::string(dst));
  }
  return LabelReplacer(std::string(dst), std::string(replacement), std::string(src), std::move(re));
}

Labels LabelReplacer::Apply(const Labels& labels) const {
  const std::string_view value = LabelValue(labels, src_);
  std::vector<re2::StringPiece> groups(static_cast<size_t>(regex_->NumberOfCapturingGroups()) + 1);
  if (!regex_->Match(value, 0, value.size(), RE2::ANCHOR_BOTH, groups.data(),
                     static_cast<int>(groups.size()))) {
    return labels;  // no match: the series keeps its labels
  }
  return WithLabel(labels, dst_, Expand(*regex_, replacement_, groups));
}

Result<Labels> LabelReplace(const Labels& labels, std::string_view dst,
                            std::string_view replacement, std::string_view src,
                            std::string_view regex) {
  Result<LabelReplacer> replacer = LabelReplacer::Make(dst, replacement, src, regex);
  if (!replacer.ok()) return replacer.status();
  return replacer->Apply(labels);
}

Result<Labels> LabelJoin(const Labels& labels, std::string_view dst, std::string_view separator,
                         std::span<const std::string> sources) {
  for (const std::string& source : sources) {
    if (!IsValidLabelName(source)) {
      return Status::InvalidArgument("invalid source label name in label_join(): " + source);
    }
  }
  if (!IsValidLabelName(dst)) {
    return Status::InvalidArgument("invalid destination label name in label_join(): " +
                                   std::string(dst));
  }
  std::string joined;
  for (size_t i = 0; i < sources.size(); ++i) {
    if (i > 0) joined.append(separator);
    joined.append(LabelValue(labels, sources[i]));
  }
  return WithLabel(labels, dst, std::move(joined));
}

double Quantile(double q, std::vector<double>& values) {
  if (values.empty() || std::isnan(q)) return kNaN;
  if (q < 0) return -kInf;
  if (q > 1) return kInf;
  // NaNs sort first, as Prometheus's vectorByValueHeap orders them.
  std::sort(values.begin(), values.end(), [](double a, double b) {
    if (std::isnan(a)) return !std::isnan(b);
    return a < b;
  });
  const double n = static_cast<double>(values.size());
  const double rank = q * (n - 1);
  const double lower = std::max(0.0, std::floor(rank));
  const double upper = std::min(n - 1, lower + 1);
  const double weight = rank - std::floor(rank);
  return values[static_cast<size_t>(lower)] * (1 - weight) +
         values[static_cast<size_t>(upper)] * weight;
}

}  // namespace wattline::aggregator
