#include "aggregator/storage/backup.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "aggregator/backup_command.h"
#include "aggregator/storage/sample_store.h"
#include "common/testing/temp_dir.h"

namespace wattline::aggregator {
namespace {

constexpr int64_t kStartMs = 1'700'000'000'000 - 3 * kChunkWindowMs;
constexpr int64_t kStepMs = 10'000;

// The flusher's clock never moves, so only Flush() cuts chunks.
FakeClock& StoreClock() {
  static FakeClock clock(1'700'000'000'000);
  return clock;
}

SeriesSamples Samples(const std::string& name, int64_t first, int64_t count) {
  SeriesSamples series{{{"__name__", name}, {"device", "panel"}}, {}, {}};
  for (int64_t i = first; i < first + count; ++i) {
    series.timestamps_ms.push_back(kStartMs + i * kStepMs);
    series.values.push_back(static_cast<double>(i) + 0.5);
  }
  return series;
}

// Every sample of the series called `name` in the storage at `path`.
std::vector<SamplePoint> ReadAll(const std::string& path, const std::string& name) {
  StorageOptions options;
  options.read_only = true;
  auto store = SampleStore::Open(path, &StoreClock(), options);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  if (!store.ok()) return {};
  auto refs = (*store)->Select({*LabelMatcher::Make(LabelMatcher::Type::kEqual, "__name__", name)});
  EXPECT_TRUE(refs.ok());
  if (!refs.ok() || refs->size() != 1) return {};
  auto points = (*store)->ReadSamples((*refs)[0].id, INT64_MIN, INT64_MAX);
  EXPECT_TRUE(points.ok());
  return points.ok() ? *points : std::vector<SamplePoint>{};
}

unsigned ModeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

class BackupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = SampleStore::Open(db_, &StoreClock());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    // Chunks (the first two windows), then samples left in the head.
    ASSERT_TRUE(store_->Write({Samples("energy", 0, 720)}).ok());
    ASSERT_TRUE(store_->Flush(Head::Selection::kAll).ok());
    ASSERT_TRUE(store_->Write({Samples("energy", 720, 300)}).ok());
  }

  testing::TempDir dir_;
  const std::string db_ = StoragePathIn(dir_.path());
  const std::string to_ = dir_.File("backup.db");
  std::unique_ptr<SampleStore> store_;
};

TEST_F(BackupTest, HoldsEverythingAcknowledgedBeforeItWhileWritesGoOn) {
  std::atomic<int64_t> acknowledged{0};
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int64_t i = 0; !stop.load(); ++i) {
      ASSERT_TRUE(store_->Write({Samples("during", i, 1)}).ok());
      acknowledged.store(i + 1);
    }
  });
  while (acknowledged.load() < 20) std::this_thread::yield();
  const int64_t acknowledged_before = acknowledged.load();
  Result<BackupSummary> summary = BackupStorage(db_, to_);
  const int64_t acknowledged_after = acknowledged.load();
  stop.store(true);
  writer.join();
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();

  EXPECT_EQ(summary->series, 2);
  EXPECT_GE(summary->chunks, 2);
  EXPECT_GE(summary->log_records, 1);  // the head's samples travel as log records
  EXPECT_GT(summary->bytes, 0);
  EXPECT_EQ(ModeOf(to_), 0600u);
  EXPECT_FALSE(std::filesystem::exists(to_ + ".tmp"));

  std::vector<SamplePoint> energy = ReadAll(to_, "energy");
  ASSERT_EQ(energy.size(), 1020u);
  for (size_t i = 0; i < energy.size(); ++i) {
    EXPECT_EQ(energy[i].timestamp_ms, kStartMs + static_cast<int64_t>(i) * kStepMs);
    EXPECT_EQ(energy[i].value, static_cast<double>(i) + 0.5);
  }
  std::vector<SamplePoint> during = ReadAll(to_, "during");
  EXPECT_GE(static_cast<int64_t>(during.size()), acknowledged_before);
  EXPECT_LE(static_cast<int64_t>(during.size()), acknowledged_after + 1);
  for (size_t i = 0; i < during.size(); ++i) {
    EXPECT_EQ(during[i].timestamp_ms, kStartMs + static_cast<int64_t>(i) * kStepMs);
  }
}

