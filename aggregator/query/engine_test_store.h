// For the query engine's tests over a real SampleStore (engine_test.cc,
// engine_limits_test.cc, api/query_api_over_store_test.cc): a store in a
// temporary directory holding the day of samples engine_test_store.cc
// describes, so that every expected value can be worked out by hand.
#ifndef WATTLINE_AGGREGATOR_QUERY_ENGINE_TEST_STORE_H_
#define WATTLINE_AGGREGATOR_QUERY_ENGINE_TEST_STORE_H_

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aggregator/query/engine.h"
#include "aggregator/query/value.h"
#include "aggregator/storage/sample_store.h"
#include "common/clock.h"
#include "common/testing/temp_dir.h"

namespace wattline::aggregator {

inline constexpr int64_t kSecond = 1000;
inline constexpr int64_t kMinute = 60 * kSecond;
inline constexpr int64_t kHour = 60 * kMinute;
inline constexpr int64_t kDay = 24 * kHour;
inline constexpr int64_t kMidnight = 1'699'920'000'000;  // 2023-11-14T00:00:00Z

// Prometheus's texts (ErrTooManySamples, ErrQueryTimeout, and its
// duplicate label set error).
inline constexpr char kTooManySamples[] =
    "query processing would load too many samples into memory in query execution";
inline constexpr char kTimedOut[] = "query timed out in expression evaluation";
inline constexpr char kSameLabelset[] = "vector cannot contain metrics with the same labelset";

// The subquery evaluates vector(time()) at every second of a day: 86,401
// steps, hundreds of deadline checks, each a second on a TickingClock.
// (vector(1) would not do: it is step-invariant, evaluated once.)
inline constexpr char kSlowQuery[] = "max_over_time(vector(time())[1d:1s])";

// "@ <seconds>": PromQL's @ takes Unix seconds.
std::string At(int64_t ms);

// A clock whose monotonic time moves on 1 s at every reading: the engine's
// deadline checks then measure how much work a query did, so timeouts are
// provoked deterministically and without sleeping. Thread-safe.
class TickingClock final : public Clock {
 public:
  int64_t NowUnixMs() const override { return kMidnight + 25 * kHour; }
  int64_t NowMonotonicMs() const override { return monotonic_ms_.fetch_add(kSecond); }

 private:
  mutable std::atomic<int64_t> monotonic_ms_{0};
};

// The labels of each result series, as text, for readable expectations.
std::vector<std::string> MetricsOf(const Vector& vector);
std::vector<std::string> MetricsOf(const Matrix& matrix);
std::vector<double> ValuesOf(const Vector& vector);
std::vector<double> ValuesOf(const Series& series);
std::vector<int64_t> TimesOf(const Series& series);

// Opens the store and writes the samples; its FakeClock stands an hour after
// the day. The helpers that return a result record a test failure (and
// return an empty one) when the query fails or gives another type.
class EngineOverStore : public ::testing::Test {
 protected:
  void SetUp() override;

  // An engine over the store with `limits`, on `clock` (default: clock_).
  std::unique_ptr<Engine> MakeEngine(QueryLimits limits = {}, const Clock* clock = nullptr);

  // `query` parsed and asked of `engine`.
  static Result<QueryValue> InstantOn(const Engine& engine, std::string_view query, int64_t t,
                                      std::optional<int64_t> timeout_ms = std::nullopt);

  static Result<Matrix> RangeOn(const Engine& engine, std::string_view query, int64_t start,
                                int64_t end, int64_t step,
                                std::optional<int64_t> timeout_ms = std::nullopt);

  // With an engine of default limits, on clock_:
  // An instant query that must give an instant vector.
  Vector InstantVector(std::string_view query, int64_t t);

  // An instant query that must give a range vector.
  Matrix InstantMatrix(std::string_view query, int64_t t);

  // The value of an instant query that must give one sample.
  double InstantValue(std::string_view query, int64_t t);

  // A range query that must succeed.
  Matrix Range(std::string_view query, int64_t start, int64_t end, int64_t step);

  // The one series of a range query.
  Series RangeSeries(std::string_view query, int64_t start, int64_t end, int64_t step);

  wattline::testing::TempDir dir_;
  FakeClock clock_{kMidnight + 25 * kHour};
  std::unique_ptr<SampleStore> store_;
};

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_QUERY_ENGINE_TEST_STORE_H_
