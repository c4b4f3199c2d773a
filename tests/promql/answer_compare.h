// Compares two answers of Prometheus's query API (/api/v1/query or
// /api/v1/query_range) as the PromQL compatibility test needs:
//   - when either is an error, both must be, with the same errorType (the
//     messages are not compared: they are prose);
//   - the same resultType;
//   - the same series, by their labels: in the same order when `ordered`
//     (the query's outermost function is sort or sort_desc), as a set
//     otherwise;
//   - the same timestamps, and values equal within a relative 1e-9 (NaN
//     equals NaN; infinities of one sign are equal).
//
// Thread-safety: pure functions.
#ifndef WATTLINE_TESTS_PROMQL_ANSWER_COMPARE_H_
#define WATTLINE_TESTS_PROMQL_ANSWER_COMPARE_H_

#include <string>
#include <string_view>

namespace wattline::testing {

struct ApiAnswer {
  int http_status = 0;  // 0: no answer (connection failed)
  std::string body;
};

// "" when the answers agree; otherwise a one-line reason naming the first
// difference, e.g. `value of {device="panel"} at 1767229200: 12.5 vs 12.25`
// (the reference's first).
std::string CompareAnswers(const ApiAnswer& reference, const ApiAnswer& ours, bool ordered);

// True when the query's outermost expression is a call of sort() or
// sort_desc() (whose order Prometheus keeps in an instant query's answer).
bool OutermostIsSort(std::string_view query);

// Whether two sample values (as the API writes them) agree: within a
// relative 1e-9, NaN equal to NaN, infinities equal to themselves.
bool ValuesAgree(const std::string& reference, const std::string& ours);

}  // namespace wattline::testing

#endif  // WATTLINE_TESTS_PROMQL_ANSWER_COMPARE_H_
