#include "agent/state/source_state_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "common/testing/temp_dir.h"

namespace wattline::agent {
namespace {

TEST(SourceStateStore, GetOfAnAbsentKeyIsEmptyNotAnError) {
  testing::TempDir dir;
  auto store = SourceStateStore::Open(dir.File("state.db"));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto value = (*store)->Get("shelly_emdata/panel");
  ASSERT_TRUE(value.ok()) << value.status().ToString();
  EXPECT_FALSE(value->has_value());
}

TEST(SourceStateStore, PutReplacesAndValuesSurviveReopening) {
  testing::TempDir dir;
  const std::string binary("a\0b\xff", 4);
  {
    auto store = SourceStateStore::Open(dir.File("state.db"));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    ASSERT_TRUE((*store)->Put("k1", "first").ok());
    ASSERT_TRUE((*store)->Put("k1", "second").ok());
    ASSERT_TRUE((*store)->Put("k2", binary).ok());
    ASSERT_TRUE((*store)->Put("gone", "x").ok());
    ASSERT_TRUE((*store)->Delete("gone").ok());
    ASSERT_TRUE((*store)->Delete("never-there").ok());
  }
  auto store = SourceStateStore::Open(dir.File("state.db"));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto k1 = (*store)->Get("k1");
  ASSERT_TRUE(k1.ok() && k1->has_value());
  EXPECT_EQ(**k1, "second");
  auto k2 = (*store)->Get("k2");
  ASSERT_TRUE(k2.ok() && k2->has_value());
  EXPECT_EQ(**k2, binary);
  auto gone = (*store)->Get("gone");
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(gone->has_value());
}

TEST(SourceStateStore, NewFileIsPrivate) {
  testing::TempDir dir;
  auto store = SourceStateStore::Open(dir.File("state.db"));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  struct stat st {};
  ASSERT_EQ(::stat(dir.File("state.db").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(SourceStateStore, RefusesAFileThatIsNotADatabase) {
  testing::TempDir dir;
  {
    std::ofstream garbage(dir.File("state.db"));
    garbage << "this is not an SQLite database, just some text long enough to have a header\n";
  }
  auto store = SourceStateStore::Open(dir.File("state.db"));
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find("state.db"), std::string::npos)
      << store.status().ToString();
}

TEST(SourceStateStore, RefusesASchemaNewerThanItKnows) {
  testing::TempDir dir;
  {
    auto db = SqliteDb::Open(dir.File("state.db"), SqliteDb::Options{});
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->SetUserVersion(99).ok());
  }
  auto store = SourceStateStore::Open(dir.File("state.db"));
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), Status::Code::kInvalidArgument) << store.status().ToString();
}

TEST(SourceStateStore, OpenFailsInAMissingDirectory) {
  testing::TempDir dir;
  auto store = SourceStateStore::Open(dir.File("no/such/dir/state.db"));
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), Status::Code::kIoError) << store.status().ToString();
}

}  // namespace
}  // namespace wattline::agent
