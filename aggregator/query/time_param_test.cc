#include "aggregator/query/time_param.h"

#include <gtest/gtest.h>

namespace wattline::aggregator {
namespace {

std::string Time(std::string_view text) {
  Result<int64_t> ms = ParseTimeParam(text);
  return ms.ok() ? std::to_string(*ms) : "error: " + ms.status().message();
}

std::string Duration(std::string_view text) {
  Result<int64_t> ms = ParseDurationParam(text);
  return ms.ok() ? std::to_string(*ms) : "error: " + ms.status().message();
}

TEST(TimeParam, ReadsUnixSecondsToTheMillisecond) {
  EXPECT_EQ(Time("1700000000"), "1700000000000");
  EXPECT_EQ(Time("1700000000.123"), "1700000000123");
  EXPECT_EQ(Time("1700000000.1234"), "1700000000123");
  EXPECT_EQ(Time("1700000000.1236"), "1700000000124");  // rounded, as Prometheus rounds
  EXPECT_EQ(Time("1700000000.9996"), "1700000001000");
  EXPECT_EQ(Time("1.7e9"), "1700000000000");
  EXPECT_EQ(Time("0"), "0");
  EXPECT_EQ(Time("-1.5"), "-1500");
}

TEST(TimeParam, ReadsRfc3339) {
  EXPECT_EQ(Time("2023-11-14T22:13:20Z"), "1700000000000");
  EXPECT_EQ(Time("2023-11-14T22:13:20.123Z"), "1700000000123");
  EXPECT_EQ(Time("2023-11-14T22:13:20.1239999999Z"), "1700000000123");  // truncated
  EXPECT_EQ(Time("2023-11-14T22:13:20.5Z"), "1700000000500");
  EXPECT_EQ(Time("2023-11-14T23:13:20+01:00"), "1700000000000");
  EXPECT_EQ(Time("2023-11-14T21:43:20.123-00:30"), "1700000000123");
  EXPECT_EQ(Time("1970-01-01T00:00:00Z"), "0");
  EXPECT_EQ(Time("1969-12-31T23:59:59.5Z"), "-500");
  EXPECT_EQ(Time("2024-02-29T00:00:00Z"), "1709164800000");
  EXPECT_EQ(Time("2000-03-01T00:00:00Z"), "951868800000");
}

TEST(TimeParam, RefusesOtherTimestampsInPrometheusWords) {
  EXPECT_EQ(Time("x"), "error: cannot parse \"x\" to a valid timestamp");
  EXPECT_EQ(Time(""), "error: cannot parse \"\" to a valid timestamp");
  for (std::string_view bad :
       {"2023-11-14", "2023-11-14T22:13:20", "2023-11-14 22:13:20Z", "2023-11-14t22:13:20Z",
        "2023-11-14T22:13:20z", "2023-13-01T00:00:00Z", "2023-02-29T00:00:00Z",
        "2023-11-31T00:00:00Z", "2023-11-14T24:00:00Z", "2023-11-14T22:60:00Z",
        "2023-11-14T22:13:60Z", "2023-11-14T22:13:20.Z", "2023-11-14T22:13:20+0100",
        "2023-11-14T22:13:20+01", "2023-11-14T22:13:20Z ", "+2023-11-14T22:13:20Z", "inf", "NaN",
        "1e300"}) {
    EXPECT_EQ(Time(bad), "error: cannot parse " + std::string("\"") + std::string(bad) +
                             "\" to a valid timestamp");
  }
}

TEST(TimeParam, ReadsDurationsAsSecondsOrPrometheusSyntax) {
  EXPECT_EQ(Duration("15"), "15000");
  EXPECT_EQ(Duration("0.5"), "500");
  EXPECT_EQ(Duration("1.0015"), "1001");  // truncated to the millisecond
  EXPECT_EQ(Duration("15s"), "15000");
  EXPECT_EQ(Duration("1m30s"), "90000");
  EXPECT_EQ(Duration("1h"), "3600000");
  EXPECT_EQ(Duration("500ms"), "500");
  EXPECT_EQ(Duration("1d"), "86400000");
  EXPECT_EQ(Duration("1w"), "604800000");
  EXPECT_EQ(Duration("1y"), "31536000000");
  EXPECT_EQ(Duration("0"), "0");
  EXPECT_EQ(Duration("-15"), "-15000");
}

TEST(TimeParam, RefusesOtherDurationsInPrometheusWords) {
  EXPECT_EQ(Duration("x"), "error: cannot parse \"x\" to a valid duration");
  EXPECT_EQ(Duration(""), "error: cannot parse \"\" to a valid duration");
  EXPECT_EQ(Duration("1h1h"), "error: cannot parse \"1h1h\" to a valid duration");
  EXPECT_EQ(Duration("NaN"), "error: cannot parse \"NaN\" to a valid duration");
  EXPECT_EQ(Duration("1e10"),
            "error: cannot parse \"1e10\" to a valid duration. It overflows int64");
  EXPECT_EQ(Duration("-Inf"),
            "error: cannot parse \"-Inf\" to a valid duration. It overflows int64");
}

}  // namespace
}  // namespace wattline::aggregator
