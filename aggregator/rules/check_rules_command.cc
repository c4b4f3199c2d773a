#include "aggregator/rules/check_rules_command.h"

#include <ostream>

#include "aggregator/rules/rule_file.h"

namespace wattline::aggregator {

int RunCheckRulesCommand(const std::vector<std::string>& args, std::ostream& out,
                         std::ostream& err) {
  constexpr const char* kUsage = "usage: wattline-aggregator check-rules FILE...\n";
  if (args.empty()) {
    err << kUsage;
    return kCheckRulesExitUsage;
  }
  if (args[0] == "--help" || args[0] == "-h") {
    out << kUsage;
    return kCheckRulesExitOk;
  }
  int exit_code = kCheckRulesExitOk;
  // Every file is checked, as promtool does, so one run lists every error.
  for (const std::string& path : args) {
    Result<RuleFile> file = LoadRuleFile(path);
    if (!file.ok()) {
      err << file.status().message() << "\n";
      exit_code = kCheckRulesExitInvalid;
      continue;
    }
    const size_t rules = RuleCount(*file);
    out << path << ": OK, " << rules << (rules == 1 ? " rule" : " rules") << " in "
        << file->groups.size() << (file->groups.size() == 1 ? " group" : " groups") << "\n";
  }
  return exit_code;
}

}  // namespace wattline::aggregator
