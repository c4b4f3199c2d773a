// Prometheus 2.42's template functions (template/template.go) that need no
// query engine: humanize, humanize1024, humanizeDuration,
// humanizePercentage, humanizeTimestamp, title, toUpper, toLower, match,
// reReplaceAll, stripPort and safeHtml.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "aggregator/query/quote.h"
#include "aggregator/rules/alert_template_fmt.h"
#include "aggregator/rules/alert_template_funcs.h"
#include "aggregator/rules/go_regexp.h"
#include "aggregator/rules/go_strconv.h"
#include "aggregator/rules/go_unicode.h"
#include "common/rfc3339.h"

namespace wattline::aggregator::alert_template {
namespace {

using Kind = Value::Kind;

// Prometheus's convertToFloat.
Result<double> ToFloat(const Value& value) {
  switch (value.kind) {
    case Kind::kFloat:
      return value.number;
    case Kind::kInt:
      return static_cast<double>(value.integer);
    case Kind::kString:
      return ParseFloat(value.text);
    default:
      return Status::InvalidArgument("can't convert " + std::string(TypeName(value)) + " to float");
  }
}

// Go's int64(v) as amd64 computes it: out of range gives the minimum.
int64_t GoInt64(double v) {
  if (!(v >= -9223372036854775808.0 && v < 9223372036854775808.0)) return INT64_MIN;
  return static_cast<int64_t>(v);
}

// Scales `v` by 1000 (or 1024) per prefix while it is at least that big.
std::string WithPrefix(double v, double base, std::initializer_list<const char*> prefixes) {
  const char* prefix = "";
  for (const char* p : prefixes) {
    if (std::abs(v) < base) break;
    prefix = p;
    v /= base;
  }
  return FormatFloat4g(v) + prefix;
}

// Divides `v` below 1 by 1000 per prefix until it is at least 1.
std::string WithSmallPrefix(double* v) {
  const char* prefix = "";
  for (const char* p : {"m", "u", "n", "p", "f", "a", "z", "y"}) {
    if (std::abs(*v) >= 1) break;
    prefix = p;
    *v *= 1000;
  }
  return prefix;
}

Result<Value> Humanize(std::vector<Value>& args) {
  Result<double> converted = ToFloat(args[0]);
  if (!converted.ok()) return converted.status();
  double v = *converted;
  if (v == 0 || std::isnan(v) || std::isinf(v)) return Value::String(FormatFloat4g(v));
  if (std::abs(v) >= 1) {
    return Value::String(WithPrefix(v, 1000, {"k", "M", "G", "T", "P", "E", "Z", "Y"}));
  }
  const std::string prefix = WithSmallPrefix(&v);
  return Value::String(FormatFloat4g(v) + prefix);
}

Result<Value> Humanize1024(std::vector<Value>& args) {
  Result<double> converted = ToFloat(args[0]);
  if (!converted.ok()) return converted.status();
  const double v = *converted;
  if (std::abs(v) <= 1 || std::isnan(v) || std::isinf(v)) {
    return Value::String(FormatFloat4g(v));
  }
  return Value::String(WithPrefix(v, 1024, {"ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"}));
}

Result<Value> HumanizeDuration(std::vector<Value>& args) {
  Result<double> converted = ToFloat(args[0]);
  if (!converted.ok()) return converted.status();
  double v = *converted;
  if (std::isnan(v) || std::isinf(v)) return Value::String(FormatFloat4g(v));
  if (v == 0) return Value::String(FormatFloat4g(v) + "s");
  if (std::abs(v) >= 1) {
    std::string sign;
    if (v < 0) {
      sign = "-";
      v = -v;
    }
    const int64_t whole = GoInt64(v);
    const int64_t seconds = whole % 60;
    const int64_t minutes = (whole / 60) % 60;
    const int64_t hours = (whole / 60 / 60) % 24;
    const int64_t days = whole / 60 / 60 / 24;
    auto n = [](int64_t x) { return std::to_string(x); };
    if (days != 0) {
      return Value::String(sign + n(days) + "d " + n(hours) + "h " + n(minutes) + "m " +
                           n(seconds) + "s");
    }
    if (hours != 0)
      return Value::String(sign + n(hours) + "h " + n(minutes) + "m " + n(seconds) + "s");
    if (minutes != 0) return Value::String(sign + n(minutes) + "m " + n(seconds) + "s");
    return Value::String(sign + FormatFloat4g(v) + "s");
  }
  const std::string prefix = WithSmallPrefix(&v);
  return Value::String(FormatFloat4g(v) + prefix + "s");
}

Result<Value> HumanizePercentage(std::vector<Value>& args) {
  Result<double> converted = ToFloat(args[0]);
  if (!converted.ok()) return converted.status();
  return Value::String(FormatFloat4g(*converted * 100) + "%");
}

// Go's time.Time.String() of a UTC time: 2006-01-02 15:04:05.999999999 +0000 UTC
// (here to the millisecond, all a Prometheus timestamp holds).
std::string FormatUtc(int64_t unix_ms) {
  std::string text = FormatRfc3339(unix_ms);  // 2006-01-02T15:04:05.999Z
  text[10] = ' ';
  text.pop_back();
  return text + " +0000 UTC";
}

Result<Value> HumanizeTimestamp(std::vector<Value>& args) {
  Result<double> converted = ToFloat(args[0]);
  if (!converted.ok()) return converted.status();
  const double v = *converted;
  if (std::isnan(v) || std::isinf(v)) return Value::String(FormatFloat4g(v));
  const double timestamp = v * 1e9;
  if (timestamp > 9223372036854775807.0 || timestamp < -9223372036854775808.0) {
    return Status::InvalidArgument(FormatGoFloatG(v) +
                                   " cannot be represented as a nanoseconds timestamp since it "
                                   "overflows int64");
  }
  // model.TimeFromUnixNano keeps milliseconds; time.Unix normalises.
  return Value::String(FormatUtc(GoInt64(timestamp) / 1000000));
}

Result<Value> TitleFunc(std::vector<Value>& args) { return Value::String(Title(args[0].text)); }
Result<Value> ToUpperFunc(std::vector<Value>& args) { return Value::String(ToUpper(args[0].text)); }
Result<Value> ToLowerFunc(std::vector<Value>& args) { return Value::String(ToLower(args[0].text)); }

Result<Value> Match(std::vector<Value>& args) {
  Result<GoRegexp> regexp = GoRegexp::Compile(args[0].text);
  if (!regexp.ok()) return regexp.status();
  return Value::Bool(regexp->MatchString(args[1].text));
}

Result<Value> ReReplaceAll(std::vector<Value>& args) {
  const std::string& pattern = args[0].text;
  Result<GoRegexp> regexp = GoRegexp::Compile(pattern);
  if (!regexp.ok()) {
    // regexp.MustCompile panics; text/template reports the panic's text.
    const std::string quoted = CanBackquote(pattern) ? "`" + pattern + "`" : Quote(pattern);
    return Status::InvalidArgument("regexp: Compile(" + quoted + "): " + regexp.status().message());
  }
  return Value::String(regexp->ReplaceAllString(args[2].text, args[1].text, kMaxOutputBytes));
}

// net.SplitHostPort's host, or the input when it is no host:port.
Result<Value> StripPort(std::vector<Value>& args) {
  const std::string& hostport = args[0].text;
  const Value unchanged = Value::String(hostport);
  const size_t colon = hostport.rfind(':');
  if (colon == std::string::npos) return unchanged;
  std::string host;
  size_t j = 0;
  size_t k = 0;
  if (hostport[0] == '[') {
    const size_t end = hostport.find(']');
    if (end == std::string::npos || end + 1 != colon) return unchanged;
    host = hostport.substr(1, end - 1);
    j = 1;
    k = end + 1;
  } else {
    host = hostport.substr(0, colon);
    if (host.find(':') != std::string::npos) return unchanged;
  }
  if (hostport.find('[', j) != std::string::npos) return unchanged;
  if (hostport.find(']', k) != std::string::npos) return unchanged;
  return Value::String(std::move(host));
}

Result<Value> SafeHtml(std::vector<Value>& args) {
  return Value::String(args[0].text, Kind::kHtml);
}

constexpr ParamType kA = ParamType::kAny;
constexpr ParamType kS = ParamType::kString;

constexpr Function kPrometheusFunctions[] = {
    {"humanize", {kA}, 1, false, kA, Humanize},
    {"humanize1024", {kA}, 1, false, kA, Humanize1024},
    {"humanizeDuration", {kA}, 1, false, kA, HumanizeDuration},
    {"humanizePercentage", {kA}, 1, false, kA, HumanizePercentage},
    {"humanizeTimestamp", {kA}, 1, false, kA, HumanizeTimestamp},
    {"title", {kS}, 1, false, kA, TitleFunc},
    {"toUpper", {kS}, 1, false, kA, ToUpperFunc},
    {"toLower", {kS}, 1, false, kA, ToLowerFunc},
    {"match", {kS, kS}, 2, false, kA, Match},
    {"reReplaceAll", {kS, kS, kS}, 3, false, kA, ReReplaceAll},
    {"stripPort", {kS}, 1, false, kA, StripPort},
    {"safeHtml", {kS}, 1, false, kA, SafeHtml},
};

}  // namespace

std::span<const Function> PrometheusFunctions() { return kPrometheusFunctions; }

}  // namespace wattline::aggregator::alert_template
