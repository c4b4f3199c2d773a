#include "common/rfc3339.h"

#include <gtest/gtest.h>

namespace wattline {
namespace {

TEST(Rfc3339, DropsTrailingZerosOfTheFractionAsGoDoes) {
  EXPECT_EQ(FormatRfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(1'500), "1970-01-01T00:00:01.5Z");
  EXPECT_EQ(FormatRfc3339(1'767'225'600'250), "2026-01-01T00:00:00.25Z");
  EXPECT_EQ(FormatRfc3339(-1), "1969-12-31T23:59:59.999Z");
}

}  // namespace
}  // namespace wattline
