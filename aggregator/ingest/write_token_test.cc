#include "aggregator/ingest/write_token.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "common/testing/temp_dir.h"

namespace wattline::aggregator {
namespace {

class WriteTokenFile : public ::testing::Test {
 protected:
  std::string Write(const std::string& contents, mode_t mode) {
    std::string path = dir_.File("token");
    std::ofstream(path, std::ios::trunc) << contents;
    EXPECT_EQ(chmod(path.c_str(), mode), 0);
    return path;
  }

  testing::TempDir dir_;
};

TEST_F(WriteTokenFile, ReadsTheTokenWithoutTheNewlineEchoAdds) {
  Result<std::string> token = LoadWriteToken(Write("  s3cret-Token_1\n", 0600));
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  EXPECT_EQ(*token, "s3cret-Token_1");
}

TEST_F(WriteTokenFile, RefusesAFileGroupOrOthersMayRead) {
  for (mode_t mode : {0640, 0604, 0620, 0644}) {
    Result<std::string> token = LoadWriteToken(Write("secret\n", mode));
    ASSERT_FALSE(token.ok()) << std::oct << mode;
    EXPECT_EQ(token.status().code(), Status::Code::kPermissionDenied);
    EXPECT_NE(token.status().message().find("chmod 600"), std::string::npos);
  }
  EXPECT_TRUE(LoadWriteToken(Write("secret\n", 0400)).ok());
}

TEST_F(WriteTokenFile, RefusesAnEmptyFile) {
  Result<std::string> token = LoadWriteToken(Write(" \n\n", 0600));
  ASSERT_FALSE(token.ok());
  EXPECT_NE(token.status().message().find("is empty"), std::string::npos);
}

TEST_F(WriteTokenFile, RefusesTwoTokens) {
  EXPECT_FALSE(LoadWriteToken(Write("one\ntwo\n", 0600)).ok());
}

TEST_F(WriteTokenFile, RefusesAMissingFileOrADirectory) {
  EXPECT_FALSE(LoadWriteToken(dir_.File("missing")).ok());
  EXPECT_FALSE(LoadWriteToken(dir_.path()).ok());
}

TEST(WriteTokenCheck, MatchesOnlyTheBearerToken) {
  WriteTokenCheck check("s3cret");
  EXPECT_TRUE(check.enabled());
  EXPECT_TRUE(check.Matches("Bearer s3cret"));
  EXPECT_TRUE(check.Matches("bearer s3cret"));
  EXPECT_FALSE(check.Matches(""));
  EXPECT_FALSE(check.Matches("Bearer "));
  EXPECT_FALSE(check.Matches("Bearer s3cre"));
  EXPECT_FALSE(check.Matches("Bearer s3cret2"));
  EXPECT_FALSE(check.Matches("Bearer S3CRET"));
  EXPECT_FALSE(check.Matches("Basic s3cret"));
  EXPECT_FALSE(check.Matches("s3cret"));
}

TEST(WriteTokenCheck, WithoutATokenNothingMatches) {
  WriteTokenCheck check("");
  EXPECT_FALSE(check.enabled());
  EXPECT_FALSE(check.Matches("Bearer "));
  EXPECT_FALSE(check.Matches("Bearer"));
}

}  // namespace
}  // namespace wattline::aggregator
