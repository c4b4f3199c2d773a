#include "common/sqlite_db.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "common/testing/temp_dir.h"

namespace wattline {
namespace {

TEST(SqliteDb, OpensInWalModeWithAPrivateFile) {
  testing::TempDir dir;
  auto db = SqliteDb::Open(dir.File("x.db"), {});
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto mode = (*db)->Prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode.ok());
  ASSERT_TRUE(*mode->Step());
  EXPECT_EQ(mode->ColumnText(0), "wal");
  struct stat st {};
  ASSERT_EQ(stat(dir.File("x.db").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0077, 0u);
}

TEST(SqliteDb, MigrateAppliesOnlyTheMissingVersions) {
  testing::TempDir dir;
  auto db = SqliteDb::Open(dir.File("x.db"), {});
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(MigrateSchema(**db, {"CREATE TABLE a (x)"}).ok());
  ASSERT_TRUE(MigrateSchema(**db, {"CREATE TABLE a (x)", "CREATE TABLE b (y)"}).ok());
  EXPECT_EQ(*(*db)->UserVersion(), 2);
  EXPECT_TRUE((*db)->Exec("INSERT INTO b (y) VALUES (1)").ok());
}

TEST(SqliteDb, MigrateRefusesADatabaseNewerThanTheCode) {
  testing::TempDir dir;
  auto db = SqliteDb::Open(dir.File("x.db"), {});
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE((*db)->SetUserVersion(5).ok());
  Status status = MigrateSchema(**db, {"CREATE TABLE a (x)"});
  EXPECT_EQ(status.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(status.message().find("newer"), std::string::npos);
}

TEST(SqliteDb, FailedMigrationStepLeavesTheVersionUnchanged) {
  testing::TempDir dir;
  auto db = SqliteDb::Open(dir.File("x.db"), {});
  ASSERT_TRUE(db.ok());
  EXPECT_FALSE(MigrateSchema(**db, {"CREATE TABLE a (x)", "THIS IS NOT SQL"}).ok());
  EXPECT_EQ(*(*db)->UserVersion(), 1);
}

TEST(SqliteDb, TransactionRollsBackUnlessCommitted) {
  testing::TempDir dir;
  auto db = SqliteDb::Open(dir.File("x.db"), {});
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE((*db)->Exec("CREATE TABLE t (x)").ok());
  {
    Transaction txn(**db);
    ASSERT_TRUE(txn.status().ok());
    ASSERT_TRUE((*db)->Exec("INSERT INTO t VALUES (1)").ok());
  }
  auto count = (*db)->Prepare("SELECT count(*) FROM t");
  ASSERT_TRUE(*count->Step());
  EXPECT_EQ(count->ColumnInt64(0), 0);
}

}  // namespace
}  // namespace wattline
