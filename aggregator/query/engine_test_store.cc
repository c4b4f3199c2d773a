#include "aggregator/query/engine_test_store.h"

#include <string>
#include <utility>
#include <variant>

#include "aggregator/query/parser.h"

namespace wattline::aggregator {
namespace {

// The counter's sample index at which the meter restarts: 13:03:13.
constexpr int64_t kResetIndex = 4700;

}  // namespace

std::string At(int64_t ms) { return "@ " + std::to_string(ms / 1000); }

std::vector<std::string> MetricsOf(const Vector& vector) {
  std::vector<std::string> out;
  for (const Sample& sample : vector) out.push_back(LabelsToString(sample.metric));
  return out;
}
std::vector<std::string> MetricsOf(const Matrix& matrix) {
  std::vector<std::string> out;
  for (const Series& series : matrix) out.push_back(LabelsToString(series.metric));
  return out;
}
std::vector<double> ValuesOf(const Vector& vector) {
  std::vector<double> out;
  for (const Sample& sample : vector) out.push_back(sample.value);
  return out;
}
std::vector<double> ValuesOf(const Series& series) {
  std::vector<double> out;
  for (const SamplePoint& point : series.points) out.push_back(point.value);
  return out;
}
std::vector<int64_t> TimesOf(const Series& series) {
  std::vector<int64_t> out;
  for (const SamplePoint& point : series.points) out.push_back(point.timestamp_ms);
  return out;
}

void EngineOverStore::SetUp() {
  StorageOptions options;
  options.raw_retention_ms = 0;  // nothing is rolled up under the queries
  auto store = SampleStore::Open(dir_.File("s.db"), &clock_, options);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  store_ = std::move(*store);

  std::vector<SeriesSamples> data;
  // energy_watt_hours_total{device="meter"}: every 10 s from kMidnight - 7 s
  // (index 0) to kMidnight + 24h - 7 s (index 8640), +2 Wh a sample; at index
  // kResetIndex the meter restarts from 0 and reads 1. One more sample
  // exactly at 06:00:00, between indexes 2160 and 2161, halfway.
  SeriesSamples counter{{{"__name__", "energy_watt_hours_total"}, {"device", "meter"}}, {}, {}};
  for (int64_t k = 0; k <= 8640; ++k) {
    counter.timestamps_ms.push_back(kMidnight - 7 * kSecond + k * 10 * kSecond);
    counter.values.push_back(k < kResetIndex ? 1000.0 + 2.0 * static_cast<double>(k)
                                             : 2.0 * static_cast<double>(k - kResetIndex) + 1);
    if (k == 2160) {
      counter.timestamps_ms.push_back(kMidnight + 6 * kHour);
      counter.values.push_back(1000.0 + 2 * 2160 + 1);
    }
  }
  data.push_back(std::move(counter));

  // minutes_since_midnight: m at kMidnight + m minutes, through the day.
  SeriesSamples minutes{{{"__name__", "minutes_since_midnight"}}, {}, {}};
  for (int64_t m = 0; m <= 24 * 60; ++m) {
    minutes.timestamps_ms.push_back(kMidnight + m * kMinute);
    minutes.values.push_back(static_cast<double>(m));
  }
  data.push_back(std::move(minutes));

  // Every 10 s for two hours from kMidnight: a heater drawing a constant
  // 1000 W, a ramp whose watts are the seconds since kMidnight, and the heater's
  // voltage, which has the heater's labels but for the name.
  SeriesSamples heater{{{"__name__", "power_watts"}, {"device", "heater"}}, {}, {}};
  SeriesSamples ramp{{{"__name__", "power_watts"}, {"device", "ramp"}}, {}, {}};
  SeriesSamples voltage{{{"__name__", "voltage_volts"}, {"device", "heater"}}, {}, {}};
  for (int64_t i = 0; i <= 720; ++i) {
    const int64_t t = kMidnight + i * 10 * kSecond;
    for (SeriesSamples* series : {&heater, &ramp, &voltage}) series->timestamps_ms.push_back(t);
    heater.values.push_back(1000);
    ramp.values.push_back(static_cast<double>(i * 10));
    voltage.values.push_back(230);
  }
  data.push_back(std::move(heater));
  data.push_back(std::move(ramp));
  data.push_back(std::move(voltage));

  // Counters around the window (kMidnight + 1h, kMidnight + 2h]: the sample before it
  // is 4 minutes (near), exactly 5 minutes (edge) or 6 minutes (far)
  // before its start.
  for (auto [name, before] : {std::pair{"near", 4 * kMinute}, std::pair{"edge", 5 * kMinute},
                              std::pair{"far", 6 * kMinute}}) {
    data.push_back({{{"__name__", "base_counter"}, {"case", name}},
                    {kMidnight + kHour - before, kMidnight + kHour + 2 * kMinute,
                     kMidnight + kHour + 30 * kMinute},
                    {100, 130, 150}});
  }
  // 1000 W, 4 minutes before that window's start and then twice in it,
  // 5 minutes apart.
  data.push_back({{{"__name__", "base_power"}},
                  {kMidnight + kHour - 4 * kMinute, kMidnight + kHour + kMinute,
                   kMidnight + kHour + 6 * kMinute},
                  {1000, 1000, 1000}});

  // Rooms whose order by temperature is not their order by name, at
  // kMidnight + 1h and the two minutes after.
  for (auto [room, celsius] : {std::pair{"attic", 30.0}, std::pair{"bedroom", 18.0},
                               std::pair{"cellar", 12.0}, std::pair{"kitchen", 21.0}}) {
    data.push_back(
        {{{"__name__", "room_celsius"}, {"room", room}},
         {kMidnight + kHour, kMidnight + kHour + kMinute, kMidnight + kHour + 2 * kMinute},
         {celsius, celsius, celsius}});
  }

  auto stored = store_->Write(data);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
}

std::unique_ptr<Engine> EngineOverStore::MakeEngine(QueryLimits limits, const Clock* clock) {
  return std::make_unique<Engine>(store_.get(), clock != nullptr ? clock : &clock_, limits);
}

Result<QueryValue> EngineOverStore::InstantOn(const Engine& engine, std::string_view query,
                                              int64_t t, std::optional<int64_t> timeout_ms) {
  Result<std::unique_ptr<Expr>> expr = ParseExpr(query);
  if (!expr.ok()) return expr.status();
  return engine.Instant(**expr, t, timeout_ms);
}

Result<Matrix> EngineOverStore::RangeOn(const Engine& engine, std::string_view query, int64_t start,
                                        int64_t end, int64_t step,
                                        std::optional<int64_t> timeout_ms) {
  Result<std::unique_ptr<Expr>> expr = ParseExpr(query);
  if (!expr.ok()) return expr.status();
  return engine.Range(**expr, start, end, step, timeout_ms);
}

Vector EngineOverStore::InstantVector(std::string_view query, int64_t t) {
  Result<QueryValue> value = InstantOn(*MakeEngine(), query, t);
  if (!value.ok()) {
    ADD_FAILURE() << query << ": " << value.status().ToString();
    return {};
  }
  if (!std::holds_alternative<Vector>(*value)) {
    ADD_FAILURE() << query << " gave no instant vector";
    return {};
  }
  return std::get<Vector>(std::move(*value));
}

Matrix EngineOverStore::InstantMatrix(std::string_view query, int64_t t) {
  Result<QueryValue> value = InstantOn(*MakeEngine(), query, t);
  if (!value.ok()) {
    ADD_FAILURE() << query << ": " << value.status().ToString();
    return {};
  }
  if (!std::holds_alternative<Matrix>(*value)) {
    ADD_FAILURE() << query << " gave no range vector";
    return {};
  }
  return std::get<Matrix>(std::move(*value));
}

double EngineOverStore::InstantValue(std::string_view query, int64_t t) {
  const Vector vector = InstantVector(query, t);
  if (vector.size() != 1) {
    ADD_FAILURE() << query << " gave " << vector.size() << " samples, not 1";
    return -1;
  }
  return vector[0].value;
}

Matrix EngineOverStore::Range(std::string_view query, int64_t start, int64_t end, int64_t step) {
  Result<Matrix> matrix = RangeOn(*MakeEngine(), query, start, end, step);
  if (!matrix.ok()) {
    ADD_FAILURE() << query << ": " << matrix.status().ToString();
    return {};
  }
  return std::move(*matrix);
}

Series EngineOverStore::RangeSeries(std::string_view query, int64_t start, int64_t end,
                                    int64_t step) {
  Matrix matrix = Range(query, start, end, step);
  if (matrix.size() != 1) {
    ADD_FAILURE() << query << " gave " << matrix.size() << " series, not 1";
    return {};
  }
  return std::move(matrix[0]);
}

}  // namespace wattline::aggregator
