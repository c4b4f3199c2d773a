// One way readings enter the agent, as the instruction-count bench drives it:
// a round of realistic messages handed to the production function that turns
// them into samples, and a baseline over the same bytes that any
// implementation would have to pay for (a bare JSON parse, a bare register
// decode). Instruction counts differ between compilers and library versions,
// so the bench reports the path as a ratio against its baseline measured in
// the same run, next to the absolute figures.
//
// Payloads come from the fuzz corpora (real captures, DEVICES.md), the
// simulators' own document generators and the shipped profiles, so the bench
// follows the code it measures.
#ifndef WATTLINE_BENCH_SOURCE_PATH_H_
#define WATTLINE_BENCH_SOURCE_PATH_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace wattline::bench {

// How often each path runs under measurement, after one warm-up round that is
// not counted (first-use allocations, lazily built tables). Instruction counts
// are deterministic, so a few hundred rounds average out what varies per
// message (number lengths, map rebalancing) without slowing valgrind down.
inline constexpr size_t kMeasuredRounds = 200;
inline constexpr size_t kTotalRounds = kMeasuredRounds + 1;

// The time of the first message. Paths whose state needs time to move on (a
// merge that keeps only newer readings, an open batch) step it by a second
// per round.
inline constexpr int64_t kBenchStartMs = 1'757'059'800'000;  // 2025-09-05

struct SourcePath {
  std::string name;      // one word, e.g. "shelly_gen2_http"
  std::string what;      // the production entry point and the payload
  std::string baseline;  // what the baseline does, for the printed table
  size_t messages_per_round = 1;
  // Hands one round of messages to the path; returns the samples appended.
  // Must leave the path able to take the next round (state merges, growing
  // timestamps): it runs many times.
  std::function<size_t()> run;
  // The baseline over the same round.
  std::function<void()> run_baseline;
  // Runs after each round, outside the count: frees what run() produced and
  // prepares the next round's input.
  std::function<void()> reset;
};

// Each builds its paths (parsing profiles and payloads up front, outside any
// measurement). They abort with a message when a payload no longer maps,
// since then the figures would describe an error path.
std::vector<SourcePath> ShellyPaths();
std::vector<SourcePath> ModbusPaths();
std::vector<SourcePath> MqttPaths();
std::vector<SourcePath> SinkPaths();

// The file at `path` relative to the source tree (the corpora), or abort.
std::string ReadSourceFile(const std::string& path);
// Setup failures end the bench with `what`. CheckSetup() takes a view, so that
// a check inside a measured call costs no string; a message built from parts
// goes to Fail(), called only on failure.
void CheckSetup(bool ok, std::string_view what);
[[noreturn]] void Fail(std::string_view what);

}  // namespace wattline::bench

#endif  // WATTLINE_BENCH_SOURCE_PATH_H_
