#include "tests/promql/answer_compare.h"

#include <gtest/gtest.h>

namespace wattline::testing {
namespace {

ApiAnswer Ok(const std::string& data) {
  return {200, R"({"status":"success","data":)" + data + "}"};
}

ApiAnswer Error(int http_status, const std::string& type) {
  return {http_status, R"({"status":"error","errorType":")" + type + R"(","error":"x"})"};
}

std::string Vector(const std::string& samples) {
  return R"({"resultType":"vector","result":[)" + samples + "]}";
}

TEST(ValuesAgree, WithinARelativeBillionth) {
  EXPECT_TRUE(ValuesAgree("1000", "1000.0000001"));  // 1e-10 relative
  EXPECT_FALSE(ValuesAgree("1000", "1000.00001"));   // 1e-8 relative
  EXPECT_TRUE(ValuesAgree("0", "0"));
  EXPECT_FALSE(ValuesAgree("0", "1e-300"));
  EXPECT_TRUE(ValuesAgree("-2.5", "-2.5000000000001"));
  EXPECT_FALSE(ValuesAgree("2.5", "-2.5"));
}

TEST(ValuesAgree, NanEqualsNanAndInfinitiesTheirSign) {
  EXPECT_TRUE(ValuesAgree("NaN", "NaN"));
  EXPECT_FALSE(ValuesAgree("NaN", "0"));
  EXPECT_TRUE(ValuesAgree("+Inf", "+Inf"));
  EXPECT_FALSE(ValuesAgree("+Inf", "-Inf"));
  EXPECT_FALSE(ValuesAgree("+Inf", "1e308"));
  EXPECT_FALSE(ValuesAgree("12", "twelve"));
}

TEST(OutermostIsSort, OnlyAWholeQueryCall) {
  EXPECT_TRUE(OutermostIsSort("sort(power_watts)"));
  EXPECT_TRUE(OutermostIsSort(" sort_desc ( rate(x[5m]) ) "));
  EXPECT_TRUE(OutermostIsSort("(sort(power_watts))"));
  EXPECT_TRUE(OutermostIsSort(R"q(sort(label_replace(x, "a", ")", "b", "(.*)")))q"));
  EXPECT_FALSE(OutermostIsSort("sort(a) + sort(b)"));
  EXPECT_FALSE(OutermostIsSort("sum(sort(a))"));
  EXPECT_FALSE(OutermostIsSort("sorted_power"));
}

TEST(CompareAnswers, SameSeriesInAnyOrderAgree) {
  const std::string a = R"({"metric":{"device":"a"},"value":[1767225600,"1"]})";
  const std::string b = R"({"metric":{"device":"b"},"value":[1767225600,"2"]})";
  EXPECT_EQ(CompareAnswers(Ok(Vector(a + "," + b)), Ok(Vector(b + "," + a)), false), "");
  EXPECT_NE(CompareAnswers(Ok(Vector(a + "," + b)), Ok(Vector(b + "," + a)), true), "");
}

TEST(CompareAnswers, NamesTheMissingSeriesAndTheDifferingValue) {
  const std::string a = R"({"metric":{"device":"a"},"value":[1767225600,"1"]})";
  const std::string b = R"({"metric":{"device":"b"},"value":[1767225600,"2"]})";
  const std::string b3 = R"({"metric":{"device":"b"},"value":[1767225600,"3"]})";
  EXPECT_EQ(CompareAnswers(Ok(Vector(a + "," + b)), Ok(Vector(a)), false),
            R"(2 vs 1 series; ours lacks {device="b"})");
  EXPECT_EQ(CompareAnswers(Ok(Vector(b)), Ok(Vector(b3)), false),
            R"(value of {device="b"} at 1767225600: 2 vs 3)");
}

TEST(CompareAnswers, MatrixPointsAndTheirTimestamps) {
  const std::string reference =
      R"({"resultType":"matrix","result":[{"metric":{},"values":[[1767225600,"1"],[1767225615,"2"]]}]})";
  const std::string shifted =
      R"({"resultType":"matrix","result":[{"metric":{},"values":[[1767225600,"1"],[1767225630,"2"]]}]})";
  const std::string shorter =
      R"({"resultType":"matrix","result":[{"metric":{},"values":[[1767225600,"1"]]}]})";
  EXPECT_EQ(CompareAnswers(Ok(reference), Ok(reference), false), "");
  EXPECT_EQ(CompareAnswers(Ok(reference), Ok(shifted), false),
            "point 1 of {}: timestamp 1767225615 vs 1767225630");
  EXPECT_EQ(CompareAnswers(Ok(reference), Ok(shorter), false),
            "{}: 2 vs 1 points, first extra at 1767225615");
}

TEST(CompareAnswers, ErrorsCompareByTypeOnly) {
  EXPECT_EQ(CompareAnswers(Error(400, "bad_data"), Error(400, "bad_data"), false), "");
  EXPECT_NE(CompareAnswers(Error(400, "bad_data"), Error(422, "execution"), false), "");
  EXPECT_NE(CompareAnswers(Error(400, "bad_data"), Ok(Vector("")), false), "");
}

TEST(CompareAnswers, ScalarsAndResultTypes) {
  const std::string scalar = R"({"resultType":"scalar","result":[1767225600,"2"]})";
  EXPECT_EQ(CompareAnswers(Ok(scalar), Ok(scalar), false), "");
  EXPECT_EQ(CompareAnswers(Ok(scalar), Ok(Vector("")), false), "resultType scalar vs vector");
  EXPECT_EQ(CompareAnswers(Ok(scalar), {}, false), "the aggregator did not answer");
}

}  // namespace
}  // namespace wattline::testing
