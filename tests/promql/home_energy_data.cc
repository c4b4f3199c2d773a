#include "tests/promql/home_energy_data.h"

#include <charconv>
#include <cmath>
#include <functional>
#include <limits>

namespace wattline::testing {
namespace {

constexpr int64_t kSecondMs = 1000;
constexpr int64_t kMinuteMs = 60 * kSecondMs;
constexpr int64_t kHourMs = 60 * kMinuteMs;
constexpr double kPi = 3.14159265358979323846;

// A reproducible value in [0, 1) for (seed, index): splitmix64, so the data
// does not depend on the standard library's random engines.
double Noise(uint64_t seed, int64_t index) {
  uint64_t z = seed * 0x9e3779b97f4a7c15ULL + static_cast<uint64_t>(index) + 1;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) / static_cast<double>(1ULL << 53);
}

// Rounded to `decimals` places, as a meter reports it.
double Round(double value, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(value * scale) / scale;
}

// One slow wave over the six hours plus noise: varied, never flat.
double Wave(uint64_t seed, int64_t t_ms, double base, double amplitude, double noise) {
  const double phase = 2 * kPi * static_cast<double>(t_ms) / static_cast<double>(2 * kHourMs);
  return base + amplitude * std::sin(phase + static_cast<double>(seed)) +
         noise * (Noise(seed, t_ms / kSecondMs) - 0.5);
}

using Labels = std::vector<std::pair<std::string, std::string>>;

// Samples every `interval_ms` in [from_ms, to_ms) (offsets from the start),
// skipping [gap_from_ms, gap_to_ms).
GeneratedSeries Sampled(std::string name, std::string type, Labels labels, int64_t interval_ms,
                        int64_t from_ms, int64_t to_ms, const std::function<double(int64_t)>& value,
                        int64_t gap_from_ms = 0, int64_t gap_to_ms = 0) {
  GeneratedSeries series{std::move(name), std::move(type), std::move(labels), {}, {}};
  for (int64_t t = from_ms; t < to_ms; t += interval_ms) {
    if (t >= gap_from_ms && t < gap_to_ms) continue;
    series.timestamps_ms.push_back(kDataStartMs + t);
    series.values.push_back(value(t));
  }
  return series;
}

// An energy counter (Wh, 3 decimals) integrating `power` (W) every 15 s,
// restarting from `reset_to` at `reset_at_ms` when that is set.
GeneratedSeries Counter(std::string name, Labels labels, double initial, int64_t from_ms,
                        int64_t to_ms, const std::function<double(int64_t)>& power,
                        int64_t reset_at_ms = -1, double reset_to = 0) {
  constexpr int64_t kStepMs = 15 * kSecondMs;
  GeneratedSeries series{std::move(name), "counter", std::move(labels), {}, {}};
  double energy = initial;
  for (int64_t t = from_ms; t < to_ms; t += kStepMs) {
    if (t == reset_at_ms) energy = reset_to;
    series.timestamps_ms.push_back(kDataStartMs + t);
    series.values.push_back(Round(energy, 3));
    energy += std::max(0.0, power(t)) * static_cast<double>(kStepMs) / kHourMs;
  }
  return series;
}

double PanelPower(char phase, int64_t t) {
  switch (phase) {
    case 'a':
      return Round(Wave(1, t, 420, 300, 80), 1);
    case 'b':
      return Round(Wave(2, t, 900, 600, 150), 1);
    default:  // 'c': the solar inverter's phase, mostly exporting
      return Round(Wave(3, t, -350, 500, 60), 1);
  }
}

double HeatpumpPower(int64_t t) { return Round(std::max(0.0, Wave(4, t, 1100, 900, 200)), 1); }
double SolarPower(int64_t t) { return Round(std::min(0.0, Wave(5, t, -1500, 1400, 100)), 1); }
double EvPower(int64_t t) { return Round(7200 + 400 * (Noise(6, t / kSecondMs) - 0.5), 0); }
double DishwasherPower(int64_t t) {
  // Heats in bursts: 2 kW for ten minutes of every half hour, 8 W otherwise.
  return (t / kMinuteMs) % 30 < 10 ? Round(2050 + 50 * Noise(7, t / kSecondMs), 1) : 8.0;
}

void AppendValue(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
  } else if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
  } else {
    char buffer[32];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
    out.append(buffer, end);
  }
}

