// docs/operations.md's backup and restore, with the real binary: a backup of
// a running aggregator while data is imported, its check, and a second
// aggregator started on the restored file answering queries.
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <atomic>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "aggregator/ingest/write_handler.h"
#include "aggregator/pki/pki.h"
#include "common/clock.h"
#include "common/testing/temp_dir.h"
#include "tests/support/child_process.h"
#include "tests/support/system_stack.h"

namespace wattline::testing {
namespace {

constexpr const char* kToken = "backup-test-token";

class BackupRestore : public ::testing::Test {
 protected:
  void SetUp() override {
    aggregator::PkiInitOptions pki;
    pki.dir = dir_.File("pki");
    ASSERT_TRUE(aggregator::InitPki(pki).ok());
    WriteFile(dir_.File("write-token"), kToken);
    ASSERT_EQ(::chmod(dir_.File("write-token").c_str(), 0600), 0);
  }

  // Writes a config for `data_dir` on run-time ports; returns its path.
  std::string WriteConfig(const std::string& name, const std::string& data_dir) {
    std::string path = dir_.File(name + ".yaml");
    WriteFile(path, "data_dir: " + data_dir + "\ningest:\n  listen: 127.0.0.1:0\n  pki_dir: " +
                        dir_.File("pki") + "\napi:\n  listen: 127.0.0.1:0\n  write_token_file: " +
                        dir_.File("write-token") + "\n");
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

  TempDir dir_;
  SystemClock clock_;
};

TEST_F(BackupRestore, BackupOfARunningAggregatorRestoresEverythingAcknowledged) {
  const std::string config = WriteConfig("live", dir_.File("live-data"));
  std::unique_ptr<ChildProcess> live;
  const int live_port = StartAggregator("live", config, &live);
  ASSERT_NE(live_port, 0);

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
  const int backup_rc = RunTool("backup", {"backup", "--to", backup, "--config", config});
  stop.store(true);
  importer.join();
  ASSERT_EQ(backup_rc, 0) << ToolLog("backup");
  EXPECT_NE(ToolLog("backup").find("wrote " + backup), std::string::npos) << ToolLog("backup");
  struct stat st {};
  ASSERT_EQ(::stat(backup.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_FALSE(std::filesystem::exists(backup + ".tmp"));

  EXPECT_EQ(RunTool("again", {"backup", "--to", backup, "--config", config}), 1);
  EXPECT_NE(ToolLog("again").find("--force"), std::string::npos) << ToolLog("again");
  EXPECT_EQ(RunTool("check", {"backup", "--check", backup}), 0) << ToolLog("check");
  EXPECT_NE(ToolLog("check").find("integrity ok, "), std::string::npos) << ToolLog("check");
  live->Stop(SIGTERM, 10000);

  // The restore of docs/operations.md: the backup becomes samples.db.
  const std::string restored_dir = dir_.File("restored-data");
  std::filesystem::create_directories(restored_dir);
  std::filesystem::copy_file(backup, restored_dir + "/samples.db");
  ASSERT_EQ(::chmod((restored_dir + "/samples.db").c_str(), 0600), 0);
  std::unique_ptr<ChildProcess> restored;
  const int restored_port =
      StartAggregator("restored", WriteConfig("restored", restored_dir), &restored);
  ASSERT_NE(restored_port, 0);

  httplib::Client client("127.0.0.1", restored_port);
  auto answer = client.Get("/api/v1/query",
                           httplib::Params{{"query", "backup_probe[30m]"},
                                           {"time", std::to_string(clock_.NowUnixMs() / 1000)}},
                           {});
  ASSERT_TRUE(answer) << httplib::to_string(answer.error());
  ASSERT_EQ(answer->status, 200) << answer->body;
  nlohmann::json result = nlohmann::json::parse(answer->body)["data"]["result"];
  ASSERT_EQ(result.size(), 1u) << answer->body;
  const nlohmann::json& values = result[0]["values"];
  ASSERT_GE(static_cast<int64_t>(values.size()), acknowledged_before);
  for (size_t i = 0; i < values.size(); ++i) {
    ASSERT_EQ(values[i][1].get<std::string>(), std::to_string(i)) << "sample " << i;
  }
}

}  // namespace
}  // namespace wattline::testing
