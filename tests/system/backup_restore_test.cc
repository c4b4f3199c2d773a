// docs/operations.md's backup and restore, with the real binary: a backup of
// a running aggregator while data is imported, its check, and a second
// aggregator started on the restored pair of files answering queries, both
// for samples cut into chunks and for samples still in the ingest log.
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <atomic>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>
#include <utility>

#include "aggregator/ingest/write_handler.h"
#include "common/clock.h"
#include "common/testing/temp_dir.h"
#include "tests/support/aggregator_test_files.h"
#include "tests/support/child_process.h"
#include "tests/support/system_stack.h"

namespace wattline::testing {
namespace {

constexpr const char* kToken = "backup-test-token";

class BackupRestore : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(MakeAggregatorFiles(dir_, kToken).ok()); }

  // Writes a config for `data_dir` on run-time ports; returns its path.
  std::string WriteConfig(const std::string& name, const std::string& data_dir) {
    std::string path = dir_.File(name + ".yaml");
    // Windows are cut a second after their last write, so the chunk file
    // has something to back up.
    WriteFile(path, LoopbackAggregatorConfig(dir_, data_dir) + "storage:\n  flush_quiet: 1s\n");
    return path;
  }

  // Starts the aggregator binary on `config`; returns its API port, or 0.
  int StartAggregator(const std::string& name, const std::string& config,
                      std::unique_ptr<ChildProcess>* process) {
    std::string ready = dir_.File(name + ".ready");
    *process = std::make_unique<ChildProcess>(
        std::vector<std::string>{Binaries::Aggregator(), "--config", config, "--ready-file", ready},
        dir_.File(name + ".log"));
    if (!WaitFor([&] { return !ReadFileOrEmpty(ready).empty() || !(*process)->Running(); },
                 30000) ||
        ReadFileOrEmpty(ready).empty()) {
      ADD_FAILURE() << name << " did not start:\n" << (*process)->Log();
      return 0;
    }
    return nlohmann::json::parse(ReadFileOrEmpty(ready))["api_port"];
  }

