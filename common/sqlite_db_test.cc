#include "common/sqlite_db.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>

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

// Statements go back to their connection when destroyed and are handed out
// again for the same SQL: each must come back as if new.
TEST(SqliteDb, AStatementPreparedAgainStartsAfreshWithoutBindings) {
  testing::TempDir dir;
  auto db = SqliteDb::Open(dir.File("x.db"), {});
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE((*db)->Exec("CREATE TABLE t (x); INSERT INTO t VALUES (1), (2), (3)").ok());
  const std::string sql = "SELECT x FROM t WHERE x >= coalesce(?1, 0) ORDER BY x";
  {
    auto first = (*db)->Prepare(sql);
    ASSERT_TRUE(first.ok());
    first->Bind(1, int64_t{2});
    ASSERT_TRUE(*first->Step());
    EXPECT_EQ(first->ColumnInt64(0), 2);  // left with a row still to read
  }
  auto again = (*db)->Prepare(sql);
  ASSERT_TRUE(again.ok());
  ASSERT_TRUE(*again->Step());
  EXPECT_EQ(again->ColumnInt64(0), 1) << "the binding of the earlier use is gone";
  // The same SQL in use twice at once: two statements, each its own rows.
  auto other = (*db)->Prepare(sql);
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(*other->Step());
  ASSERT_TRUE(*other->Step());
  EXPECT_EQ(other->ColumnInt64(0), 2);
  ASSERT_TRUE(*again->Step());
  EXPECT_EQ(again->ColumnInt64(0), 2);
}

TEST(SqliteDb, AKeptStatementFollowsASchemaChange) {
  testing::TempDir dir;
  auto db = SqliteDb::Open(dir.File("x.db"), {});
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE((*db)->Exec("CREATE TABLE t (x); INSERT INTO t VALUES (1)").ok());
  ASSERT_TRUE(*(*db)->Prepare("SELECT * FROM t")->Step());
  ASSERT_TRUE((*db)->Exec("DROP TABLE t; CREATE TABLE t (x, y); INSERT INTO t VALUES (5, 6)").ok());
  auto read = (*db)->Prepare("SELECT * FROM t");
  ASSERT_TRUE(read.ok());
  ASSERT_TRUE(*read->Step());
  EXPECT_EQ(read->ColumnInt64(1), 6);
}

// More statements than a connection keeps, all destroyed: closing it must
// still close the file (SQLite keeps a connection with statements open as
// a zombie), or no other connection could lock it exclusively.
TEST(SqliteDb, ClosingAConnectionThatKeptStatementsReleasesTheFile) {
  testing::TempDir dir;
  {
    auto db = SqliteDb::Open(dir.File("x.db"), {});
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("CREATE TABLE t (x)").ok());
    for (int i = 0; i < 40; ++i) {
      auto statement = (*db)->Prepare("SELECT x + " + std::to_string(i) + " FROM t");
      ASSERT_TRUE(statement.ok());
      ASSERT_TRUE(statement->Step().ok());
    }
  }
  SqliteDb::Options options;
  options.busy_timeout_ms = 0;
  auto db = SqliteDb::Open(dir.File("x.db"), options);
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE((*db)->Exec("PRAGMA locking_mode=EXCLUSIVE").ok());
  EXPECT_TRUE((*db)->Exec("BEGIN EXCLUSIVE; INSERT INTO t VALUES (1); COMMIT").ok());
}

// Opening a file writes nothing: no commit of page 1 to set the auto-vacuum
// mode it already has, which would grow the WAL by a page at every start.
TEST(SqliteDb, ReopeningAnIncrementalFileWritesNothing) {
  testing::TempDir dir;
  SqliteDb::Options options;
  options.page_size = 4096;
  options.incremental_vacuum = true;
  auto first = SqliteDb::Open(dir.File("x.db"), options);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE((*first)->Exec("CREATE TABLE t (x); INSERT INTO t VALUES (1)").ok());
  EXPECT_EQ(*(*first)->QueryInt64("PRAGMA auto_vacuum"), 2);  // incremental
  ASSERT_TRUE((*first)->Exec("PRAGMA wal_checkpoint(TRUNCATE)").ok());
  struct stat wal {};
  ASSERT_EQ(stat(dir.File("x.db-wal").c_str(), &wal), 0);
  ASSERT_EQ(wal.st_size, 0);
  // Another connection while the first is open, as the store opens its
  // writer, flusher and readers.
  auto second = SqliteDb::Open(dir.File("x.db"), options);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  ASSERT_EQ(stat(dir.File("x.db-wal").c_str(), &wal), 0);
  EXPECT_EQ(wal.st_size, 0) << "opening committed a write";
  EXPECT_EQ(*(*second)->QueryInt64("PRAGMA auto_vacuum"), 2);
  EXPECT_EQ(*(*second)->QueryInt64("SELECT count(*) FROM t"), 1);
}

TEST(SqliteDb, QueryInt64OfNoRowIsNotFound) {
  testing::TempDir dir;
  auto db = SqliteDb::Open(dir.File("x.db"), {});
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE((*db)->Exec("CREATE TABLE t (x)").ok());
  Result<int64_t> none = (*db)->QueryInt64("SELECT x FROM t");
  EXPECT_EQ(none.status().code(), Status::Code::kNotFound);
}

}  // namespace
}  // namespace wattline
