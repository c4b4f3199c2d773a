#include "aggregator/query/range_functions.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <span>
#include <vector>

// Expected values are worked out by hand from Prometheus 2.42's formulas
// (promql/functions.go), with the arithmetic in the comments.
namespace wattline::aggregator {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// One series' window: samples at `seconds` with `values`, the window
// [start_s, end_s], evaluated at end_s unless told otherwise.
struct Window {
  std::vector<SamplePoint> points;
  RangeWindow window;

  Window(std::vector<std::pair<double, double>> samples, double start_s, double end_s) {
    for (auto [t, v] : samples) points.push_back({static_cast<int64_t>(t * 1000), v});
    window.points = points;
    window.range_start_ms = static_cast<int64_t>(start_s * 1000);
    window.range_end_ms = static_cast<int64_t>(end_s * 1000);
    window.eval_time_ms = window.range_end_ms;
  }
};

std::optional<double> Call(std::string_view name, const Window& w,
                           std::vector<double> scalars = {}) {
  RangeKernel kernel = FindRangeKernel(name);
  EXPECT_NE(kernel, nullptr) << name;
  if (kernel == nullptr) return std::nullopt;
  return kernel(w.window, scalars);
}

double Value(std::string_view name, const Window& w, std::vector<double> scalars = {}) {
  std::optional<double> result = Call(name, w, std::move(scalars));
  EXPECT_TRUE(result.has_value()) << name;
  return result.value_or(kNaN);
}

TEST(RangeFunctions, FindsEveryRangeFunctionAndNothingElse) {
  for (std::string_view name : {"rate",
                                "increase",
                                "delta",
                                "irate",
                                "idelta",
                                "deriv",
                                "predict_linear",
                                "changes",
                                "resets",
                                "holt_winters",
                                "avg_over_time",
                                "sum_over_time",
                                "count_over_time",
                                "min_over_time",
                                "max_over_time",
                                "last_over_time",
                                "present_over_time",
                                "quantile_over_time",
                                "stddev_over_time",
                                "stdvar_over_time",
                                "increase_exact",
                                "integrate"}) {
    EXPECT_NE(FindRangeKernel(name), nullptr) << name;
  }
  EXPECT_EQ(FindRangeKernel("absent_over_time"), nullptr);
  EXPECT_EQ(FindRangeKernel("abs"), nullptr);
  EXPECT_EQ(FindRangeKernel("rat"), nullptr);
  EXPECT_EQ(FindRangeBatchKernel("avg_over_time"), &AvgOverTimeOfWindows);
  EXPECT_EQ(FindRangeBatchKernel("sum_over_time"), nullptr);
  EXPECT_EQ(FindRangeBatchKernel("abs"), nullptr);
}

// 0, 10, 20, 30 at 15 s, 30 s, 45 s, 60 s in the window [0 s, 60 s].
const Window kFromZero({{15, 0}, {30, 10}, {45, 20}, {60, 30}}, 0, 60);

// Windows taken four at a time give each window's own mean, to the bit:
// against the one-window mean written out here, over windows of every
// length with infinities and NaNs among the values.
TEST(RangeFunctions, AvgOverTimeOfSeveralWindowsEqualsEachWindowsOwnToTheBit) {
  auto reference = [](std::span<const SamplePoint> points) {
    double mean = 0, count = 0, c = 0;
    for (const SamplePoint& point : points) {
      const double v = point.value;
      count++;
      if (std::isinf(mean)) {
        if (std::isinf(v) && (mean > 0) == (v > 0)) continue;
        if (!std::isinf(v) && !std::isnan(v)) continue;
      }
      const double inc = v / count - mean / count;
      const double t = mean + inc;
      c += std::fabs(mean) >= std::fabs(inc) ? (mean - t) + inc : (inc - t) + mean;
      mean = t;
    }
    return std::isinf(mean) ? mean : mean + c;
  };
  std::mt19937_64 random(11);
  std::uniform_real_distribution<double> value(-5000, 5000);
  std::uniform_int_distribution<int> length(1, 90);
  std::uniform_int_distribution<int> rare(0, 199);
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<std::vector<SamplePoint>> samples(203);
  for (auto& window : samples) {
    const int n = length(random);
    for (int i = 0; i < n; ++i) {
      const int r = rare(random);
      const double v = r == 0 ? inf : r == 1 ? -inf : r == 2 ? std::nan("") : value(random);
      window.push_back({int64_t{i} * 1000, v});
    }
  }
  // Finite values at the top of the range, and windows of one length all
  // finite (taken two to a vector from start to end).
  const double huge = std::numeric_limits<double>::max();
  for (int w = 0; w < 8; ++w) {
    std::vector<SamplePoint> window;
    for (int i = 0; i < 60; ++i) {
      const double v = w < 4 ? (i % 3 == 2 ? -huge / 2 : huge) : value(random);
      window.push_back({int64_t{i} * 1000, v});
    }
    samples.push_back(std::move(window));
  }
  std::vector<RangeWindow> windows(samples.size());
  for (size_t w = 0; w < samples.size(); ++w) windows[w].points = samples[w];
  std::vector<std::optional<double>> means(windows.size());
  AvgOverTimeOfWindows(windows, means);
  for (size_t w = 0; w < windows.size(); ++w) {
    ASSERT_TRUE(means[w].has_value());
    EXPECT_EQ(std::bit_cast<uint64_t>(*means[w]), std::bit_cast<uint64_t>(reference(samples[w])))
        << "window " << w << ": " << *means[w] << " vs " << reference(samples[w]);
  }
}

TEST(RangeFunctions, IncreaseDoesNotExtrapolateBelowZero) {
  // Rise 30 over 45 s. 15 s to the start is under 1.1 * 15 s, but the
  // counter was 0 at the first sample: zero point 45 * 0/30 = 0 s back.
  EXPECT_DOUBLE_EQ(Value("increase", kFromZero), 30);
  EXPECT_DOUBLE_EQ(Value("rate", kFromZero), 30.0 / 60);
}

TEST(RangeFunctions, DeltaExtrapolatesToBothEdges) {
  // Not a counter: 30 over 45 s stretched to the 60 s window.
  EXPECT_DOUBLE_EQ(Value("delta", kFromZero), 30.0 * 60 / 45);
}

TEST(RangeFunctions, RateExtrapolatesWhenZeroPointIsFarther) {
  // 100..130: zero point 45 * 100/30 = 150 s back, beyond the 15 s gap.
  Window w({{15, 100}, {30, 110}, {45, 120}, {60, 130}}, 0, 60);
  EXPECT_DOUBLE_EQ(Value("increase", w), 30.0 * 60 / 45);
  EXPECT_DOUBLE_EQ(Value("rate", w), 30.0 * 60 / 45 / 60);
}

TEST(RangeFunctions, ExtrapolatesHalfAnIntervalPastAMissingSample) {
  // First sample 30 s after the start, over 1.1 * 15 s: only 7.5 s added.
  Window w({{30, 100}, {45, 110}, {60, 120}}, 0, 60);
  EXPECT_DOUBLE_EQ(Value("delta", w), 20.0 * (30 + 7.5) / 30);
}

TEST(RangeFunctions, ZeroPointClampComesBeforeTheThresholdIn242) {
  // 10, 20, 30 from 30 s: zero point 30 * 10/20 = 15 s back, which is under
  // the 16.5 s threshold, so 2.42 extrapolates the full 15 s: 20 * 45/30.
  Window w({{30, 10}, {45, 20}, {60, 30}}, 0, 60);
  EXPECT_DOUBLE_EQ(Value("increase", w), 30);
}

TEST(RangeFunctions, CounterResetAddsTheValueBeforeTheReset) {
  // 10, 20, 5, 15: 15 - 10 + 20 = 25; zero point 45 * 10/25 = 18 s back is
  // beyond the 15 s to the start, so extrapolate to 60 s: 25 * 60/45.
  Window w({{15, 10}, {30, 20}, {45, 5}, {60, 15}}, 0, 60);
  EXPECT_DOUBLE_EQ(Value("increase", w), 25.0 * 60 / 45);
  EXPECT_DOUBLE_EQ(Value("rate", w), 25.0 * 60 / 45 / 60);
  EXPECT_DOUBLE_EQ(Value("resets", w), 1);
  // delta sees no reset: 15 - 10 over 45 s, stretched to 60 s.
  EXPECT_DOUBLE_EQ(Value("delta", w), 5.0 * 60 / 45);
}

TEST(RangeFunctions, RateNeedsTwoSamples) {
  Window w({{30, 10}}, 0, 60);
  EXPECT_FALSE(Call("rate", w).has_value());
  EXPECT_FALSE(Call("increase", w).has_value());
  EXPECT_FALSE(Call("delta", w).has_value());
  EXPECT_FALSE(Call("irate", w).has_value());
  EXPECT_FALSE(Call("idelta", w).has_value());
  EXPECT_FALSE(Call("deriv", w).has_value());
  EXPECT_FALSE(Call("predict_linear", w, {60}).has_value());
  EXPECT_FALSE(Call("holt_winters", w, {0.5, 0.5}).has_value());
}

TEST(RangeFunctions, IrateAndIdeltaUseTheLastTwoSamples) {
  Window rising({{15, 0}, {30, 10}, {45, 20}, {60, 26}}, 0, 60);
  EXPECT_DOUBLE_EQ(Value("irate", rising), 6.0 / 15);
  EXPECT_DOUBLE_EQ(Value("idelta", rising), 6);
  Window reset({{15, 10}, {30, 20}, {45, 5}}, 0, 60);
  EXPECT_DOUBLE_EQ(Value("irate", reset), 5.0 / 15);  // restarted from 0
  EXPECT_DOUBLE_EQ(Value("idelta", reset), -15);
}

TEST(RangeFunctions, DerivIsTheRegressionSlopePerSecond) {
  Window w({{0, 1}, {10, 3}, {20, 5}}, 0, 20);
  EXPECT_DOUBLE_EQ(Value("deriv", w), 0.2);
  // Least squares through (0,0), (10,2), (20,1): mean x 10, mean y 1,
  // cov = (-10)(-1) + 0 + 10*0 = 10, var = 200: slope 0.05.
  Window noisy({{0, 0}, {10, 2}, {20, 1}}, 0, 20);
  EXPECT_DOUBLE_EQ(Value("deriv", noisy), 0.05);
  Window flat({{0, 7}, {10, 7}, {20, 7}}, 0, 20);
  EXPECT_EQ(Value("deriv", flat), 0);
}

TEST(RangeFunctions, PredictLinearPredictsFromTheEvaluationTime) {
  Window w({{0, 1}, {10, 3}, {20, 5}}, 0, 20);
  EXPECT_DOUBLE_EQ(Value("predict_linear", w, {10}), 5 + 0.2 * 10);
  // With an offset the window ends before the step; the line is still
  // evaluated from the step's time: 30 s, where it is at 7.
  w.window.eval_time_ms = 30'000;
  EXPECT_DOUBLE_EQ(Value("predict_linear", w, {10}), 7 + 0.2 * 10);
  Window flat({{0, 7}, {10, 7}}, 0, 20);
  EXPECT_EQ(Value("predict_linear", flat, {3600}), 7);
}

TEST(RangeFunctions, ChangesCountsNaNToNaNAsNoChange) {
  Window w({{1, 1}, {2, 1}, {3, 2}, {4, kNaN}, {5, kNaN}, {6, 3}}, 0, 6);
  EXPECT_EQ(Value("changes", w), 3);
  Window resets({{1, 5}, {2, 3}, {3, 4}, {4, 1}}, 0, 4);
  EXPECT_EQ(Value("resets", resets), 2);
  EXPECT_EQ(Value("changes", resets), 3);
}

TEST(RangeFunctions, HoltWintersSmoothsLevelAndTrend) {
  // sf = tf = 0.5 over 1, 3, 4: level 1, trend 2;
  // step 1: 0.5*3 + 0.5*(1 + 2) = 3; step 2: trend 0.5*(3-1) + 0.5*2 = 2,
  // level 0.5*4 + 0.5*(3 + 2) = 4.5.
  Window w({{0, 1}, {10, 3}, {20, 4}}, 0, 20);
  EXPECT_DOUBLE_EQ(Value("holt_winters", w, {0.5, 0.5}), 4.5);
}

TEST(RangeFunctions, OverTimeAggregates) {
  Window w({{0, 1}, {10, 4}, {20, 2}, {30, 3}}, 0, 30);
  EXPECT_DOUBLE_EQ(Value("avg_over_time", w), 2.5);
  EXPECT_DOUBLE_EQ(Value("sum_over_time", w), 10);
  EXPECT_EQ(Value("count_over_time", w), 4);
  EXPECT_EQ(Value("min_over_time", w), 1);
  EXPECT_EQ(Value("max_over_time", w), 4);
  EXPECT_EQ(Value("last_over_time", w), 3);
  EXPECT_EQ(Value("present_over_time", w), 1);
  EXPECT_DOUBLE_EQ(Value("quantile_over_time", w, {0.5}), 2.5);
}

TEST(RangeFunctions, StddevAndStdvarArePopulationStatistics) {
  // The textbook set: mean 5, squared deviations sum 32 over 8 values.
  Window w({{1, 2}, {2, 4}, {3, 4}, {4, 4}, {5, 5}, {6, 5}, {7, 7}, {8, 9}}, 0, 8);
  EXPECT_DOUBLE_EQ(Value("stdvar_over_time", w), 4);
  EXPECT_DOUBLE_EQ(Value("stddev_over_time", w), 2);
  Window one({{1, 3}}, 0, 8);
  EXPECT_EQ(Value("stdvar_over_time", one), 0);
}

TEST(RangeFunctions, SumOverTimeCompensatesLostDigits) {
  // Plain summation loses the 1 against 1e100; Kahan-Neumaier keeps it.
  Window w({{1, 1e100}, {2, 1}, {3, -1e100}}, 0, 3);
  EXPECT_EQ(Value("sum_over_time", w), 1);
}

TEST(RangeFunctions, AvgOverTimeKeepsInfinities) {
  EXPECT_EQ(Value("avg_over_time", Window({{1, kInf}, {2, 1}, {3, kInf}}, 0, 3)), kInf);
  EXPECT_EQ(Value("avg_over_time", Window({{1, -kInf}, {2, 5}}, 0, 3)), -kInf);
  EXPECT_TRUE(std::isnan(Value("avg_over_time", Window({{1, kInf}, {2, -kInf}}, 0, 3))));
  EXPECT_TRUE(std::isnan(Value("avg_over_time", Window({{1, kInf}, {2, kNaN}}, 0, 3))));
}

TEST(RangeFunctions, MinAndMaxSkipNaNUnlessAllAreNaN) {
  Window leading({{1, kNaN}, {2, 1}, {3, 2}}, 0, 3);
  EXPECT_EQ(Value("max_over_time", leading), 2);
  EXPECT_EQ(Value("min_over_time", leading), 1);
  // A NaN after a number loses both comparisons.
  Window trailing({{1, 1}, {2, kNaN}}, 0, 3);
  EXPECT_EQ(Value("max_over_time", trailing), 1);
  EXPECT_EQ(Value("min_over_time", trailing), 1);
  EXPECT_TRUE(std::isnan(Value("max_over_time", Window({{1, kNaN}}, 0, 3))));
}

// --- Wattline's extensions ---

TEST(IncreaseExact, AdjoiningWindowsAddUpToTheWhole) {
  // An energy counter read every 15 minutes, with a reset at 45 min.
  std::vector<std::pair<double, double>> all = {{-10, 100}, {900, 110}, {1800, 130},
                                                {2700, 5},  {3600, 25}, {4500, 35},
                                                {5400, 50}, {6300, 50}, {7200, 60}};
  auto window = [&](double start, double end) {
    std::vector<std::pair<double, double>> inside;
    std::optional<SamplePoint> before;
    for (auto [t, v] : all) {
      if (t < start) before = SamplePoint{static_cast<int64_t>(t * 1000), v};
      if (t >= start && t <= end) inside.push_back({t, v});
    }
    Window w(inside, start, end);
    w.window.before = before;
    return w;
  };
  // First hour: 10 + 20 + 5 (after the reset) + 20.
  EXPECT_EQ(Value("increase_exact", window(0, 3600)), 55);
  // Second hour starts from the sample exactly at 3600 s: 10 + 15 + 0 + 10.
  EXPECT_EQ(Value("increase_exact", window(3600, 7200)), 35);
  EXPECT_EQ(Value("increase_exact", window(0, 7200)), 90);
}

TEST(IncreaseExact, SeriesStartingInsideTheWindowStartsFromItsFirstSample) {
  Window w({{10, 5}, {20, 8}, {30, 12}}, 0, 60);
  EXPECT_EQ(Value("increase_exact", w), 7);
}

TEST(IncreaseExact, NothingAfterTheBaseGivesNoValue) {
  Window only_base({{0, 5}}, 0, 60);
  only_base.window.before = SamplePoint{-10'000, 3};  // older than the point at 0 s
  EXPECT_FALSE(Call("increase_exact", only_base).has_value());
  Window single({{30, 5}}, 0, 60);
  EXPECT_FALSE(Call("increase_exact", single).has_value());
  // With a base before the window, one point inside is enough.
  single.window.before = SamplePoint{-5'000, 2};
  EXPECT_EQ(Value("increase_exact", single), 3);
}

TEST(Integrate, ConstantKilowattForAnHourIsThreePointSixMegajoules) {
  std::vector<std::pair<double, double>> samples;
  for (int t = 0; t <= 3600; t += 10) samples.push_back({t, 1000});
  EXPECT_DOUBLE_EQ(Value("integrate", Window(samples, 0, 3600)), 3.6e6);
}

TEST(Integrate, AdjoiningWindowsAddUpToTheWhole) {
  // A ramp from 0 W to 40 W over 120 s: 20 W on average, 2400 J.
  std::vector<std::pair<double, double>> ramp = {{0, 0}, {30, 10}, {60, 20}, {90, 30}, {120, 40}};
  Window first({ramp.begin(), ramp.begin() + 3}, 0, 60);
  Window second({ramp.begin() + 2, ramp.end()}, 60, 120);
  EXPECT_DOUBLE_EQ(Value("integrate", first), 5 * 30 + 15 * 30);
  EXPECT_DOUBLE_EQ(Value("integrate", second), 25 * 30 + 35 * 30);
  EXPECT_DOUBLE_EQ(Value("integrate", Window(ramp, 0, 120)), 2400);
}

TEST(Integrate, StartsFromTheSampleBeforeTheWindow) {
  Window w({{30, 200}}, 0, 60);
  w.window.before = SamplePoint{-30'000, 100};
  EXPECT_DOUBLE_EQ(Value("integrate", w), 150.0 * 60);
}

TEST(Integrate, GapsLongerThanFiveMinutesCountNothing) {
  // 0-60 s: 100 W * 60 s; 60-460 s: a 400 s gap; 460-520 s: 150 W * 60 s.
  Window w({{0, 100}, {60, 100}, {460, 100}, {520, 200}}, 0, 600);
  EXPECT_DOUBLE_EQ(Value("integrate", w), 6000 + 9000);
  // Exactly five minutes still counts.
  Window five({{0, 10}, {300, 20}}, 0, 600);
  EXPECT_DOUBLE_EQ(Value("integrate", five), 15.0 * 300);
  // Only a gap: a value of 0, not none.
  Window dead({{0, 10}, {400, 20}}, 0, 600);
  EXPECT_EQ(Value("integrate", dead), 0);
}

TEST(Integrate, NoSegmentEndingInTheWindowGivesNoValue) {
  Window w({{30, 5}}, 0, 60);
  EXPECT_FALSE(Call("integrate", w).has_value());
}

}  // namespace
}  // namespace wattline::aggregator
