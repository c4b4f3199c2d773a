// For the storage engine's tests: reading the file as an operator (or the
// fault tests) would, on a connection of its own.
#ifndef WATTLINE_AGGREGATOR_STORAGE_STORAGE_TEST_SUPPORT_H_
#define WATTLINE_AGGREGATOR_STORAGE_STORAGE_TEST_SUPPORT_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "common/sqlite_db.h"

namespace wattline::aggregator {

// The first column of the first row `sql` gives on the database at `path`.
inline int64_t QueryInt(const std::string& path, const std::string& sql) {
  SqliteDb::Options options;
  options.create = false;
  auto db = SqliteDb::Open(path, options);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  if (!db.ok()) return -1;
  auto stmt = (*db)->Prepare(sql);
  EXPECT_TRUE(stmt.ok()) << stmt.status().ToString();
  if (!stmt.ok()) return -1;
  Result<bool> row = stmt->Step();
  EXPECT_TRUE(row.ok() && *row) << sql;
  return row.ok() && *row ? stmt->ColumnInt64(0) : -1;
}

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_STORAGE_STORAGE_TEST_SUPPORT_H_
