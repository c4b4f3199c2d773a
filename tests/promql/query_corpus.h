// The PromQL compatibility corpus (tests/promql/corpus.txt): one query a
// line, its times given as offsets from the data's start so the file does
// not name the epoch:
//
//   line     = blank | "#" *any | instant | range
//   instant  = "instant" 1*space time 1*space query
//   range    = "range" 1*space time 1*space time 1*space duration 1*space query
//   time     = duration                      (offset from the data's start)
//   duration = 1*(number [unit])             e.g. 90, 7490s, 1h30m, 0.5s
//   unit     = "s" | "m" | "h"               (none: seconds)
//
// known_differences.txt lists corpus lines exactly (blank lines and "#"
// comments ignored).
//
// Errors: InvalidArgument "line N: ..." for the first malformed line.
// Thread-safety: pure functions.
#ifndef WATTLINE_TESTS_PROMQL_QUERY_CORPUS_H_
#define WATTLINE_TESTS_PROMQL_QUERY_CORPUS_H_

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace wattline::testing {

struct CorpusQuery {
  std::string line;  // as written, the key of known_differences.txt
  bool range = false;
  int64_t time_ms = 0;   // instant: the evaluation time's offset
  int64_t start_ms = 0;  // range: offsets of start and end, and the step
  int64_t end_ms = 0;
  int64_t step_ms = 0;
  std::string query;
};

[[nodiscard]] Result<std::vector<CorpusQuery>> ParseCorpus(std::string_view text);

// The non-comment lines of known_differences.txt, trailing spaces removed.
std::set<std::string> ParseKnownDifferences(std::string_view text);

// "1h30m" -> 5'400'000; InvalidArgument when it is not a duration.
[[nodiscard]] Result<int64_t> ParseOffsetMs(std::string_view text);

}  // namespace wattline::testing

#endif  // WATTLINE_TESTS_PROMQL_QUERY_CORPUS_H_
