// `wattline-aggregator pki ...`: the command-line face of pki.h.
//
//   pki init --dir D [--server-name NAME]... [--force]
//   pki issue-server --dir D [--server-name NAME]...
//   pki issue-agent NAME --dir D [--force]
//
// main.cc passes everything after "pki". On success the command prints the
// files it wrote to `out`; on failure it prints the error (and, for a usage
// mistake, the usage) to `err`.
#ifndef WATTLINE_AGGREGATOR_PKI_PKI_COMMAND_H_
#define WATTLINE_AGGREGATOR_PKI_PKI_COMMAND_H_

#include <iosfwd>
#include <string>
#include <vector>

namespace wattline::aggregator {

// Exit codes: 0 success (also for --help), 1 the operation failed, 2 the
// command line is wrong.
inline constexpr int kPkiExitOk = 0;
inline constexpr int kPkiExitFailure = 1;
inline constexpr int kPkiExitUsage = 2;

// Runs the subcommand in `args` (e.g. {"init", "--dir", "/etc/wattline/pki"})
// and returns the process exit code. Writes to std::cout and std::cerr.
int RunPkiCommand(const std::vector<std::string>& args);

// The same, writing to the given streams (for tests).
int RunPkiCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_PKI_PKI_COMMAND_H_
