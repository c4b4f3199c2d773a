#include "aggregator/query/histogram_quantile.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace wattline::aggregator {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

std::vector<HistogramBucket> Latencies() {
  return {{1, 40}, {0.1, 10}, {kInf, 40}, {0.5, 30}};  // unsorted on purpose
}

TEST(BucketQuantile, InterpolatesInsideTheBucketHoldingTheRank) {
  std::vector<HistogramBucket> buckets = Latencies();
  // rank 20 falls in (0.1, 0.5] holding 20: 0.1 + 0.4 * 10/20.
  EXPECT_DOUBLE_EQ(BucketQuantile(0.5, buckets), 0.3);
  buckets = Latencies();
  // rank 39.6 falls in (0.5, 1] holding 10: 0.5 + 0.5 * 9.6/10.
  EXPECT_DOUBLE_EQ(BucketQuantile(0.99, buckets), 0.98);
  buckets = Latencies();
  // rank 4 in the first bucket, which starts at 0: 0.1 * 4/10.
  EXPECT_DOUBLE_EQ(BucketQuantile(0.1, buckets), 0.04);
}

TEST(BucketQuantile, ARankInTheInfBucketGivesTheHighestFiniteBound) {
  std::vector<HistogramBucket> buckets = {{1, 10}, {kInf, 20}};
  EXPECT_EQ(BucketQuantile(0.9, buckets), 1);
}

TEST(BucketQuantile, CountsThatFallAreHeldLevel) {
  std::vector<HistogramBucket> buckets = {{1, 10}, {2, 8}, {kInf, 10}};
  EXPECT_DOUBLE_EQ(BucketQuantile(0.5, buckets), 0.5);
}

TEST(BucketQuantile, OutOfRangeAndMalformedHistograms) {
  std::vector<HistogramBucket> buckets = Latencies();
  EXPECT_EQ(BucketQuantile(1.5, buckets), kInf);
  EXPECT_EQ(BucketQuantile(-0.5, buckets), -kInf);
  EXPECT_TRUE(std::isnan(BucketQuantile(std::nan(""), buckets)));
  std::vector<HistogramBucket> no_inf = {{1, 1}, {2, 2}};
  EXPECT_TRUE(std::isnan(BucketQuantile(0.5, no_inf)));
  std::vector<HistogramBucket> only_inf = {{kInf, 3}};
  EXPECT_TRUE(std::isnan(BucketQuantile(0.5, only_inf)));
  std::vector<HistogramBucket> empty_histogram = {{1, 0}, {kInf, 0}};
  EXPECT_TRUE(std::isnan(BucketQuantile(0.5, empty_histogram)));
}

LabelsRef Bucket(const std::string& route, const std::string& le) {
  return std::make_shared<Labels>(
      Labels{{"__name__", "request_seconds_bucket"}, {"le", le}, {"route", route}});
}

TEST(HistogramQuantile, GroupsByTheLabelsWithoutLeAndDropsTheName) {
  const StepVector in = {
      {Bucket("a", "1"), 5},
      {Bucket("a", "+Inf"), 10},
      {Bucket("b", "2"), 4},
      {Bucket("b", "+Inf"), 4},
      {std::make_shared<Labels>(Labels{{"route", "c"}}), 1},
  };
  StepVector out = HistogramQuantile(0.5, in);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(*out[0].metric, (Labels{{"route", "a"}}));
  EXPECT_DOUBLE_EQ(out[0].value, 1);  // rank 5 at the top of (0, 1]
  EXPECT_EQ(*out[1].metric, (Labels{{"route", "b"}}));
  EXPECT_DOUBLE_EQ(out[1].value, 1);  // rank 2 of 4 in (0, 2]
}

}  // namespace
}  // namespace wattline::aggregator
