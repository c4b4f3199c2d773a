// wattline-meter-data-gen: writes the seeded meter data of meter_data.h to
// stdout as Prometheus text lines with millisecond timestamps (the body of
// POST /api/v1/import/prometheus), and reports on stderr how many samples
// and bytes it wrote, and how fast.
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "aggregator/query/time_param.h"
#include "bench/meter_data.h"
#include "bench/meter_data_text.h"
#include "common/duration.h"

namespace {

constexpr const char* kUsage =
    "usage: wattline-meter-data-gen --start TIME --duration DURATION [--seed N] [--devices N]\n"
    "         [--step DURATION] [--solar-share F] [--reset-interval DURATION]\n"
    "         [--format prometheus-text]\n"
    "  --start           the first reading: RFC 3339 (2026-12-01T00:00:00Z) or Unix ms\n"
    "  --duration        how long the homes are read (2h, 30d)\n"
    "  --seed            the data's seed (default 1): the same seed, the same bytes\n"
    "  --devices         homes, one three-phase meter each (default 20)\n"
    "  --step            between readings (default 1s)\n"
    "  --solar-share     share of homes with a solar inverter (default 0.4)\n"
    "  --reset-interval  one counter reset per home in each (default 30d; 0: never)\n";

constexpr size_t kFlushBytes = 4 << 20;

[[noreturn]] void Fail(const std::string& problem) {
  std::fprintf(stderr, "wattline-meter-data-gen: %s\n%s", problem.c_str(), kUsage);
  std::exit(2);
}

template <typename T>
T Number(const std::string& flag, std::string_view text) {
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size())
    Fail("bad " + flag + ": " + std::string(text));
  return value;
}

int64_t DurationMs(const std::string& flag, const std::string& text) {
  wattline::Result<int64_t> ms = wattline::ParseDurationMs(text);
  if (!ms.ok()) Fail("bad " + flag + ": " + ms.status().message());
  return *ms;
}

// Unix ms when all digits, else RFC 3339.
int64_t StartMs(const std::string& text) {
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos) {
    return Number<int64_t>("--start", text);
  }
  wattline::Result<int64_t> ms = wattline::aggregator::ParseTimeParam(text);
  if (!ms.ok()) Fail("bad --start: " + ms.status().message());
  return *ms;
}

void WriteAll(const std::string& data) {
  const char* p = data.data();
  size_t left = data.size();
  while (left > 0) {
    ssize_t n = ::write(STDOUT_FILENO, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      std::fprintf(stderr, "wattline-meter-data-gen: cannot write stdout: %s\n",
                   std::strerror(errno));
      std::exit(1);
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
}

}  // namespace

int main(int argc, char** argv) {
  wattline::bench::MeterDataOptions options;
  bool have_start = false;
  bool have_duration = false;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (i + 1 >= argc) Fail("missing value for " + flag);
    const std::string value = argv[++i];
    if (flag == "--seed") {
      options.seed = Number<uint64_t>(flag, value);
    } else if (flag == "--devices") {
      options.devices = Number<int>(flag, value);
    } else if (flag == "--start") {
      options.start_ms = StartMs(value);
      have_start = true;
    } else if (flag == "--duration") {
      options.duration_ms = DurationMs(flag, value);
      have_duration = true;
    } else if (flag == "--step") {
      options.step_ms = DurationMs(flag, value);
    } else if (flag == "--solar-share") {
      options.solar_share = Number<double>(flag, value);
    } else if (flag == "--reset-interval") {
      options.reset_interval_ms = DurationMs(flag, value);
    } else if (flag == "--format") {
      if (value != "prometheus-text") Fail("unknown format " + value + " (prometheus-text)");
    } else {
      Fail("unknown flag " + flag);
    }
  }
  if (!have_start || !have_duration) Fail("--start and --duration are required");
  wattline::Status valid = wattline::bench::CheckMeterDataOptions(options);
  if (!valid.ok()) Fail(valid.message());

  const auto began = std::chrono::steady_clock::now();
  wattline::bench::MeterDataGenerator generator(options);
  const wattline::bench::MeterDataTextFormatter formatter(options.devices);
  wattline::bench::MeterStep step;
  std::string buffer;
  buffer.reserve(kFlushBytes + (1 << 20));
  uint64_t bytes = 0;
  while (generator.Next(&step)) {
    formatter.Append(step, &buffer);
    if (buffer.size() >= kFlushBytes) {
      WriteAll(buffer);
      bytes += buffer.size();
      buffer.clear();
    }
  }
  WriteAll(buffer);
  bytes += buffer.size();

  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  const int64_t samples = wattline::bench::MeterDataSamples(options);
  std::fprintf(
      stderr,
      "wattline-meter-data-gen: %lld samples (%d homes x %d series x %lld steps), "
      "%.1f MB in %.2f s: %.1f MB/s, %.2f M samples/s\n",
      static_cast<long long>(samples), options.devices, wattline::bench::kMeterDataSeriesPerDevice,
      static_cast<long long>(wattline::bench::MeterDataSteps(options)),
      static_cast<double>(bytes) / 1e6, seconds, static_cast<double>(bytes) / 1e6 / seconds,
      static_cast<double>(samples) / 1e6 / seconds);
  return 0;
}
