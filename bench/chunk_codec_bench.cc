// Bytes per sample, encode and decode speed of the storage chunk codec
// (aggregator/storage/chunk_codec.h) on the storage benches' meter data
// (bench/meter_data.h, seed 1): kHomes homes, one day at 1 Hz from
// 2025-12-02T00:00:00Z, each home's 21 series (7 quantities on 3 phases) cut
// into chunks as the storage engine cuts them.
//
// First it prints the table docs/formats/chunk.md quotes: bytes per sample
// per quantity (over the homes and phases) and over all 21 series, with
// one-hour chunks (the engine's) and two-hour chunks, and the share of
// chunks each encoding took. Then the benchmarks, per quantity over every
// home and phase, one-hour chunks:
//   Encode/<quantity>, Decode/<quantity>
// plus two series that take the codec's other paths: voltage_jittered (phase
// a's voltage with timestamps 1 s +- 15 ms apart) and voltage_unrounded
// (phase a's voltage divided by 3: no decimals, the XOR path). Counters:
// bytes_per_sample, zstd (the share of chunks stored zstd-coded) and
// ns_per_sample (shown as seconds, "n" = ns).
//
//   wattline-chunk-codec-bench [--benchmark_filter=Decode]
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "aggregator/storage/chunk_codec.h"
#include "bench/meter_data.h"