  // Runs `wattline-aggregator args...` to its end; its exit code (-1 when it
  // did not exit normally). Its output is in dir_/`name`.log.
  int RunTool(const std::string& name, std::vector<std::string> args) {
    args.insert(args.begin(), Binaries::Aggregator());
    ChildProcess tool(std::move(args), dir_.File(name + ".log"));
    EXPECT_TRUE(WaitFor([&] { return !tool.Running(); }, 120000)) << name << " did not finish";
    int status = tool.Stop(SIGKILL, 1000);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  std::string ToolLog(const std::string& name) { return ReadFileOrEmpty(dir_.File(name + ".log")); }

  // The unlabelled series `name` on the aggregator's /metrics, or -1.
  static int64_t Metric(int port, const std::string& name) {
    httplib::Client client("127.0.0.1", port);
    auto answer = client.Get("/metrics");
    return answer && answer->status == 200 ? MetricValue(answer->body, name) : -1;
  }

  // The values of the instant query `query` (a range selector) at now.
  nlohmann::json RangeValues(int port, const std::string& query) {
    httplib::Client client("127.0.0.1", port);
    auto answer = client.Get(
        "/api/v1/query",
        httplib::Params{{"query", query}, {"time", std::to_string(clock_.NowUnixMs() / 1000)}}, {});
    if (!answer || answer->status != 200) {
      ADD_FAILURE() << query << ": "
                    << (answer ? answer->body : httplib::to_string(answer.error()));
      return nlohmann::json::array();
    }
    nlohmann::json result = nlohmann::json::parse(answer->body)["data"]["result"];
    if (result.size() != 1) {
      ADD_FAILURE() << query << ": " << answer->body;
      return nlohmann::json::array();
    }
    return result[0]["values"];
  }

  TempDir dir_;
  SystemClock clock_;
};

TEST_F(BackupRestore, BackupOfARunningAggregatorRestoresEverythingAcknowledged) {
  const std::string config = WriteConfig("live", dir_.File("live-data"));
  std::unique_ptr<ChildProcess> live;
  const int live_port = StartAggregator("live", config, &live);
  ASSERT_NE(live_port, 0);

  // Three hours ago: a closed window, cut into the chunk file.
  const int64_t old_ms = clock_.NowUnixMs() - 3 * 60 * 60 * 1000;
  constexpr int kOldSamples = 120;
  {
    std::string lines;
    for (int i = 0; i < kOldSamples; ++i) {
      lines += "backup_old " + std::to_string(i) + " " + std::to_string(old_ms + i * 1000) + "\n";
    }
    httplib::Client client("127.0.0.1", live_port);
    client.set_bearer_token_auth(kToken);
    auto result = client.Post(aggregator::kTextImportPath, lines, "text/plain");
    ASSERT_TRUE(result && result->status == 204);
  }
  ASSERT_TRUE(WaitFor([&] { return Metric(live_port, "wattline_storage_chunks") >= 1; }, 30000))
      << "the old window was not cut";

  // One series, sample i = i at base + i ms: what was acknowledged is a
  // prefix, easy to check whole.
  const int64_t base_ms = clock_.NowUnixMs() - 10 * 60 * 1000;
  std::atomic<int64_t> acknowledged{0};
  std::atomic<bool> stop{false};
  std::thread importer([&] {
    httplib::Client client("127.0.0.1", live_port);
    client.set_bearer_token_auth(kToken);
    for (int64_t i = 0; !stop.load() && i < 100'000; ++i) {
      std::string line =
          "backup_probe " + std::to_string(i) + " " + std::to_string(base_ms + i) + "\n";
      auto result = client.Post(aggregator::kTextImportPath, line, "text/plain");
      if (!result || result->status != 204) {
        ADD_FAILURE() << "import " << i << " failed";
        return;
      }
      acknowledged.store(i + 1);
    }
  });
  ASSERT_TRUE(WaitFor([&] { return acknowledged.load() >= 50; }, 60000));
  const int64_t acknowledged_before = acknowledged.load();
  const std::string backup = dir_.File("backup.db");
  const std::string backup_chunks = dir_.File("backup-chunks.db");
  const int backup_rc = RunTool("backup", {"backup", "--to", backup, "--config", config});
  stop.store(true);
  importer.join();
  ASSERT_EQ(backup_rc, 0) << ToolLog("backup");
  EXPECT_NE(ToolLog("backup").find("wrote " + backup), std::string::npos) << ToolLog("backup");
  for (const std::string& file : {backup, backup_chunks}) {
    struct stat st {};
    ASSERT_EQ(::stat(file.c_str(), &st), 0) << file;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << file;
  }
  EXPECT_FALSE(std::filesystem::exists(backup + ".tmp"));
  EXPECT_FALSE(std::filesystem::exists(backup + ".tmp-chunks"));

  EXPECT_EQ(RunTool("again", {"backup", "--to", backup, "--config", config}), 1);
  EXPECT_NE(ToolLog("again").find("--force"), std::string::npos) << ToolLog("again");
  EXPECT_EQ(RunTool("check", {"backup", "--check", backup}), 0) << ToolLog("check");
  EXPECT_NE(ToolLog("check").find("integrity ok, "), std::string::npos) << ToolLog("check");
  live->Stop(SIGTERM, 10000);

  // The restore of docs/operations.md: the backup's pair becomes
  // samples.db and samples-chunks.db.
  const std::string restored_dir = dir_.File("restored-data");
  std::filesystem::create_directories(restored_dir);
  for (const auto& [from, to] : {std::pair{backup, std::string("/samples.db")},
                                 std::pair{backup_chunks, std::string("/samples-chunks.db")}}) {
    std::filesystem::copy_file(from, restored_dir + to);
    ASSERT_EQ(::chmod((restored_dir + to).c_str(), 0600), 0);
  }
  std::unique_ptr<ChildProcess> restored;
  const int restored_port =
      StartAggregator("restored", WriteConfig("restored", restored_dir), &restored);
  ASSERT_NE(restored_port, 0);

  const nlohmann::json values = RangeValues(restored_port, "backup_probe[30m]");
  ASSERT_GE(static_cast<int64_t>(values.size()), acknowledged_before);
  for (size_t i = 0; i < values.size(); ++i) {
    ASSERT_EQ(values[i][1].get<std::string>(), std::to_string(i)) << "sample " << i;
  }
  const nlohmann::json old_values = RangeValues(restored_port, "backup_old[4h]");
  ASSERT_EQ(old_values.size(), static_cast<size_t>(kOldSamples));
  for (size_t i = 0; i < old_values.size(); ++i) {
    ASSERT_EQ(old_values[i][1].get<std::string>(), std::to_string(i)) << "old sample " << i;
  }
}

}  // namespace
}  // namespace wattline::testing
