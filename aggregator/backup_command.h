// `wattline-aggregator backup ...`: the command-line face of
// storage/backup.h.
//
//   backup --to FILE [--config PATH] [--data-dir DIR] [--force]
//       copies the storage of the (running or stopped) aggregator to FILE
//   backup --check FILE
//       verifies a backup file before it is restored
//
// main.cc passes everything after "backup". On success the command prints a
// summary of the file (size, series, chunks, log records, time taken) to
// `out`; on failure it prints the error (and, for a usage mistake, the usage)
// to `err`. docs/operations.md describes backup and restore.
#ifndef WATTLINE_AGGREGATOR_BACKUP_COMMAND_H_
#define WATTLINE_AGGREGATOR_BACKUP_COMMAND_H_

#include <iosfwd>
#include <string>
#include <vector>

namespace wattline::aggregator {

// Exit codes: 0 success (also for --help), 1 the backup or check failed, 2
// the command line is wrong.
inline constexpr int kBackupExitOk = 0;
inline constexpr int kBackupExitFailure = 1;
inline constexpr int kBackupExitUsage = 2;

// Runs the command in `args` (e.g. {"--to", "/srv/backup/samples.db"}) and
// returns the process exit code. Writes to std::cout and std::cerr.
int RunBackupCommand(const std::vector<std::string>& args);

// The same, writing to the given streams (for tests).
int RunBackupCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_BACKUP_COMMAND_H_
