#include "aggregator/storage/label_matcher.h"

#include <re2/re2.h>

#include <utility>

#include "aggregator/storage/regexp_error.h"

namespace wattline::aggregator {
namespace {

RE2::Options RegexOptions() {
  RE2::Options options;
  options.set_log_errors(false);
  // As Prometheus 2.42, the reference (docs/promql.md): "." does not match
  // "\n". Prometheus 3 compiles with Go's DotNL flag, and there it does.
  options.set_dot_nl(false);
  return options;
}

std::string RegexError(const std::string& value) {
  // Compile the bare value once more so the error quotes what the user wrote,
  // not our anchoring around it.
  RE2 bare(value, RegexOptions());
  if (bare.ok()) return "error parsing regexp: " + value;
  return GoRegexpError(bare);
}

void AppendQuoted(std::string& out, std::string_view value) {
  out += '"';
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  out += '"';
}

}  // namespace

LabelMatcher::LabelMatcher(Type type, std::string name, std::string value,
                           std::shared_ptr<re2::RE2> regex)
    : type_(type), name_(std::move(name)), value_(std::move(value)), regex_(std::move(regex)) {}

Result<LabelMatcher> LabelMatcher::Make(Type type, std::string name, std::string value) {
  std::shared_ptr<re2::RE2> regex;
  if (type == Type::kRegexMatch || type == Type::kRegexNoMatch) {
    // Anchored at both ends, as Prometheus anchors: ^(?:value)$.
    regex = std::make_shared<re2::RE2>("^(?:" + value + ")$", RegexOptions());
    if (!regex->ok()) return Status::InvalidArgument(RegexError(value));
  }
  return LabelMatcher(type, std::move(name), std::move(value), std::move(regex));
}

bool LabelMatcher::MatchesValue(std::string_view value) const {
  switch (type_) {
    case Type::kEqual:
      return value == value_;
    case Type::kNotEqual:
      return value != value_;
    case Type::kRegexMatch:
      return RE2::FullMatch(value, *regex_);
    case Type::kRegexNoMatch:
      return !RE2::FullMatch(value, *regex_);
  }
  return false;
}

bool LabelMatcher::Matches(const Labels& labels) const {
  // An absent label has the value "", so name="" matches it and name!=""
  // requires the label, as in Prometheus.
  return MatchesValue(LabelValue(labels, name_));
}

std::string LabelMatcher::ToString() const {
  std::string out = name_;
  switch (type_) {
    case Type::kEqual:
      out += "=";
      break;
    case Type::kNotEqual:
      out += "!=";
      break;
    case Type::kRegexMatch:
      out += "=~";
      break;
    case Type::kRegexNoMatch:
      out += "!~";
      break;
  }
  AppendQuoted(out, value_);
  return out;
}

bool MatchesAll(const LabelMatchers& matchers, const Labels& labels) {
  for (const LabelMatcher& matcher : matchers) {
    if (!matcher.Matches(labels)) return false;
  }
  return true;
}

}  // namespace wattline::aggregator
