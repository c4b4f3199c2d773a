// `wattline-aggregator check-rules FILE...`: checks Prometheus rule files
// (rule_file.h) as `promtool check rules` does, before a reload picks them
// up.
//
//   $ wattline-aggregator check-rules /etc/wattline/rules/energy.yml
//   /etc/wattline/rules/energy.yml: OK, 6 rules in 2 groups
//
// A file with errors gets every error found, one a line, each with its
// FILE:LINE:COLUMN, group and rule, on `err`. main.cc passes everything after
// "check-rules". docs/rules.md describes the files.
#ifndef WATTLINE_AGGREGATOR_RULES_CHECK_RULES_COMMAND_H_
#define WATTLINE_AGGREGATOR_RULES_CHECK_RULES_COMMAND_H_

#include <iosfwd>
#include <string>
#include <vector>

namespace wattline::aggregator {

// Exit codes: 0 every file is good (also for --help), 1 a file has errors or
// cannot be read, 2 the command line is wrong (no file named).
inline constexpr int kCheckRulesExitOk = 0;
inline constexpr int kCheckRulesExitInvalid = 1;
inline constexpr int kCheckRulesExitUsage = 2;

// Checks the files in `args` and returns the process exit code, writing to
// `out` (one line a good file) and `err`.
int RunCheckRulesCommand(const std::vector<std::string>& args, std::ostream& out,
                         std::ostream& err);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_RULES_CHECK_RULES_COMMAND_H_
