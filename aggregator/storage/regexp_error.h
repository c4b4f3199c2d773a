// The one adapter from RE2's compile errors to Go's regexp/syntax wording,
// so a bad regular expression (a PromQL matcher, a template's match or
// reReplaceAll) reads as it does in Prometheus:
//   error parsing regexp: missing closing ): `(`
//
// Thread-safety: pure function.
#ifndef WATTLINE_AGGREGATOR_STORAGE_REGEXP_ERROR_H_
#define WATTLINE_AGGREGATOR_STORAGE_REGEXP_ERROR_H_

#include <string>

namespace re2 {
class RE2;
}

namespace wattline::aggregator {

// REQUIRES: !re.ok().
std::string GoRegexpError(const re2::RE2& re);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_STORAGE_REGEXP_ERROR_H_
