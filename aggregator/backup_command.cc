#include "aggregator/backup_command.h"

#include <chrono>
#include <iomanip>
#include <iostream>

#include "aggregator/config/aggregator_config.h"
#include "aggregator/storage/backup.h"
#include "aggregator/storage/sample_store.h"

namespace wattline::aggregator {
namespace {

constexpr const char* kUsage =
    "usage:\n"
    "  wattline-aggregator backup --to FILE [--config PATH] [--data-dir DIR] [--force]\n"
    "      copy the storage to FILE while the aggregator runs (FILE is created 0600)\n"
    "  wattline-aggregator backup --check FILE\n"
    "      verify a backup file before restoring it (docs/operations.md)\n"
    "options:\n"
    "  --config PATH   the aggregator's config, for its data_dir\n"
    "  --data-dir DIR  the data directory (overrides the config's)\n"
    "  --force         replace FILE if it exists\n";

struct BackupArgs {
  std::string to;
  std::string check;
  std::string config_path;
  std::string data_dir;
  bool force = false;
};

// Parses `args`; on error returns a message, else "".
std::string Parse(const std::vector<std::string>& args, BackupArgs* parsed) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--force") {
      parsed->force = true;
      continue;
    }
    std::string* slot = arg == "--to"         ? &parsed->to
                        : arg == "--check"    ? &parsed->check
                        : arg == "--config"   ? &parsed->config_path
                        : arg == "--data-dir" ? &parsed->data_dir
                                              : nullptr;
    if (slot == nullptr) return "unknown argument \"" + arg + "\"";
    if (i + 1 >= args.size() || args[i + 1].empty()) return arg + " needs a value";
    if (!slot->empty()) return arg + " given twice";
    *slot = args[++i];
  }
  if (parsed->to.empty() == parsed->check.empty()) return "give exactly one of --to and --check";
  if (!parsed->check.empty() &&
      (parsed->force || !parsed->config_path.empty() || !parsed->data_dir.empty())) {
    return "--check takes only the file";
  }
  return "";
}

void PrintSummary(std::string_view verb, const std::string& path, const BackupSummary& summary,
                  std::chrono::steady_clock::duration took, std::ostream& out) {
  double seconds = std::chrono::duration<double>(took).count();
  out << verb << " " << path << ": integrity ok, " << summary.bytes << " bytes, " << summary.series
      << " series, " << summary.chunks << " chunks, " << summary.log_records << " log records, "
      << summary.samples << " samples, " << std::fixed << std::setprecision(2) << seconds << " s\n";
}

}  // namespace

int RunBackupCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.size() == 1 && (args[0] == "--help" || args[0] == "-h" || args[0] == "help")) {
    out << kUsage;
    return kBackupExitOk;
  }
  BackupArgs parsed;
  if (std::string problem = Parse(args, &parsed); !problem.empty()) {
    err << "wattline-aggregator backup: " << problem << "\n" << kUsage;
    return kBackupExitUsage;
  }
  const auto start = std::chrono::steady_clock::now();
  if (!parsed.check.empty()) {
    Result<BackupSummary> summary = CheckBackup(parsed.check);
    if (!summary.ok()) {
      err << "wattline-aggregator backup: check failed: " << summary.status().ToString() << "\n";
      return kBackupExitFailure;
    }
    PrintSummary("checked", parsed.check, *summary, std::chrono::steady_clock::now() - start, out);
    return kBackupExitOk;
  }
  Result<AggregatorConfig> config = LoadAggregatorConfig(parsed.config_path);
  if (!config.ok()) {
    err << "wattline-aggregator backup: " << config.status().ToString() << "\n";
    return kBackupExitUsage;
  }
  const std::string data_dir = parsed.data_dir.empty() ? config->data_dir : parsed.data_dir;
  Result<BackupSummary> summary =
      BackupStorage(StoragePathIn(data_dir), parsed.to, BackupOptions{.overwrite = parsed.force});
  if (!summary.ok()) {
    err << "wattline-aggregator backup: backup failed: " << summary.status().ToString() << "\n";
    return kBackupExitFailure;
  }
  PrintSummary("wrote", parsed.to, *summary, std::chrono::steady_clock::now() - start, out);
  return kBackupExitOk;
}

int RunBackupCommand(const std::vector<std::string>& args) {
  return RunBackupCommand(args, std::cout, std::cerr);
}

}  // namespace wattline::aggregator
