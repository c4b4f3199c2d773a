#include "aggregator/api/prom_json.h"

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <string_view>

namespace wattline::aggregator {
namespace {

TEST(PromJson, FormatsValuesAsGoFormatFloatF) {
  EXPECT_EQ(FormatSampleValue(0), "0");
  EXPECT_EQ(FormatSampleValue(-0.0), "-0");
  EXPECT_EQ(FormatSampleValue(1), "1");
  EXPECT_EQ(FormatSampleValue(0.1), "0.1");
  EXPECT_EQ(FormatSampleValue(-1.5), "-1.5");
  EXPECT_EQ(FormatSampleValue(230.123), "230.123");
  EXPECT_EQ(FormatSampleValue(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(FormatSampleValue(0.000123), "0.000123");
  EXPECT_EQ(FormatSampleValue(1e-7), "0.0000001");
  EXPECT_EQ(FormatSampleValue(123456789.125), "123456789.125");
  EXPECT_EQ(FormatSampleValue(1e21), "1000000000000000000000");
  // Shortest digits, padded: not the exact value 99999999999999991611392.
  EXPECT_EQ(FormatSampleValue(1e23), "100000000000000000000000");
  EXPECT_EQ(FormatSampleValue(5e-324), "0." + std::string(323, '0') + "5");
  EXPECT_EQ(FormatSampleValue(std::numeric_limits<double>::max()),
            "17976931348623157" + std::string(292, '0'));
}

// Go's digits are the shortest that read back, laid out without an
// exponent: checked on values of every magnitude around 1e15, where the
// formatter changes method.
TEST(PromJson, FormatsEveryMagnitudeWithTheShortestDigitsThatReadBack) {
  std::mt19937_64 random(7);
  std::uniform_real_distribution<double> mantissa(1, 10);
  for (int exponent = -12; exponent <= 22; ++exponent) {
    for (int i = 0; i < 200; ++i) {
      const double value = (i % 2 ? -1 : 1) * mantissa(random) * std::pow(10.0, exponent);
      const std::string text = FormatSampleValue(value);
      ASSERT_EQ(text.find_first_of("eE"), std::string::npos) << text;
      double parsed = 0;
      std::from_chars(text.data(), text.data() + text.size(), parsed);
      ASSERT_EQ(parsed, value) << text;
      // As many significant digits as the shortest scientific form has.
      char scientific[64];
      const auto printed = std::to_chars(scientific, scientific + sizeof(scientific), value,
                                         std::chars_format::scientific);
      const std::string_view shortest(scientific, static_cast<size_t>(printed.ptr - scientific));
      const auto digits_of = [](std::string_view s) {
        s = s.substr(0, s.find('e'));
        std::string digits;
        for (char c : s) {
          if (c >= '0' && c <= '9') digits += c;
        }
        digits.erase(0, digits.find_first_not_of('0'));
        digits.erase(digits.find_last_not_of('0') + 1);
        return digits;
      };
      ASSERT_EQ(digits_of(text), digits_of(shortest)) << text << " vs " << shortest;
    }
  }
}

TEST(PromJson, FormatsSpecialValuesAsPrometheus) {
  EXPECT_EQ(FormatSampleValue(std::nan("")), "NaN");
  EXPECT_EQ(FormatSampleValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatSampleValue(-std::numeric_limits<double>::infinity()), "-Inf");
}

TEST(PromJson, WritesTimestampsAsSecondsWithMilliseconds) {
  Vector vector = {{{{"__name__", "a"}}, 1'700'000'000'000, 1},
                   {{{"__name__", "b"}}, 1'700'000'000'001, 1},
                   {{{"__name__", "c"}}, 1'700'000'000'120, 1},
                   {{{"__name__", "d"}}, -1'500, 1},
                   {{{"__name__", "e"}}, 0, 1}};
  EXPECT_EQ(EncodeVectorResult(vector),
            R"({"status":"success","data":{"resultType":"vector","result":[)"
            R"({"metric":{"__name__":"a"},"value":[1700000000,"1"]},)"
            R"({"metric":{"__name__":"b"},"value":[1700000000.001,"1"]},)"
            R"({"metric":{"__name__":"c"},"value":[1700000000.12,"1"]},)"
            R"({"metric":{"__name__":"d"},"value":[-1.5,"1"]},)"
            R"({"metric":{"__name__":"e"},"value":[0,"1"]}]}})");
}

TEST(PromJson, EncodesMatrices) {
  Matrix matrix = {{{{"__name__", "a"}, {"phase", "b"}}, {{1000, 1}, {2000, 2.5}}},
                   {{}, {{3000, -1}}}};
  EXPECT_EQ(EncodeMatrixResult(matrix),
            R"({"status":"success","data":{"resultType":"matrix","result":[)"
            R"({"metric":{"__name__":"a","phase":"b"},"values":[[1,"1"],[2,"2.5"]]},)"
            R"({"metric":{},"values":[[3,"-1"]]}]}})");
  EXPECT_EQ(EncodeMatrixResult({}),
            R"({"status":"success","data":{"resultType":"matrix","result":[]}})");
}

TEST(PromJson, EscapesLabelValues) {
  Vector vector = {{{{"__name__", "a"}, {"note", "say \"hi\"\\\n\x01"}, {"bad", "\xff"}}, 0, 1}};
  EXPECT_EQ(EncodeVectorResult(vector),
            R"({"status":"success","data":{"resultType":"vector","result":[)"
            R"({"metric":{"__name__":"a","note":"say \"hi\"\\\n\u0001","bad":")"
            "\xef\xbf\xbd"  // invalid UTF-8 becomes U+FFFD
            R"("},)"
            R"("value":[0,"1"]}]}})");
}

// Label text written as it is must be what nlohmann-json writes for it:
// every byte alone, and in a longer value.
TEST(PromJson, WritesEveryLabelByteAsNlohmannJsonDoes) {
  for (int byte = 0; byte < 256; ++byte) {
    for (const std::string& value : {std::string(1, static_cast<char>(byte)),
                                     "ab" + std::string(1, static_cast<char>(byte))}) {
      Vector vector = {{{{"k", value}}, 0, 1}};
      nlohmann::ordered_json metric = nlohmann::ordered_json::object();
      metric["k"] = value;
      const std::string expected =
          R"({"status":"success","data":{"resultType":"vector","result":[{"metric":)" +
          metric.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) +
          R"(,"value":[0,"1"]}]}})";
      EXPECT_EQ(EncodeVectorResult(vector), expected) << "byte " << byte;
    }
  }
  // Valid UTF-8 ("Küche €") is kept as it is.
  Vector utf8 = {{{{"room",
                    "K\xc3\xbc"
                    "che \xe2\x82\xac"}},
                  0,
                  1}};
  EXPECT_NE(EncodeVectorResult(utf8).find("\"room\":\"K\xc3\xbc"
                                          "che \xe2\x82\xac\""),
            std::string::npos);
}

TEST(PromJson, EncodesErrorsWithPrometheusTypesAndStatuses) {
  EXPECT_EQ(
      EncodeError(ApiErrorType::kBadData, "invalid parameter \"query\": x"),
      R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": x"})");
  EXPECT_EQ(ApiErrorHttpStatus(ApiErrorType::kBadData), 400);
  EXPECT_EQ(ApiErrorHttpStatus(ApiErrorType::kExecution), 422);
  EXPECT_EQ(ApiErrorHttpStatus(ApiErrorType::kTimeout), 503);
  EXPECT_EQ(ApiErrorHttpStatus(ApiErrorType::kInternal), 500);
  EXPECT_EQ(ApiErrorHttpStatus(ApiErrorType::kUnavailable), 503);
  EXPECT_EQ(ApiErrorHttpStatus(ApiErrorType::kNotFound), 404);
  EXPECT_EQ(ApiErrorTypeName(ApiErrorType::kExecution), "execution");
  EXPECT_EQ(ApiErrorTypeName(ApiErrorType::kTimeout), "timeout");
  EXPECT_EQ(ApiErrorTypeName(ApiErrorType::kInternal), "internal");
}

}  // namespace
}  // namespace wattline::aggregator
