// wattline-source-bench: the instructions each source path spends per
// message and per sample, and its baseline on the same input, counted by
// callgrind. Run it through bench/source_instructions.sh, which starts
// valgrind and turns the dumps into the table in docs/performance.md.
//
//   wattline-source-bench [PATH...]    default: every path
//   wattline-source-bench --list
//
// Prints one tab-separated line per path for the script:
//   path NAME ROUNDS MESSAGES_PER_ROUND SAMPLES(total over ROUNDS) BASELINE WHAT
// and dumps NAME/map and NAME/baseline, each the count of ROUNDS rounds.
#include <stdlib.h>
#include <time.h>

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "bench/callgrind_count.h"
#include "bench/source_path.h"

namespace wattline::bench {
namespace {

std::vector<SourcePath> AllPaths() {
  std::vector<SourcePath> all;
  for (auto* family : {&ShellyPaths, &ModbusPaths, &MqttPaths, &SinkPaths}) {
    for (SourcePath& path : family()) all.push_back(std::move(path));
  }
  return all;
}

bool Selected(const std::string& name, int argc, char** argv) {
  if (argc < 2) return true;
  for (int i = 1; i < argc; ++i) {
    if (name == argv[i]) return true;
  }
  return false;
}

void Measure(SourcePath& path) {
  // Warm-up, not counted: first-use allocations and lazily built tables
  // (regexes, the profile's label sets) would otherwise weigh on the figure.
  path.run();
  path.reset();
  size_t samples = 0;
  CountRounds(path.name + "/map", kMeasuredRounds, [&] { samples += path.run(); }, path.reset);
  path.run_baseline();
  CountRounds(path.name + "/baseline", kMeasuredRounds, path.run_baseline, [] {});
  std::printf("path\t%s\t%zu\t%zu\t%zu\t%s\t%s\n", path.name.c_str(), kMeasuredRounds,
              path.messages_per_round, samples, path.baseline.c_str(), path.what.c_str());
  std::fflush(stdout);
}

int Run(int argc, char** argv) {
  std::vector<SourcePath> paths = AllPaths();
  if (argc == 2 && std::string(argv[1]) == "--list") {
    for (const auto& path : paths) std::printf("%s\t%s\n", path.name.c_str(), path.what.c_str());
    return 0;
  }
  if (!UnderValgrind()) {
    std::fprintf(stderr,
                 "not under valgrind: nothing is counted (bench/source_instructions.sh runs "
                 "this under callgrind)\n");
  }
  int measured = 0;
  for (auto& path : paths) {
    if (!Selected(path.name, argc, argv)) continue;
    Measure(path);
    ++measured;
  }
  if (measured == 0) {
    std::fprintf(stderr, "no such path; --list lists them\n");
    return 2;
  }
  return 0;
}

}  // namespace
}  // namespace wattline::bench

int main(int argc, char** argv) {
  // Device times without a zone (Tasmota's) are read in the local zone; fix
  // it so that the figures do not depend on the machine's.
  setenv("TZ", "UTC0", 1);
  tzset();
  return wattline::bench::Run(argc, argv);
}
