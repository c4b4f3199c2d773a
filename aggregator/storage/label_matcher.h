// A label matcher as PromQL writes it: name, one of = != =~ !~, value.
// Regular expressions are RE2 (the syntax Prometheus uses) and anchored at
// both ends, as Prometheus anchors them: "a.*" matches "abc", not "xabc".
#ifndef WATTLINE_AGGREGATOR_STORAGE_LABEL_MATCHER_H_
#define WATTLINE_AGGREGATOR_STORAGE_LABEL_MATCHER_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/labels.h"
#include "common/status.h"

namespace re2 {
class RE2;
}

namespace wattline::aggregator {

class LabelMatcher {
 public:
  enum class Type { kEqual, kNotEqual, kRegexMatch, kRegexNoMatch };

  // Compiles the regex for the regex types. InvalidArgument on a bad regex.
  static Result<LabelMatcher> Make(Type type, std::string name, std::string value);

  // True when the value of name() in `labels` (or "" when absent) matches.
  bool Matches(const Labels& labels) const;
  bool MatchesValue(std::string_view value) const;

  Type type() const { return type_; }
  const std::string& name() const { return name_; }
  const std::string& value() const { return value_; }
  // e.g. phase=~"a|b"
  std::string ToString() const;

 private:
  LabelMatcher(Type type, std::string name, std::string value, std::shared_ptr<re2::RE2> regex);

  Type type_;
  std::string name_;
  std::string value_;
  std::shared_ptr<re2::RE2> regex_;  // set for the regex types; shared, immutable
};

using LabelMatchers = std::vector<LabelMatcher>;

// True when every matcher matches.
bool MatchesAll(const LabelMatchers& matchers, const Labels& labels);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_STORAGE_LABEL_MATCHER_H_
