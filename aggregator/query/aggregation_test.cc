// StepAggregator::WholeSeries against Step, its reference: the same
// aggregation of the same matrix, one step at a time, must give the same
// groups, in the same order, with the same values to the bit.
#include "aggregator/query/aggregation.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "aggregator/query/parser.h"

namespace wattline::aggregator {
namespace {

constexpr int64_t kStart = 1'700'000'000'000;
constexpr int64_t kInterval = 60'000;
const Steps kTenSteps(kStart, kStart + 9 * kInterval, kInterval);

LabelsRef Metric(const std::string& device, const std::string& phase) {
  return std::make_shared<const Labels>(
      Labels{{"__name__", "power_watts"}, {"device", device}, {"phase", phase}});
}

std::unique_ptr<AggregateExpr> Aggregate(const std::string& query) {
  Result<std::unique_ptr<Expr>> expr = ParseExpr(query);
  EXPECT_TRUE(expr.ok()) << expr.status().ToString();
  EXPECT_EQ((*expr)->kind, Expr::Kind::kAggregate);
  return std::unique_ptr<AggregateExpr>(static_cast<AggregateExpr*>(expr->release()));
}

// What Step gives at each step, gathered into series in the order their
// groups first come (the engine's RangeEval).
StepMatrix StepByStep(const AggregateExpr& expr, const StepMatrix& input, uint64_t steps) {
  StepAggregator aggregator(expr);
  StepMatrix out;
  for (uint64_t i = 0; i < steps; ++i) {
    const int64_t t = kStart + static_cast<int64_t>(i) * kInterval;
    StepVector at_step;
    for (const StepSeries& series : input) {
      for (const SamplePoint& point : series.points) {
        if (point.timestamp_ms == t) at_step.push_back({series.metric, point.value});
      }
    }
    Result<StepVector> result = aggregator.Step(at_step, 0, "");
    EXPECT_TRUE(result.ok());
    for (const StepSample& sample : *result) {
      auto it = std::find_if(out.begin(), out.end(),
                             [&](const StepSeries& s) { return *s.metric == *sample.metric; });
      if (it == out.end()) it = out.insert(out.end(), StepSeries{sample.metric, {}});
      it->points.push_back({t, sample.value});
    }
  }
  return out;
}

void ExpectSameToTheBit(const StepMatrix& expected, const StepMatrix& actual,
                        const std::string& query) {
  ASSERT_EQ(expected.size(), actual.size()) << query;
  for (size_t s = 0; s < expected.size(); ++s) {
    EXPECT_EQ(LabelsToString(*expected[s].metric), LabelsToString(*actual[s].metric)) << query;
    ASSERT_EQ(expected[s].points.size(), actual[s].points.size()) << query;
    for (size_t p = 0; p < expected[s].points.size(); ++p) {
      EXPECT_EQ(expected[s].points[p].timestamp_ms, actual[s].points[p].timestamp_ms) << query;
      EXPECT_EQ(std::bit_cast<uint64_t>(expected[s].points[p].value),
                std::bit_cast<uint64_t>(actual[s].points[p].value))
          << query << " series " << s << " point " << p << ": " << expected[s].points[p].value
          << " against " << actual[s].points[p].value;
    }
  }
}

// Twelve series over ten steps: groups that first appear at different
// steps, series with gaps, a point between steps (which no step sees),
// values whose sums depend on their order, NaN and both infinities.
StepMatrix Input() {
  const double inf = std::numeric_limits<double>::infinity();
  const double specials[] = {1e16, -1e16, 0.1, 0.2, 0.3, inf, -inf, std::nan(""), 7, -3.5};
  StepMatrix input;
  for (int k = 0; k < 12; ++k) {
    StepSeries series{Metric("device" + std::to_string(k % 6), k < 6 ? "a" : "b"), {}};
    for (int64_t i = k / 3; i < 10; ++i) {  // later series start later
      if ((i + k) % 4 == 0) continue;       // and have gaps
      const double value = specials[(i * 7 + k * 3) % 10] * (k % 2 == 0 ? 1 : 0.5);
      series.points.push_back({kStart + i * kInterval, value});
      if (k == 4 && i == 5) series.points.push_back({kStart + i * kInterval + 1, 99});
    }
    input.push_back(std::move(series));
  }
  return input;
}

TEST(StepAggregatorWholeSeries, GivesWhatStepGivesAtEveryStep) {
  const StepMatrix input = Input();
  for (const char* op : {"sum", "avg", "min", "max", "count", "group", "stddev", "stdvar"}) {
    for (const char* grouping : {"", " by (phase)", " without (phase)", " by (device)"}) {
      const std::string query = std::string(op) + grouping + " (power_watts)";
      const std::unique_ptr<AggregateExpr> expr = Aggregate(query);
      ASSERT_TRUE(StepAggregator::FoldsWholeSeries(expr->op)) << query;
      StepAggregator aggregator(*expr);
      std::optional<StepMatrix> folded = aggregator.WholeSeries(input, kTenSteps);
      ASSERT_TRUE(folded.has_value()) << query;
      ExpectSameToTheBit(StepByStep(*expr, input, 10), *folded, query);
    }
  }
}

TEST(StepAggregatorWholeSeries, ListsGroupsInTheOrderStepWouldAtOneStep) {
  // At the single step, phase c's first series comes before phase a's.
  StepMatrix input;
  input.push_back({Metric("oven", "b"), {}});
  input.push_back({Metric("lamp", "c"), {{kStart, 1}}});
  input.push_back({Metric("heater", "a"), {{kStart, 2}}});
  input.push_back({Metric("fridge", "b"), {{kStart, 3}}});
  const std::unique_ptr<AggregateExpr> expr = Aggregate("sum by (phase) (power_watts)");
  StepAggregator aggregator(*expr);
  std::optional<StepMatrix> folded = aggregator.WholeSeries(input, Steps(kStart, kStart, 1));
  ASSERT_TRUE(folded.has_value());
  ASSERT_EQ(folded->size(), 3u);
  EXPECT_EQ(LabelsToString(*(*folded)[0].metric), "{phase=\"c\"}");
  EXPECT_EQ(LabelsToString(*(*folded)[1].metric), "{phase=\"a\"}");
  EXPECT_EQ(LabelsToString(*(*folded)[2].metric), "{phase=\"b\"}");
  EXPECT_EQ((*folded)[2].points.at(0).value, 3);
}

TEST(StepAggregatorWholeSeries, DeclinesWhenGroupsStepsOutnumberTheInputsPoints) {
  // Three groups of one point each over 10 steps: 30 slots for 3 points.
  StepMatrix input;
  input.push_back({Metric("oven", "a"), {{kStart, 1}}});
  input.push_back({Metric("lamp", "b"), {{kStart + kInterval, 1}}});
  input.push_back({Metric("heater", "c"), {{kStart + 2 * kInterval, 1}}});
  const std::unique_ptr<AggregateExpr> expr = Aggregate("sum by (phase) (power_watts)");
  StepAggregator aggregator(*expr);
  EXPECT_FALSE(aggregator.WholeSeries(input, kTenSteps).has_value());
  // One group: 10 slots for 3 points is still more; 3 steps is not.
  const std::unique_ptr<AggregateExpr> all = Aggregate("sum(power_watts)");
  StepAggregator one_group(*all);
  EXPECT_FALSE(one_group.WholeSeries(input, kTenSteps).has_value());
  std::optional<StepMatrix> folded =
      one_group.WholeSeries(input, Steps(kStart, kStart + 2 * kInterval, kInterval));
  ASSERT_TRUE(folded.has_value());
  ASSERT_EQ(folded->size(), 1u);
  EXPECT_EQ(folded->front().points.size(), 3u);
}

TEST(StepAggregatorWholeSeries, OnlyTheOperatorsWithoutAParameter) {
  for (const char* query : {"topk(2, power_watts)", "bottomk(2, power_watts)",
                            "quantile(0.5, power_watts)", "count_values(\"v\", power_watts)"}) {
    EXPECT_FALSE(StepAggregator::FoldsWholeSeries(Aggregate(query)->op)) << query;
  }
}

}  // namespace
}  // namespace wattline::aggregator
