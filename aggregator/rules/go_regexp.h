// Go's regexp package over RE2 (whose syntax Go's regexp shares), for the
// template functions match and reReplaceAll: compile errors worded as Go's
// regexp/syntax words them (storage/regexp_error.h, shared with PromQL's
// matchers), and ReplaceAllString with Go's $1, ${1}, ${name} and $$
// expansion.
//
// Thread-safety: a GoRegexp is immutable; its methods may run on several
// threads at once.
#ifndef WATTLINE_AGGREGATOR_RULES_GO_REGEXP_H_
#define WATTLINE_AGGREGATOR_RULES_GO_REGEXP_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace re2 {
class RE2;
}

namespace wattline::aggregator {

class GoRegexp {
 public:
  // regexp.Compile(pattern). Errors: InvalidArgument with Go's message,
  // "error parsing regexp: missing closing ): `(`".
  static Result<GoRegexp> Compile(std::string_view pattern);

  // regexp.MatchString: whether `text` contains a match.
  bool MatchString(std::string_view text) const;

  // Regexp.ReplaceAllString: every match replaced by `replacement`, in which
  // $1 or ${1} is submatch 1, $name or ${name} a named submatch (the name is
  // the longest run of letters, digits and '_', so $1x is ${1x}), $$ is "$";
  // a submatch that did not take part, or a name no group has, is "".
  // Stops early once the result is over `limit` bytes.
  std::string ReplaceAllString(std::string_view text, std::string_view replacement,
                               size_t limit = SIZE_MAX) const;

 private:
  explicit GoRegexp(std::shared_ptr<const re2::RE2> re2) : re2_(std::move(re2)) {}
  std::shared_ptr<const re2::RE2> re2_;
};

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_RULES_GO_REGEXP_H_
