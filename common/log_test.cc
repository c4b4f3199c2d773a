#include "common/log.h"

#include <gtest/gtest.h>

namespace wattline {
namespace {

TEST(Log, ParsesEveryLevelName) {
  EXPECT_EQ(*ParseLogLevel("debug"), LogLevel::kDebug);
  EXPECT_EQ(*ParseLogLevel("info"), LogLevel::kInfo);
  EXPECT_EQ(*ParseLogLevel("warning"), LogLevel::kWarning);
  EXPECT_EQ(*ParseLogLevel("error"), LogLevel::kError);
}

TEST(Log, RefusesAnUnknownLevelNamingIt) {
  auto level = ParseLogLevel("verbose");
  ASSERT_FALSE(level.ok());
  EXPECT_NE(level.status().message().find("\"verbose\""), std::string::npos);
}

TEST(Log, ThrottleLetsOneLineThroughPerIntervalAndCountsTheRest) {
  LogThrottle throttle(1000);
  EXPECT_TRUE(throttle.Allow(0));
  EXPECT_FALSE(throttle.Allow(10));
  EXPECT_FALSE(throttle.Allow(999));
  EXPECT_TRUE(throttle.Allow(1000));
  EXPECT_EQ(throttle.suppressed(), 2u);
}

}  // namespace
}  // namespace wattline
