// Read latency of the aggregator's storage engine (aggregator/storage/
// sample_store.h) on the reads a dashboard makes, against the layout it
// replaced: one SQLite row per sample (storage_read_baseline.h) holding the
// same samples, measured in the same process.
//
// The data (bench/meter_data.h, seed 1), through SampleStore::Write in
// batches of an hour of data (ten minutes at 1 Hz), cut into chunks with
// Flush(kAll) at every day boundary, so reads hit compressed chunks on disk:
//   - 20 homes x 21 series for 30 days at one reading per 60 s (30 days at
//     1 Hz would be 1.09 G samples, too many to load in a run); the hourly
//     rollups stored are the same either way;
//   - home-001's last 24 h at 1 Hz instead (its 60 s readings of that day
//     are left out, so its windows are cut once).
// The data ends at 2025-12-02T00:00:00Z, which is `now` for every read; the
// store's FakeClock stands there, so nothing is beyond retention and the
// flusher, which finds no window quiet on a clock that does not move, cuts
// nothing behind the bench's back. Both files live in a temporary directory
// under $TMPDIR (default /var/tmp: on disk), removed at exit.
//
// The reads, each timed many times (median, p99) after one cold run: both
// files reopened and their pages dropped from the OS cache
// (POSIX_FADV_DONTNEED) first.
//   (a) the last value of one series: ReadSamples(now - 5 min, now), last
//       point (PromQL's instant selector); rotating over home-001's 21 series
//   (b) one series' 24 h of raw samples (86 400), rotating likewise
//   (c) 30 days of hourly rollups of 20 devices: ReadRollups(hour) of each
//       home's power_watts{phase="a"}, the time for all 20 together; the
//       baseline reads the raw rows and computes the buckets
//   (d) Select by {agent="home-001"} and by {__name__=~"power_w.+"}, as an
//       aside (no baseline)
// Before timing, the engine's answers are checked against the baseline's.
//
//   wattline-storage-read-bench [--quick]
// --quick: 2 days of data and a tenth of the runs, to check the program
// (under ASan, say), not for figures.
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "aggregator/storage/sample_store.h"
#include "bench/meter_data.h"
#include "bench/storage_read_baseline.h"
#include "common/clock.h"