void AppendLabels(std::string& out, const Labels& labels) {
  if (labels.empty()) return;
  out += '{';
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += ',';
    out += labels[i].first + "=\"";
    // Both formats escape a label value alike: backslash, quote, newline.
    for (char c : labels[i].second) {
      if (c == '\\' || c == '"') {
        out += '\\';
        out += c;
      } else if (c == '\n') {
        out += "\\n";
      } else {
        out += c;
      }
    }
    out += '"';
  }
  out += '}';
}

}  // namespace

std::vector<GeneratedSeries> GenerateHomeEnergyData() {
  constexpr int64_t k10s = 10 * kSecondMs;
  constexpr int64_t k15s = 15 * kSecondMs;
  constexpr int64_t kEnd = kDataDurationMs;
  constexpr int64_t kEvStart = 2 * kHourMs + 30 * kMinuteMs;
  constexpr int64_t kDishwasherEnd = 4 * kHourMs;
  constexpr int64_t kNanAt = kHourMs + 30 * kMinuteMs;
  constexpr int64_t kGapFrom = 2 * kHourMs;
  constexpr int64_t kGapTo = 2 * kHourMs + 20 * kMinuteMs;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double kInf = std::numeric_limits<double>::infinity();
  auto panel = [](const char* phase) -> Labels { return {{"device", "panel"}, {"phase", phase}}; };
  auto whole = [](const char* device) -> Labels {
    return {{"device", device}, {"phase", "total"}};
  };
  auto panel_total = [](int64_t t) {
    return Round(PanelPower('a', t) + PanelPower('b', t) + PanelPower('c', t), 1);
  };

  std::vector<GeneratedSeries> out;
  for (char phase : {'a', 'b', 'c'}) {
    const std::string name(1, phase);
    out.push_back(Sampled(
        "power_watts", "gauge", panel(name.c_str()), k10s, 0, kEnd,
        [&](int64_t t) { return phase == 'a' && t == kNanAt ? nan : PanelPower(phase, t); }));
  }
  out.push_back(Sampled("power_watts", "gauge", panel("total"), k10s, 0, kEnd, panel_total));
  out.push_back(Sampled("power_watts", "gauge", whole("heatpump"), k10s, 0, kEnd, HeatpumpPower,
                        kGapFrom, kGapTo));
  out.push_back(Sampled("power_watts", "gauge", whole("solar"), k10s, 0, kEnd, SolarPower));
  out.push_back(
      Sampled("power_watts", "gauge", whole("ev_charger"), k10s, kEvStart, kEnd, EvPower));
  out.push_back(Sampled("power_watts", "gauge", whole("dishwasher"), k10s, 0, kDishwasherEnd,
                        DishwasherPower));

  const std::string imported = "energy_imported_watt_hours_total";
  out.push_back(Counter(imported, panel("a"), 1'204'331.5, 0, kEnd,
                        [](int64_t t) { return PanelPower('a', t); }));
  out.push_back(Counter(
      imported, panel("b"), 2'880'102.25, 0, kEnd, [](int64_t t) { return PanelPower('b', t); },
      3 * kHourMs, 12.5));
  out.push_back(Counter(imported, panel("c"), 310'877.0, 0, kEnd,
                        [](int64_t t) { return PanelPower('c', t); }));
  out.push_back(Counter(imported, panel("total"), 4'395'310.75, 0, kEnd, panel_total));
  out.push_back(Counter(imported, whole("heatpump"), 980'004.0, 0, kEnd, HeatpumpPower));
  out.push_back(Counter(imported, whole("ev_charger"), 51'230.0, kEvStart, kEnd, EvPower));
  out.push_back(
      Counter(imported, whole("dishwasher"), 88'410.5, 0, kDishwasherEnd, DishwasherPower));

  const std::string exported = "energy_exported_watt_hours_total";
  out.push_back(Counter(exported, panel("total"), 1'750'220.0, 0, kEnd,
                        [&](int64_t t) { return -panel_total(t); }));
  out.push_back(Counter(exported, whole("solar"), 2'010'500.0, 0, kEnd,
                        [](int64_t t) { return -SolarPower(t); }));

  for (char phase : {'a', 'b', 'c'}) {
    const std::string name(1, phase);
    const uint64_t seed = 10 + static_cast<uint64_t>(phase - 'a');
    out.push_back(Sampled("voltage_volts", "gauge", panel(name.c_str()), k10s, 0, kEnd,
                          [seed](int64_t t) { return Round(Wave(seed, t, 231, 3, 2), 1); }));
  }
  for (char phase : {'a', 'b', 'c'}) {
    const std::string name(1, phase);
    out.push_back(
        Sampled("current_amperes", "gauge", panel(name.c_str()), k10s, 0, kEnd,
                [phase](int64_t t) { return Round(std::abs(PanelPower(phase, t)) / 230, 2); }));
  }
  out.push_back(Sampled("frequency_hertz", "gauge", {{"device", "panel"}}, k15s, 0, kEnd,
                        [](int64_t t) { return Round(Wave(20, t, 50, 0.03, 0.04), 3); }));

  // A classic histogram of the heat pump's power, one bucket counter per
  // bound, counting a reading every 15 s.
  const std::vector<std::pair<const char*, double>> bounds = {
      {"250", 250}, {"500", 500}, {"1000", 1000}, {"1500", 1500}, {"2000", 2000}, {"+Inf", kInf}};
  for (const auto& [le, bound] : bounds) {
    const double upper = bound;
    out.push_back(Sampled("power_distribution_watts_bucket", "gauge",
                          {{"device", "heatpump"}, {"le", le}}, k15s, 0, kEnd,
                          // Called once per timestamp, in order.
                          [upper, count = 0.0](int64_t t) mutable {
                            count += HeatpumpPower(t) <= upper ? 1 : 0;
                            return count;
                          }));
  }

  const std::vector<std::vector<std::pair<std::string, std::string>>> infos = {
      {{"device", "panel"},
       {"model", "SPEM-003CEBEU"},
       {"name", "Hauptverteilung"},
       {"room", "utility"}},
      {{"device", "heatpump"},
       {"model", "SPSW-201XE16EU"},
       {"name", "Keller\\Wärmepumpe"},
       {"room", "garage"}},
      {{"device", "solar"},
       {"model", "SPEM-002CEBEU50"},
       {"name", "Dach \"Süd\"\nWest"},
       {"room", "roof"}},
      {{"device", "ev_charger"}, {"model", "SPSW-201XE16EU"}, {"room", "garage"}},
      {{"device", "dishwasher"},
       {"model", "SNPL-00112EU"},
       {"name", "Küche: Spülmaschine"},
       {"room", "kitchen"}},
  };
  for (const auto& labels : infos) {
    out.push_back(
        Sampled("device_info", "gauge", labels, k15s, 0, kEnd, [](int64_t) { return 1.0; }));
  }
  return out;
}

std::string ToOpenMetrics(const std::vector<GeneratedSeries>& series) {
  std::string out;
  for (size_t i = 0; i < series.size(); ++i) {
    const GeneratedSeries& s = series[i];
    if (i == 0 || series[i - 1].name != s.name) {
      // A counter's family is named without the _total its samples carry.
      std::string family = s.name;
      if (s.type == "counter" && family.ends_with("_total")) family.resize(family.size() - 6);
      out += "# TYPE " + family + " " + s.type + "\n";
    }
    std::string prefix = s.name;
    AppendLabels(prefix, s.labels);
    for (size_t j = 0; j < s.values.size(); ++j) {
      out += prefix + " ";
      AppendValue(out, s.values[j]);
      // Whole seconds only: every timestamp is a multiple of 1000 ms.
      out += " " + std::to_string(s.timestamps_ms[j] / 1000) + "\n";
    }
  }
  out += "# EOF\n";
  return out;
}

std::string ToPrometheusText(const std::vector<GeneratedSeries>& series) {
  std::string out;
  for (size_t i = 0; i < series.size(); ++i) {
    const GeneratedSeries& s = series[i];
    if (i == 0 || series[i - 1].name != s.name) out += "# TYPE " + s.name + " " + s.type + "\n";
    std::string prefix = s.name;
    AppendLabels(prefix, s.labels);
    for (size_t j = 0; j < s.values.size(); ++j) {
      out += prefix + " ";
      AppendValue(out, s.values[j]);
      out += " " + std::to_string(s.timestamps_ms[j]) + "\n";
    }
  }
  return out;
}

}  // namespace wattline::testing
