#include "common/duration.h"

#include <gtest/gtest.h>

namespace wattline {
namespace {

std::string ParseOrError(std::string_view text) {
  Result<int64_t> ms = ParseDurationMs(text);
  return ms.ok() ? std::to_string(*ms) : "error: " + ms.status().message();
}

TEST(Duration, ParsesEveryUnit) {
  EXPECT_EQ(ParseOrError("500ms"), "500");
  EXPECT_EQ(ParseOrError("15s"), "15000");
  EXPECT_EQ(ParseOrError("5m"), "300000");
  EXPECT_EQ(ParseOrError("1h"), "3600000");
  EXPECT_EQ(ParseOrError("1d"), "86400000");
  EXPECT_EQ(ParseOrError("1w"), "604800000");
  EXPECT_EQ(ParseOrError("1y"), "31536000000");
  EXPECT_EQ(ParseOrError("0"), "0");
  EXPECT_EQ(ParseOrError("0s"), "0");
}

TEST(Duration, CombinesUnitsFromLargestToSmallest) {
  EXPECT_EQ(ParseOrError("1m30s"), "90000");
  EXPECT_EQ(ParseOrError("1h30m15s250ms"), "5415250");
  EXPECT_EQ(ParseOrError("1y2w3d"), "33004800000");
  EXPECT_EQ(ParseOrError("90s"), "90000");
}

TEST(Duration, RefusesWhatPrometheusRefuses) {
  EXPECT_EQ(ParseOrError(""), "error: empty duration string");
  EXPECT_EQ(ParseOrError("30s1m"), "error: not a valid duration string: \"30s1m\"");
  EXPECT_EQ(ParseOrError("1h1h"), "error: not a valid duration string: \"1h1h\"");
  EXPECT_EQ(ParseOrError("5"), "error: not a valid duration string: \"5\"");
  EXPECT_EQ(ParseOrError("m"), "error: not a valid duration string: \"m\"");
  EXPECT_EQ(ParseOrError("-5m"), "error: not a valid duration string: \"-5m\"");
  EXPECT_EQ(ParseOrError("1.5h"), "error: unknown unit \".\" in duration \"1.5h\"");
  EXPECT_EQ(ParseOrError("1hs"), "error: unknown unit \"hs\" in duration \"1hs\"");
  EXPECT_EQ(ParseOrError("5M"), "error: unknown unit \"M\" in duration \"5M\"");
  EXPECT_EQ(ParseOrError("300y"), "error: duration out of range");
  EXPECT_EQ(ParseOrError("99999999999999999999s"),
            "error: not a valid duration string: "
            "\"99999999999999999999s\"");
}

}  // namespace
}  // namespace wattline
