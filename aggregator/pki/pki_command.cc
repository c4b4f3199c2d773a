#include "aggregator/pki/pki_command.h"

#include <iostream>
#include <map>
#include <string_view>

#include "aggregator/pki/pki.h"

namespace wattline::aggregator {
namespace {

// One option of a subcommand. A value option may be repeated when `repeats`.
struct OptionSpec {
  std::string_view name;  // "--dir"
  bool takes_value;
  bool repeats;
  std::string_view value_name;
  std::string_view help;
};

constexpr OptionSpec kDir{"--dir", true, false, "DIR", "the PKI directory (required)"};
constexpr OptionSpec kServerName{
    "--server-name", true, true, "NAME",
    "another host name or IP address agents use to reach the aggregator (repeatable)"};
constexpr OptionSpec kForce{"--force", false, false, "", "replace what already exists"};

struct SubcommandSpec {
  std::string_view name;
  std::string_view positional;  // "" when the subcommand takes none
  std::vector<OptionSpec> options;
  std::string_view summary;
};

const std::vector<SubcommandSpec>& Subcommands() {
  static const std::vector<SubcommandSpec> kSubcommands = {
      {"init",
       "",
       {kDir, kServerName, kForce},
       "create the CA and the aggregator's server certificate"},
      {"issue-server",
       "",
       {kDir, kServerName},
       "replace the server certificate, keeping the CA (e.g. to add a name)"},
      {"issue-agent",
       "NAME",
       {kDir, kForce},
       "create the certificate bundle for agent NAME, to copy to that agent"},
  };
  return kSubcommands;
}

void PrintUsage(std::ostream& os) {
  os << "usage:\n";
  for (const SubcommandSpec& sub : Subcommands()) {
    os << "  wattline-aggregator pki " << sub.name;
    if (!sub.positional.empty()) os << " " << sub.positional;
    for (const OptionSpec& option : sub.options) {
      os << " " << (option.name == kDir.name ? "" : "[") << option.name;
      if (option.takes_value) os << " " << option.value_name;
      os << (option.name == kDir.name ? "" : "]") << (option.repeats ? "..." : "");
    }
    os << "\n      " << sub.summary << "\n";
  }
  os << "options:\n";
  for (const OptionSpec& option : {kDir, kServerName, kForce}) {
    os << "  " << option.name << (option.takes_value ? " " : "") << option.value_name << "\n      "
       << option.help << "\n";
  }
}

struct ParsedArgs {
  std::vector<std::string> positionals;
  std::map<std::string_view, std::vector<std::string>> values;  // by option name
  bool Has(const OptionSpec& option) const { return values.count(option.name) > 0; }
  const std::vector<std::string>& All(const OptionSpec& option) const {
    static const std::vector<std::string> kNone;
    auto it = values.find(option.name);
    return it == values.end() ? kNone : it->second;
  }
};

// Parses args[1..] against `sub`; on error returns a message, else "".
std::string Parse(const SubcommandSpec& sub, const std::vector<std::string>& args,
                  ParsedArgs* parsed) {
  for (size_t i = 1; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (!arg.starts_with("--")) {
      parsed->positionals.emplace_back(arg);
      continue;
    }
    std::string_view name = arg;
    std::string value;
    bool inline_value = false;
    if (auto eq = arg.find('='); eq != std::string_view::npos) {
      name = arg.substr(0, eq);
      value = std::string(arg.substr(eq + 1));
      inline_value = true;
    }
    const OptionSpec* spec = nullptr;
    for (const OptionSpec& option : sub.options) {
      if (option.name == name) spec = &option;
    }
    if (spec == nullptr)
      return "unknown option " + std::string(name) + " for " + std::string(sub.name);
    if (!spec->takes_value && inline_value) return std::string(name) + " takes no value";
    if (spec->takes_value && !inline_value) {
      if (i + 1 >= args.size()) return std::string(name) + " needs a value";
      value = args[++i];
    }
    std::vector<std::string>& slot = parsed->values[spec->name];
    if (!spec->repeats && !slot.empty()) return std::string(name) + " given twice";
    slot.push_back(std::move(value));
  }
  size_t wanted = sub.positional.empty() ? 0 : 1;
  if (parsed->positionals.size() != wanted) {
    return wanted == 0
               ? "unexpected argument \"" + parsed->positionals[0] + "\""
               : std::string(sub.name) + " needs exactly one " + std::string(sub.positional);
  }
  if (!parsed->Has(kDir) || parsed->All(kDir)[0].empty()) return "--dir DIR is required";
  return "";
}

int Report(const Status& status, std::string_view action, const std::vector<std::string>& written,
           std::ostream& out, std::ostream& err) {
  if (!status.ok()) {
    err << "wattline-aggregator pki: " << action << " failed: " << status.ToString() << "\n";
    return kPkiExitFailure;
  }
  for (const std::string& path : written) out << "wrote " << path << "\n";
  return kPkiExitOk;
}

}  // namespace

int RunPkiCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.empty()) {
    err << "wattline-aggregator pki: missing subcommand\n";
    PrintUsage(err);
    return kPkiExitUsage;
  }
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    PrintUsage(out);
    return kPkiExitOk;
  }
  const SubcommandSpec* sub = nullptr;
  for (const SubcommandSpec& candidate : Subcommands()) {
    if (candidate.name == args[0]) sub = &candidate;
  }
  if (sub == nullptr) {
    err << "wattline-aggregator pki: unknown subcommand \"" << args[0] << "\"\n";
    PrintUsage(err);
    return kPkiExitUsage;
  }
  ParsedArgs parsed;
  if (std::string problem = Parse(*sub, args, &parsed); !problem.empty()) {
    err << "wattline-aggregator pki " << sub->name << ": " << problem << "\n";
    PrintUsage(err);
    return kPkiExitUsage;
  }

  const std::string& dir = parsed.All(kDir)[0];
  std::vector<std::string> written;
  if (sub->name == "init") {
    PkiInitOptions options{dir, parsed.All(kServerName), parsed.Has(kForce)};
    int rc = Report(InitPki(options, &written), "init", written, out, err);
    if (rc == kPkiExitOk) {
      out << "next: wattline-aggregator pki issue-agent NAME --dir " << dir << " for each agent\n";
    }
    return rc;
  }
  if (sub->name == "issue-server") {
    ServerIssueOptions options{dir, parsed.All(kServerName)};
    return Report(IssueServer(options, &written), "issue-server", written, out, err);
  }
  AgentIssueOptions options{dir, parsed.positionals[0], parsed.Has(kForce)};
  int rc = Report(IssueAgent(options, &written), "issue-agent", written, out, err);
  if (rc == kPkiExitOk) {
    out << "copy " << PkiLayout::AgentDir(dir, options.name)
        << "/ to the agent (keep key.pem private); its agent name is \"" << options.name << "\"\n";
  }
  return rc;
}

int RunPkiCommand(const std::vector<std::string>& args) {
  return RunPkiCommand(args, std::cout, std::cerr);
}

}  // namespace wattline::aggregator