namespace {

using wattline::aggregator::SamplePoint;

constexpr int64_t kDayStartMs = 1764633600000;  // 2025-12-02T00:00:00Z
constexpr int64_t kHourMs = 3600 * 1000;
constexpr int kHomes = 4;
constexpr const char* kQuantities[] = {"voltage",   "current",     "power",      "pf",
                                       "frequency", "imported_wh", "exported_wh"};
constexpr int kQuantityCount = 7;

struct Series {
  std::string quantity;
  std::vector<SamplePoint> samples;
};

// Series in the order home, quantity, phase.
std::vector<Series> MeterDay() {
  wattline::bench::MeterDataOptions options;
  options.seed = 1;
  options.devices = kHomes;
  options.start_ms = kDayStartMs;
  options.duration_ms = 24 * kHourMs;
  wattline::bench::MeterDataGenerator generator(options);
  std::vector<Series> out;
  for (int home = 0; home < kHomes; ++home) {
    for (const char* quantity : kQuantities) {
      for (int phase = 0; phase < 3; ++phase) out.push_back({quantity, {}});
    }
  }
  wattline::bench::MeterStep step;
  while (generator.Next(&step)) {
    size_t at = 0;
    for (const wattline::bench::MeterDeviceReading& device : step.devices) {
      for (int q = 0; q < kQuantityCount; ++q) {
        for (const wattline::bench::MeterPhaseReading& phase : device.phases) {
          const std::array<double, kQuantityCount> values = {
              phase.voltage_v,   phase.current_a,   phase.power_w,    phase.power_factor,
              step.frequency_hz, phase.imported_wh, phase.exported_wh};
          out[at++].samples.push_back({step.timestamp_ms, values[static_cast<size_t>(q)]});
        }
      }
    }
  }
  return out;
}

std::vector<std::span<const SamplePoint>> Chunks(const std::vector<SamplePoint>& samples,
                                                 int64_t chunk_ms) {
  // As the engine cuts them: by the window a timestamp falls in.
  std::vector<std::span<const SamplePoint>> out;
  size_t begin = 0;
  for (size_t i = 1; i <= samples.size(); ++i) {
    if (i == samples.size() ||
        samples[i].timestamp_ms / chunk_ms != samples[begin].timestamp_ms / chunk_ms) {
      out.emplace_back(samples.data() + begin, i - begin);
      begin = i;
    }
  }
  return out;
}

int EncodingOf(const std::string& chunk) { return static_cast<uint8_t>(chunk[0]) & 0x0f; }

// The table: bytes per sample per quantity and over all series.
void PrintSizes(const std::vector<Series>& day, int64_t chunk_ms) {
  std::map<std::string, std::array<double, 2>> by_quantity;  // bytes, samples
  std::array<double, 5> encodings{};
  double bytes = 0;
  double samples = 0;
  for (const Series& series : day) {
    for (std::span<const SamplePoint> chunk : Chunks(series.samples, chunk_ms)) {
      const std::string encoded = wattline::aggregator::EncodeChunk(chunk);
      by_quantity[series.quantity][0] += static_cast<double>(encoded.size());
      by_quantity[series.quantity][1] += static_cast<double>(chunk.size());
      encodings[static_cast<size_t>(EncodingOf(encoded))] += 1;
      bytes += static_cast<double>(encoded.size());
      samples += static_cast<double>(chunk.size());
    }
  }
  std::printf("%lld-hour chunks, %d homes x 21 series x 24 h:\n",
              static_cast<long long>(chunk_ms / kHourMs), kHomes);
  for (const char* quantity : kQuantities) {
    const auto& [b, n] = by_quantity[quantity];
    std::printf("  %-12s %.3f bytes/sample\n", quantity, b / n);
  }
  const double chunks =
      encodings[0] + encodings[1] + encodings[2] + encodings[3] + encodings[4];
  std::printf(
      "  %-12s %.3f bytes/sample; chunks: gorilla %.0f%%, decimal-delta %.0f%%, "
      "decimal-dod %.0f%%, decimal-zstd %.0f%%, decimal-zstd-bare %.0f%%\n",
      "all 21", bytes / samples, 100 * encodings[0] / chunks, 100 * encodings[1] / chunks,
      100 * encodings[2] / chunks, 100 * encodings[3] / chunks, 100 * encodings[4] / chunks);
}

// The benchmarks' series: every home's and phase's of one quantity.
struct Group {
  std::vector<std::span<const SamplePoint>> hours;
  double samples = 0;
};

Group GroupOf(const std::vector<Series>& day, const std::string& quantity) {
  Group group;
  for (const Series& series : day) {
    if (series.quantity != quantity) continue;
    for (std::span<const SamplePoint> hour : Chunks(series.samples, kHourMs)) {
      group.hours.push_back(hour);
      group.samples += static_cast<double>(hour.size());
    }
  }
  return group;
}

void SetCounters(benchmark::State& state, const std::vector<std::string>& chunks, double samples) {
  double bytes = 0;
  double zstd = 0;
  for (const std::string& chunk : chunks) {
    bytes += static_cast<double>(chunk.size());
    zstd += EncodingOf(chunk) >= 3 ? 1 : 0;  // decimal-zstd, standard or bare
  }
  state.counters["bytes_per_sample"] = bytes / samples;
  state.counters["zstd"] = zstd / static_cast<double>(chunks.size());
  state.counters["ns_per_sample"] = benchmark::Counter(
      samples, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

void Encode(benchmark::State& state, const Group* group) {
  std::vector<std::string> chunks(group->hours.size());
  for (auto _ : state) {
    for (size_t i = 0; i < chunks.size(); ++i) {
      chunks[i] = wattline::aggregator::EncodeChunk(group->hours[i]);
    }
    benchmark::DoNotOptimize(chunks.data());
  }
  SetCounters(state, chunks, group->samples);
}

void Decode(benchmark::State& state, const Group* group) {
  std::vector<std::string> chunks;
  for (std::span<const SamplePoint> hour : group->hours) {
    chunks.push_back(wattline::aggregator::EncodeChunk(hour));
  }
  std::vector<SamplePoint> out;
  out.reserve(3600);
  for (auto _ : state) {
    for (const std::string& chunk : chunks) {
      out.clear();
      if (!wattline::aggregator::DecodeChunk(chunk, &out).ok()) {
        state.SkipWithError("a chunk did not decode");
        return;
      }
      benchmark::DoNotOptimize(out.data());
    }
  }
  if (!std::equal(out.begin(), out.end(), group->hours.back().begin(), group->hours.back().end())) {
    state.SkipWithError("the last chunk decoded to other samples");
  }
  SetCounters(state, chunks, group->samples);
}

// Phase a's voltage of the first home, changed to take another path.
Series Variant(const std::vector<Series>& day, const std::string& name) {
  Series out{name, day.front().samples};
  uint64_t state = 20251202;
  for (size_t i = 0; i < out.samples.size(); ++i) {
    if (name == "voltage_unrounded") out.samples[i].value /= 3;
    if (name == "voltage_jittered" && i > 0) {
      state = state * 6364136223846793005u + 1442695040888963407u;  // an LCG: seeded, repeatable
      out.samples[i].timestamp_ms += static_cast<int64_t>(state >> 33) % 31 - 15;
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  static std::vector<Series> day = MeterDay();
  PrintSizes(day, kHourMs);
  PrintSizes(day, 2 * kHourMs);
  static std::vector<Series> variants = {Variant(day, "voltage_jittered"),
                                         Variant(day, "voltage_unrounded")};
  static std::map<std::string, Group> groups;
  for (const char* quantity : kQuantities) groups[quantity] = GroupOf(day, quantity);
  for (const Series& variant : variants)
    groups[variant.quantity] = GroupOf(variants, variant.quantity);
  for (const auto& [name, group] : groups) {
    benchmark::RegisterBenchmark(("Encode/" + name).c_str(), Encode, &group);
    benchmark::RegisterBenchmark(("Decode/" + name).c_str(), Decode, &group);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