namespace {

using wattline::Labels;
using wattline::SeriesSamples;
using wattline::Status;
using wattline::aggregator::Head;
using wattline::aggregator::LabelMatcher;
using wattline::aggregator::SampleStore;
using wattline::aggregator::SeriesId;
using wattline::aggregator::SeriesRef;
using wattline::bench::RowPerSampleBaseline;

constexpr int64_t kMinuteMs = 60 * 1000;
constexpr int64_t kHourMs = 60 * kMinuteMs;
constexpr int64_t kDayMs = 24 * kHourMs;
constexpr int64_t kNowMs = 1764633600000;  // 2025-12-02T00:00:00Z, the data's end
constexpr int kHomes = 20;
constexpr int64_t kCoarseStepMs = kMinuteMs;

struct Config {
  int days = 30;
  double runs_scale = 1;
};

[[noreturn]] void Fail(const std::string& what, const Status& status) {
  std::fprintf(stderr, "storage read bench: %s: %s\n", what.c_str(), status.ToString().c_str());
  std::exit(1);
}

template <typename T>
T Must(wattline::Result<T> result, const std::string& what) {
  if (!result.ok()) Fail(what, result.status());
  return std::move(*result);
}

void Must(const Status& status, const std::string& what) {
  if (!status.ok()) Fail(what, status);
}

// A directory for the bench's files, removed with everything in it.
class ScratchDir {
 public:
  ScratchDir() {
    const char* tmp = std::getenv("TMPDIR");
    path_ = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/var/tmp") +
            "/wattline-read-bench-XXXXXX";
    if (mkdtemp(path_.data()) == nullptr) {
      Fail("mkdtemp " + path_, Status::IoError(std::strerror(errno)));
    }
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  std::string File(const char* name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Writes back and drops from the OS cache every file in `dir`, so the next
// read of them goes to the disk.
void DropFromCache(const std::string& dir) {
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const int fd = open(entry.path().c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    fdatasync(fd);
    posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    close(fd);
  }
}

// Meter readings as the series the store takes, one per (home, phase,
// quantity), in the order meter_data_text.h writes them.
class MeterSeries {
 public:
  MeterSeries() {
    static constexpr const char* kNames[] = {"voltage_volts",
                                             "current_amperes",
                                             "power_watts",
                                             "power_factor",
                                             "frequency_hertz",
                                             "energy_imported_watt_hours_total",
                                             "energy_exported_watt_hours_total"};
    for (int home = 0; home < kHomes; ++home) {
      for (const char* phase : {"a", "b", "c"}) {
        for (const char* name : kNames) {
          SeriesSamples one;
          one.labels = {{"__name__", name},
                        {"agent", HomeAgent(home)},
                        {"device", "panel"},
                        {"phase", phase}};
          Must(wattline::Canonicalize(one.labels), "labels");
          series_.push_back(std::move(one));
        }
      }
    }
  }

  static std::string HomeAgent(int home) {
    char agent[24];
    std::snprintf(agent, sizeof agent, "home-%03d", home + 1);
    return agent;
  }

  // Adds `step`'s readings of its homes, which are homes `first_home` on,
  // leaving out the homes below `skip_below`.
  void Add(const wattline::bench::MeterStep& step, int first_home, int skip_below) {
    for (size_t d = 0; d < step.devices.size(); ++d) {
      const int home = first_home + static_cast<int>(d);
      if (home < skip_below) continue;
      size_t at = static_cast<size_t>(home) * wattline::bench::kMeterDataSeriesPerDevice;
      for (const wattline::bench::MeterPhaseReading& phase : step.devices[d].phases) {
        const std::array<double, 7> values = {
            phase.voltage_v,   phase.current_a,   phase.power_w,    phase.power_factor,
            step.frequency_hz, phase.imported_wh, phase.exported_wh};
        for (double value : values) {
          series_[at].timestamps_ms.push_back(step.timestamp_ms);
          series_[at++].values.push_back(value);
        }
      }
    }
  }

  const std::vector<SeriesSamples>& series() const { return series_; }
  int64_t samples() const {
    int64_t n = 0;
    for (const SeriesSamples& one : series_) n += static_cast<int64_t>(one.values.size());
    return n;
  }
  void Clear() {
    for (SeriesSamples& one : series_) {
      one.timestamps_ms.clear();
      one.values.clear();
    }
  }

 private:
  std::vector<SeriesSamples> series_;
};

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

struct LoadFigures {
  int64_t samples = 0;
  double store_s = 0;     // Write and Flush
  double baseline_s = 0;  // Append
};

// Streams the data into both, timing each apart from the generation.
LoadFigures Load(const Config& config, SampleStore* store, RowPerSampleBaseline* baseline) {
  LoadFigures figures;
  MeterSeries buffer;
  auto write = [&](bool flush) {
    auto start = std::chrono::steady_clock::now();
    Must(store->Write(buffer.series()).status(), "write");
    if (flush) Must(store->Flush(Head::Selection::kAll), "flush");
    figures.store_s += SecondsSince(start);
    start = std::chrono::steady_clock::now();
    Must(baseline->Append(buffer.series()), "baseline append");
    figures.baseline_s += SecondsSince(start);
    figures.samples += buffer.samples();
    buffer.Clear();
  };
  const int64_t fine_start_ms = kNowMs - kDayMs;
  // One run per resolution: 20 homes at 60 s, then home-001's last day at
  // 1 Hz. The homes' make-up and instantaneous values depend only on (seed,
  // home, time), so home-001 is the same home in both.
  struct Run {
    int devices;
    int64_t start_ms;
    int64_t step_ms;
    int64_t batch_ms;
  };
  const Run runs[] = {
      {kHomes, kNowMs - config.days * kDayMs, kCoarseStepMs, kHourMs},
      {1, fine_start_ms, 1000, 10 * kMinuteMs},
  };
  for (const Run& run : runs) {
    wattline::bench::MeterDataOptions options;
    options.seed = 1;
    options.devices = run.devices;
    options.start_ms = run.start_ms;
    options.duration_ms = kNowMs - run.start_ms;
    options.step_ms = run.step_ms;
    Must(wattline::bench::CheckMeterDataOptions(options), "meter data options");
    wattline::bench::MeterDataGenerator generator(options);
    wattline::bench::MeterStep step;
    const bool coarse = run.devices == kHomes;
    while (generator.Next(&step)) {
      const bool fine_home_here = coarse && step.timestamp_ms >= fine_start_ms;
      buffer.Add(step, 0, fine_home_here ? 1 : 0);
      const int64_t next_ms = step.timestamp_ms + run.step_ms;
      if (next_ms % run.batch_ms == 0) write(next_ms % kDayMs == 0);
    }
  }
  return figures;
}

struct Timing {
  double cold_ms = 0;
  double median_ms = 0;
  double p99_ms = 0;
  int runs = 0;
};

// The cold run (after `reopen`), then `runs` timed runs of `read(i)`.
Timing Time(int runs, const std::function<void()>& reopen, const std::function<void(int)>& read) {
  using Ms = std::chrono::duration<double, std::milli>;
  Timing timing;
  timing.runs = runs;
  reopen();
  auto start = std::chrono::steady_clock::now();
  read(0);
  timing.cold_ms = Ms(std::chrono::steady_clock::now() - start).count();
  std::vector<double> ms;
  ms.reserve(static_cast<size_t>(runs));
  for (int i = 0; i < runs; ++i) {
    start = std::chrono::steady_clock::now();
    read(i);
    ms.push_back(Ms(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(ms.begin(), ms.end());
  timing.median_ms = ms[ms.size() / 2];
  timing.p99_ms = ms[static_cast<size_t>(std::ceil(0.99 * static_cast<double>(ms.size()))) - 1];
  return timing;
}

LabelMatcher Matcher(LabelMatcher::Type type, const char* name, const char* value) {
  return Must(LabelMatcher::Make(type, name, value), "matcher");
}

// One series both ways: the engine's id and the baseline's.
struct Target {
  SeriesId store = 0;
  SeriesId baseline = 0;
};

std::vector<Target> Targets(SampleStore* store, const RowPerSampleBaseline& baseline,
                            const wattline::aggregator::LabelMatchers& matchers, size_t expected) {
  std::vector<Target> out;
  for (const SeriesRef& ref : Must(store->Select(matchers), "select")) {
    out.push_back({ref.id, Must(baseline.IdOf(ref.labels), "baseline id")});
  }
  if (out.size() != expected) {
    Fail("select", Status::Internal("found " + std::to_string(out.size()) + " series, not " +
                                    std::to_string(expected)));
  }
  return out;
}

void PrintRow(const char* name, const Timing& store, const Timing* baseline, double target_ms) {
  std::printf("%-44s %6d %9.3f %9.3f %9.3f", name, store.runs, store.cold_ms, store.median_ms,
              store.p99_ms);
  if (target_ms > 0) {
    std::printf("   < %2.0f ms %-4s", target_ms, store.p99_ms < target_ms ? "met" : "MISS");
  } else {
    std::printf("   %-12s", "-");
  }
  if (baseline != nullptr) {
    std::printf(" %9.3f %9.3f %9.3f %8.1fx %8.1fx\n", baseline->cold_ms, baseline->median_ms,
                baseline->p99_ms, baseline->cold_ms / store.cold_ms,
                baseline->median_ms / store.median_ms);
  } else {
    std::printf(" %9s %9s %9s %9s %9s\n", "-", "-", "-", "-", "-");
  }
}

}  // namespace

int main(int argc, char** argv) {
  Config config;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) {
      config.days = 2;
      config.runs_scale = 0.1;
    } else {
      std::fprintf(stderr, "usage: %s [--quick]\n", argv[0]);
      return 2;
    }
  }
  const auto runs = [&](int n) { return std::max(1, static_cast<int>(n * config.runs_scale)); };

  ScratchDir dir;
  const std::string store_path = dir.File("store.db");
  const std::string baseline_path = dir.File("baseline.db");
  wattline::FakeClock clock(kNowMs);
  wattline::aggregator::StorageOptions options;
  options.flush_interval_ms = kDayMs;  // the bench flushes; the flusher only sleeps
  std::unique_ptr<SampleStore> store =
      Must(SampleStore::Open(store_path, &clock, options), "open " + store_path);
  std::unique_ptr<RowPerSampleBaseline> baseline =
      Must(RowPerSampleBaseline::Open(baseline_path), "open " + baseline_path);

  std::printf(
      "storage read bench: %d homes x 21 series for %d days at one sample per %lld s, and "
      "home-001's last 24 h at 1 Hz; now = 2025-12-02T00:00:00Z; files in %s\n",
      kHomes, config.days, static_cast<long long>(kCoarseStepMs / 1000), dir.path().c_str());
  std::fflush(stdout);
  const LoadFigures load = Load(config, store.get(), baseline.get());

  using Type = LabelMatcher::Type;
  const std::vector<Target> home =
      Targets(store.get(), *baseline, {Matcher(Type::kEqual, "agent", "home-001")}, 21);
  const std::vector<Target> power = Targets(
      store.get(), *baseline,
      {Matcher(Type::kEqual, "__name__", "power_watts"), Matcher(Type::kEqual, "phase", "a")},
      kHomes);

  // Closes both, drops their pages, opens both again: a cold start.
  const auto reopen = [&] {
    store.reset();
    baseline.reset();
    DropFromCache(dir.path());
    store = Must(SampleStore::Open(store_path, &clock, options), "reopen " + store_path);
    baseline = Must(RowPerSampleBaseline::Open(baseline_path), "reopen " + baseline_path);
  };
  reopen();  // the WALs checkpointed into the files, whose sizes are then final
  std::printf(
      "load: %lld samples; engine Write + Flush %.1f s (%.2f M samples/s), baseline inserts "
      "%.1f s (%.2f M samples/s); generation not counted. On disk: engine %.1f MB (both files), "
      "baseline "
      "%.1f MB\n",
      static_cast<long long>(load.samples), load.store_s, load.samples / load.store_s / 1e6,
      load.baseline_s, load.samples / load.baseline_s / 1e6,
      static_cast<double>(
          std::filesystem::file_size(store_path) +
          std::filesystem::file_size(wattline::aggregator::ChunkFilePath(store_path))) /
          1e6,
      static_cast<double>(std::filesystem::file_size(baseline_path)) / 1e6);

  // The engine's answers against the baseline's.
  const int64_t month_ms = config.days * kDayMs;
  for (const Target& series : home) {
    const auto engine = Must(store->ReadSamples(series.store, kNowMs - kDayMs, kNowMs), "read");
    if (engine.size() != 86400 ||
        engine != Must(baseline->ReadSamples(series.baseline, kNowMs - kDayMs, kNowMs), "read")) {
      Fail("check", Status::Internal("24 h of series " + std::to_string(series.store) +
                                     " differ from the baseline's"));
    }
  }
  for (const Target& series : power) {
    const auto engine =
        Must(store->ReadRollups(series.store, wattline::aggregator::kHourResolutionMs,
                                kNowMs - month_ms, kNowMs),
             "read rollups");
    if (engine.size() != static_cast<size_t>(config.days * 24) ||
        engine != Must(baseline->ReadHourRollups(series.baseline, kNowMs - month_ms, kNowMs),
                       "baseline rollups")) {
      Fail("check", Status::Internal("hourly rollups of series " + std::to_string(series.store) +
                                     " differ from the baseline's"));
    }
  }
  std::printf("checked: the engine's 24 h of home-001 and hourly rollups equal the baseline's\n\n");

  // The reads; a sink keeps the compiler from dropping them.
  double sink = 0;
  const auto last_value = [&](auto read, SeriesId id) {
    const auto samples = Must(read(id, kNowMs - 5 * kMinuteMs, kNowMs), "read");
    if (!samples.empty()) sink += samples.back().value;
  };
  const auto day = [&](auto read, SeriesId id) {
    sink += static_cast<double>(Must(read(id, kNowMs - kDayMs, kNowMs), "read").size());
  };
  const auto engine_samples = [&](SeriesId id, int64_t mint, int64_t maxt) {
    return store->ReadSamples(id, mint, maxt);
  };
  const auto baseline_samples = [&](SeriesId id, int64_t mint, int64_t maxt) {
    return baseline->ReadSamples(id, mint, maxt);
  };
  const auto home_series = [&](int i) { return home[static_cast<size_t>(i) % home.size()]; };
  Timing a_store =
      Time(runs(2000), reopen, [&](int i) { last_value(engine_samples, home_series(i).store); });
  Timing a_base = Time(runs(2000), reopen,
                       [&](int i) { last_value(baseline_samples, home_series(i).baseline); });
  Timing b_store =
      Time(runs(1050), reopen, [&](int i) { day(engine_samples, home_series(i).store); });
  Timing b_base =
      Time(runs(1050), reopen, [&](int i) { day(baseline_samples, home_series(i).baseline); });
  Timing c_store = Time(runs(100), reopen, [&](int) {
    for (const Target& series : power) {
      sink += static_cast<double>(
          Must(store->ReadRollups(series.store, wattline::aggregator::kHourResolutionMs,
                                  kNowMs - month_ms, kNowMs),
               "read rollups")
              .size());
    }
  });
  Timing c_base = Time(runs(100), reopen, [&](int) {
    for (const Target& series : power) {
      sink += static_cast<double>(
          Must(baseline->ReadHourRollups(series.baseline, kNowMs - month_ms, kNowMs), "rollups")
              .size());
    }
  });
  const wattline::aggregator::LabelMatchers by_home = {Matcher(Type::kEqual, "agent", "home-001")};
  const wattline::aggregator::LabelMatchers by_regex = {
      Matcher(Type::kRegexMatch, "__name__", "power_w.+")};
  Timing d_home = Time(runs(1000), reopen, [&](int) {
    sink += static_cast<double>(Must(store->Select(by_home), "select").size());
  });
  Timing d_regex = Time(runs(1000), reopen, [&](int) {
    sink += static_cast<double>(Must(store->Select(by_regex), "select").size());
  });

  std::printf("%-44s %6s %9s %9s %9s   %-12s %9s %9s %9s %9s %9s\n", "milliseconds", "runs", "cold",
              "median", "p99", "target(p99)", "base cold", "base med", "base p99", "cold x",
              "median x");
  PrintRow("(a) last value, 5 min of 1 Hz", a_store, &a_base, 1);
  PrintRow("(b) 24 h raw at 1 Hz, 86 400 samples", b_store, &b_base, 5);
  char c_name[64];
  std::snprintf(c_name, sizeof c_name, "(c) %d d hourly rollups, 20 power_watts{a}", config.days);
  PrintRow(c_name, c_store, &c_base, 20);
  PrintRow("(d) Select {agent=\"home-001\"}: 21 series", d_home, nullptr, 0);
  PrintRow("(d) Select {__name__=~\"power_w.+\"}: 60 series", d_regex, nullptr, 0);
  std::printf(
      "\ncold: the first read after both files were reopened and dropped from the OS cache.\n"
      "(a), (b) rotate over home-001's 21 series; (c) reads every home's power_watts{phase=\"a\"}\n"
      "per run.\n"
      "target: the issue's, met when the engine's p99 is under it. base: one SQLite row per\n"
      "sample (storage_read_baseline.h), (c) bucketed from its raw rows on each read.\n"
      "x: baseline time / engine time (above 1: the engine is faster).\n");
  return sink == -1 ? 1 : 0;  // never: the sink only has to be used
}
