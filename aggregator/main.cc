// wattline-aggregator: parse flags and config, start the Aggregator, reload
// its rules on SIGHUP, stop on SIGINT/SIGTERM.
#include <malloc.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "aggregator/aggregator.h"
#include "aggregator/backup_command.h"
#include "aggregator/config/aggregator_config.h"
#include "aggregator/pki/pki_command.h"
#include "aggregator/rules/check_rules_command.h"
#include "common/log.h"
#include "common/version.h"

namespace {

constexpr const char* kUsage =
    "usage: wattline-aggregator [--config FILE] [--data-dir DIR] [--ready-file FILE]\n"
    "       wattline-aggregator --check-config FILE\n"
    "       wattline-aggregator --print-config\n"
    "       wattline-aggregator check-rules FILE...\n"
    "       wattline-aggregator pki init --dir DIR [--server-name NAME]... [--force]\n"
    "       wattline-aggregator pki issue-agent NAME --dir DIR [--force]\n"
    "       wattline-aggregator backup --to FILE [--config FILE | --data-dir DIR] [--force]\n"
    "       wattline-aggregator backup --check FILE\n"
    "       wattline-aggregator --version\n"
    "--ready-file: once both listeners are bound, write their ports there as\n"
    "  {\"ingest_port\":N,\"api_port\":M} (for tests and scripts that use port 0).\n";

bool WriteReadyFile(const std::string& path, int ingest_port, int api_port) {
  std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    out << "{\"ingest_port\":" << ingest_port << ",\"api_port\":" << api_port << "}\n";
    if (!out.flush()) return false;
  }
  return std::rename(temp.c_str(), path.c_str()) == 0;
}

int Run(const std::string& config_path, const std::string& data_dir,
        const std::string& ready_file) {
  auto config = wattline::aggregator::LoadAggregatorConfig(config_path);
  if (!config.ok()) {
    std::fprintf(stderr, "wattline-aggregator: %s\n", config.status().ToString().c_str());
    return 2;
  }
  if (!data_dir.empty()) config->data_dir = data_dir;
  wattline::SetLogLevel(config->log_level);

  // Signals are taken synchronously by sigwait below, so block them before
  // any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  wattline::SystemClock clock;
  auto aggregator = wattline::aggregator::Aggregator::Start(*config, &clock);
  if (!aggregator.ok()) {
    std::fprintf(stderr, "wattline-aggregator: %s\n", aggregator.status().ToString().c_str());
    return 1;
  }
  int ingest_port = (*aggregator)->ingest_port();
  int api_port = (*aggregator)->api_port();
  wattline::LogInfo("aggregator",
                    std::string("wattline-aggregator ") + wattline::kVersion + " started: data_dir " +
                        config->data_dir + ", ingest " + config->ingest_listen.host + ":" +
                        std::to_string(ingest_port) + " (mutual TLS, pki " + config->pki_dir +
                        "), api http://" + config->api_listen.host + ":" +
                        std::to_string(api_port) + ", " + (*aggregator)->Summary());
  if (!ready_file.empty() && !WriteReadyFile(ready_file, ingest_port, api_port)) {
    std::fprintf(stderr, "wattline-aggregator: cannot write %s\n", ready_file.c_str());
    return 1;
  }
  int signal_number = 0;
  // SIGHUP reloads the rule files (docs/rules.md); SIGINT and SIGTERM stop.
  while (sigwait(&signals, &signal_number) == 0 && signal_number == SIGHUP) {
    wattline::Status reloaded = (*aggregator)->ReloadRules();
    if (!reloaded.ok()) {
      wattline::LogError("aggregator",
                         "rule files not reloaded, the running rules stay: " + reloaded.message());
    }
  }
  wattline::LogInfo("aggregator", "stopping");
  (*aggregator)->Stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // A client that closes its socket must give a write error, not kill us.
  signal(SIGPIPE, SIG_IGN);
  // A query's buffers (a day of 1 Hz samples is 1.4 MB) come from the heap
  // and stay there for the next query, instead of being mapped fresh and
  // unmapped again each time: page faults were half of a 24-hour query's
  // time. Up to 64 MB of free memory an arena is kept for that.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args[0] == "pki") {
    return wattline::aggregator::RunPkiCommand({args.begin() + 1, args.end()});
  }
  if (!args.empty() && args[0] == "backup") {
    return wattline::aggregator::RunBackupCommand({args.begin() + 1, args.end()});
  }
  if (!args.empty() && args[0] == "check-rules") {
    return wattline::aggregator::RunCheckRulesCommand({args.begin() + 1, args.end()}, std::cout,
                                                      std::cerr);
  }
  std::string config_path, data_dir, ready_file;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    bool has_value = i + 1 < args.size();
    if (arg == "--version") {
      std::printf("wattline-aggregator %s (%s)\n", wattline::kVersion, wattline::kSourceRevision);
      return 0;
    } else if (arg == "--print-config") {
      std::fputs(wattline::aggregator::AggregatorConfigReference().c_str(), stdout);
      return 0;
    } else if (arg == "--check-config" && has_value) {
      auto config = wattline::aggregator::LoadAggregatorConfig(args[i + 1]);
      if (!config.ok()) {
        std::fprintf(stderr, "%s\n", config.status().message().c_str());
        return 2;
      }
      std::printf("%s: OK\n", args[i + 1].c_str());
      return 0;
    } else if (arg == "--config" && has_value) {
      config_path = args[++i];
    } else if (arg == "--data-dir" && has_value) {
      data_dir = args[++i];
    } else if (arg == "--ready-file" && has_value) {
      ready_file = args[++i];
    } else {
      bool help = arg == "--help" || arg == "-h";
      std::fputs(kUsage, help ? stdout : stderr);
      return help ? 0 : 2;
    }
  }
  return Run(config_path, data_dir, ready_file);
}