TEST_F(BackupTest, RefusesToOverwriteWithoutForce) {
  { std::ofstream(to_) << "precious"; }
  Result<BackupSummary> refused = BackupStorage(db_, to_);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Status::Code::kAlreadyExists);

  std::ostringstream out, err;
  EXPECT_EQ(RunBackupCommand({"--to", to_, "--data-dir", dir_.path()}, out, err),
            kBackupExitFailure);
  EXPECT_NE(err.str().find("--force"), std::string::npos) << err.str();
  std::ifstream kept(to_);
  std::string contents((std::istreambuf_iterator<char>(kept)), std::istreambuf_iterator<char>());
  EXPECT_EQ(contents, "precious");

  EXPECT_EQ(RunBackupCommand({"--to", to_, "--data-dir", dir_.path(), "--force"}, out, err),
            kBackupExitOk)
      << err.str();
  EXPECT_EQ(ReadAll(to_, "energy").size(), 1020u);
  EXPECT_EQ(ModeOf(to_), 0600u);
}

TEST_F(BackupTest, ReplacesTempLeftByACrashedBackup) {
  { std::ofstream(to_ + ".tmp") << "half a backup"; }
  ASSERT_TRUE(BackupStorage(db_, to_).ok());
  EXPECT_FALSE(std::filesystem::exists(to_ + ".tmp"));
  EXPECT_EQ(ReadAll(to_, "energy").size(), 1020u);
}

TEST_F(BackupTest, FailsWithoutTempWhenStorageIsMissing) {
  Result<BackupSummary> summary = BackupStorage(dir_.File("nothing/samples.db"), to_);
  ASSERT_FALSE(summary.ok());
  EXPECT_EQ(summary.status().code(), Status::Code::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(to_));
  EXPECT_FALSE(std::filesystem::exists(to_ + ".tmp"));
}

TEST_F(BackupTest, CheckSummarisesAGoodBackupAndRejectsGarbage) {
  std::ostringstream out, err;
  ASSERT_EQ(RunBackupCommand({"--to", to_, "--data-dir", dir_.path()}, out, err), kBackupExitOk)
      << err.str();
  EXPECT_NE(out.str().find(", 1 series, "), std::string::npos) << out.str();
  out.str("");
  EXPECT_EQ(RunBackupCommand({"--check", to_}, out, err), kBackupExitOk) << err.str();
  EXPECT_NE(out.str().find("integrity ok"), std::string::npos) << out.str();

  const std::string garbage = dir_.File("garbage.db");
  { std::ofstream(garbage) << std::string(8192, 'x'); }
  EXPECT_FALSE(CheckBackup(garbage).ok());
  err.str("");
  EXPECT_EQ(RunBackupCommand({"--check", garbage}, out, err), kBackupExitFailure);
  EXPECT_NE(err.str().find("check failed"), std::string::npos) << err.str();
}

TEST(BackupCommand, RejectsBadCommandLines) {
  std::ostringstream out, err;
  EXPECT_EQ(RunBackupCommand({}, out, err), kBackupExitUsage);
  EXPECT_EQ(RunBackupCommand({"--to"}, out, err), kBackupExitUsage);
  EXPECT_EQ(RunBackupCommand({"--to", "a", "--check", "b"}, out, err), kBackupExitUsage);
  EXPECT_EQ(RunBackupCommand({"--check", "a", "--force"}, out, err), kBackupExitUsage);
  EXPECT_EQ(RunBackupCommand({"--to", "a", "--bogus"}, out, err), kBackupExitUsage);
  EXPECT_EQ(RunBackupCommand({"--help"}, out, err), kBackupExitOk);
}

}  // namespace
}  // namespace wattline::aggregator
