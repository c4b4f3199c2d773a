// The history backfill end to end: the shelly_gen2_http source, built from
// its config entry with a source state store, against shelly-pro3em-sim
// pretending it has been recording since before the agent's last reading.
// Every missed minute must be shipped once, with its original time stamp and
// exactly the counters a continuous poll would have read at that minute, in
// both profiles: emdata:0 (triphase) and em1data:0..2 (monophase).
#include <gtest/gtest.h>
#include <uv.h>

#include <chrono>
#include <ctime>
#include <map>
#include <set>

#include "agent/shelly/shelly_emdata_backfill.h"
#include "agent/shelly/shelly_gen2_http_source.h"
#include "agent/shelly/shelly_source_testing.h"
#include "agent/state/source_state_store.h"
#include "common/batch.h"
#include "common/config/config_tree.h"
#include "common/testing/temp_dir.h"
#include "tests/sim/shelly_pro3em_model.h"
#include "tests/sim/shelly_pro3em_status.h"

namespace wattline::agent {
namespace {

constexpr char kPro3emSimulator[] = WATTLINE_SHELLY_PRO3EM_SIM_BIN;
constexpr uint64_t kSeed = 11;
constexpr char kDevice[] = "pro3em_sim";

// A uv loop running one source with a state store; collects every sink call.
class BackfillLoop {
 public:
  // `clock` (the system's when null) outlives the loop.
  explicit BackfillLoop(SourceStateStore* state, const Clock* clock = nullptr)
      : state_(state), clock_(clock != nullptr ? clock : &system_clock_) {
    uv_loop_init(&loop_);
    uv_timer_init(&loop_, &wake_);
  }
  ~BackfillLoop() {
    Destroy();
    uv_close(reinterpret_cast<uv_handle_t*>(&wake_), nullptr);
    uv_run(&loop_, UV_RUN_DEFAULT);
    EXPECT_EQ(uv_loop_close(&loop_), 0);
  }

  Status Start(const std::string& yaml) {
    Result<ConfigNode> entry = ParseYamlConfig(yaml, "test.yaml");
    if (!entry.ok()) return entry.status();
    Result<SourceConfig> config = ShellyGen2HttpSourceType().read(*entry, SourceConfigContext{});
    if (!config.ok()) return config.status();
    SourceEnv env;
    env.loop = &loop_;
    env.clock = clock_;
    env.sink = [this](Samples&& samples) { batches_.push_back(std::move(samples)); };
    env.state = state_;
    Result<std::unique_ptr<Source>> source = config->create(env);
    if (!source.ok()) return source.status();
    source_ = std::move(*source);
    return source_->Start();
  }

  bool RunUntil(const std::function<bool()>& done, int timeout_ms) {
    uv_timer_start(
        &wake_, [](uv_timer_t*) {}, 10, 10);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (!done() && std::chrono::steady_clock::now() < deadline) uv_run(&loop_, UV_RUN_ONCE);
    uv_timer_stop(&wake_);
    return done();
  }

  // Stops and destroys the source once its work in flight has come back.
  void Destroy() {
    if (source_ == nullptr) return;
    source_->Stop();
    while (uv_loop_alive(&loop_) != 0) uv_run(&loop_, UV_RUN_ONCE);
    source_.reset();
    uv_run(&loop_, UV_RUN_NOWAIT);
  }

  // Starts the source with `yaml`, runs it until its first live reading, and
  // stops it; an error when it did not start or no live reading came.
  Status RunToFirstLiveReading(const std::string& yaml) {
    WATTLINE_RETURN_IF_ERROR(Start(yaml));
    const bool live = RunUntil([&] { return HasLiveReading(); }, 30'000);
    Destroy();
    return live ? Status::Ok() : Status::Unavailable("no live reading within 30 s");
  }

  bool HasLiveReading() const {
    for (const Samples& batch : batches_) {
      for (const Sample& sample : batch) {
        if (MetricName(sample.labels) == "power_watts") return true;
      }
    }
    return false;
  }

  const std::vector<Samples>& batches() const { return batches_; }
  Source* source() { return source_.get(); }

 private:
  SourceStateStore* state_;
  SystemClock system_clock_;
  const Clock* clock_;
  uv_loop_t loop_{};
  uv_timer_t wake_{};
  std::unique_ptr<Source> source_;
  std::vector<Samples> batches_;
};

// series text -> time -> value, over every batch; duplicates fail the test.
using Timeline = std::map<std::string, std::map<int64_t, double>>;

void AddTo(const std::vector<Samples>& batches, Timeline* timeline) {
  for (const Samples& batch : batches) {
    for (const Sample& sample : batch) {
      auto& series = (*timeline)[LabelsToString(sample.labels)];
      EXPECT_TRUE(series.emplace(sample.timestamp_ms, sample.value).second)
          << "shipped twice: " << LabelsToString(sample.labels) << " at " << sample.timestamp_ms;
      // Each series in time order, across runs too.
      EXPECT_EQ(series.rbegin()->first, sample.timestamp_ms)
          << "out of order: " << LabelsToString(sample.labels);
    }
  }
}

// A series of kDevice: `label`="`value`", as the live parser labels it.
std::string Series(std::string_view metric, std::string_view label, std::string_view value) {
  // Canonical order: "channel" < "device" < "phase".
  const std::string device = std::string("device=\"") + kDevice + "\"";
  const std::string extra = std::string(label) + "=\"" + std::string(value) + "\"";
  return std::string(metric) + "{" +
         (label < "device" ? extra + "," + device : device + "," + extra) + "}";
}

std::string Counter(std::string_view metric, std::string_view phase) {
  return Series(metric, "phase", phase);
}

// The eight counters of a reading, in EmDataCounters order.
EmDataCounters CountersOf(const sim::EmDataReading& r) {
  return {r.imported_wh[0], r.imported_wh[1], r.imported_wh[2], r.total_imported_wh,
          r.exported_wh[0], r.exported_wh[1], r.exported_wh[2], r.total_exported_wh};
}

// What one component of the simulated meter ships, and what it read.
struct Shipped {
  EmDataComponent component;
  std::vector<std::string> counters;  // in EmDataCounters order
  std::vector<std::string> voltages;  // per phase or the channel
  std::vector<std::string> currents;

  // The counters of `component` in a reading of the simulator's model: a
  // monophase CT N reads the model's phase N (shelly_pro3em_status.h).
  EmDataCounters Of(const sim::EmDataReading& r) const {
    if (component == kEmDataComponent) return CountersOf(r);
    const size_t n = static_cast<size_t>(component.id);
    return {r.imported_wh[n], r.exported_wh[n]};
  }
};

std::vector<Shipped> ShippedBy(sim::Pro3emProfile profile) {
  constexpr std::string_view kImported = "energy_imported_watt_hours_total";
  constexpr std::string_view kExported = "energy_exported_watt_hours_total";
  std::vector<Shipped> out;
  if (profile == sim::Pro3emProfile::kTriphase) {
    Shipped emdata{kEmDataComponent, {}, {}, {}};
    for (std::string_view metric : {kImported, kExported}) {
      for (std::string_view phase : {"a", "b", "c", "total"}) {
        emdata.counters.push_back(Counter(metric, phase));
      }
    }
    for (std::string_view phase : {"a", "b", "c"}) {
      emdata.voltages.push_back(Counter("voltage_volts", phase));
      emdata.currents.push_back(Counter("current_amperes", phase));
    }
    out.push_back(emdata);
    return out;
  }
  for (int n = 0; n < 3; ++n) {
    const std::string channel = std::to_string(n);
    out.push_back(
        Shipped{Em1DataComponent(n),
                {Series(kImported, "channel", channel), Series(kExported, "channel", channel)},
                {Series("voltage_volts", "channel", channel)},
                {Series("current_amperes", "channel", channel)}});
  }
  return out;
}

std::string Entry(const std::string& url) {
  return std::string("type: shelly_gen2_http\ndevice: ") + kDevice + "\nurl: " + url +
         "\ninterval: 200ms\ntimeout: 5s\n";
}

// The agent last shipped 20 minutes ago (on a minute boundary), when the
// meter (in `profile`) had been recording for 20 minutes: every missed minute
// of every component must be shipped once, with the counters the meter read
// then, continued by the live readings, and a second restart ships nothing
// twice.
void ShipsEveryMissedMinuteOnce(sim::Pro3emProfile profile) {
  const int64_t minute_s = std::time(nullptr) / 60 * 60;
  const int64_t t0_s = minute_s - 20 * 60;
  const int64_t start_s = minute_s - 40 * 60;
  testing::SimulatorProcess sim(
      kPro3emSimulator,
      {"--seed", std::to_string(kSeed), "--profile", sim::Pro3emProfileName(profile),
       "--history-start", std::to_string(start_s), "--history-chunk", "7"});
  ASSERT_TRUE(sim.WaitReady()) << sim.Log();

  // The counters at T0, as the meter served them then: the simulator's
  // model, run from the same start.
  sim::ShellyPro3emModel model(kSeed, start_s * 1000);
  const sim::EmDataReading at_t0 = model.EmData(t0_s * 1000);
  const std::vector<Shipped> components = ShippedBy(profile);
  wattline::testing::TempDir dir;
  auto store = SourceStateStore::Open(dir.File("state.db"));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  for (const Shipped& c : components) {
    ASSERT_TRUE((*store)
                    ->Put(EmDataAnchorKey(c.component, kDevice),
                          EncodeEmDataAnchor(c.component, {t0_s * 1000, c.Of(at_t0)}))
                    .ok());
  }

  Timeline timeline;
  std::vector<int64_t> last_backfilled_ms;
  {
    BackfillLoop loop(store->get());
    const int64_t started_ms = std::time(nullptr) * 1000;
    Status ran = loop.RunToFirstLiveReading(Entry(sim.url()));
    ASSERT_TRUE(ran.ok()) << ran.ToString() << "\n" << sim.Log();
    const int64_t first_run_end_ms = std::time(nullptr) * 1000 + 1000;

    // The batches before the first live reading are the backfill.
    std::vector<Samples> backfill;
    for (const Samples& batch : loop.batches()) {
      bool live = false;
      for (const Sample& sample : batch) live = live || MetricName(sample.labels) == "power_watts";
      if (live) break;
      backfill.push_back(batch);
    }
    ASSERT_FALSE(backfill.empty());
    Timeline shipped;
    AddTo(backfill, &shipped);
    // What the meter read at each minute end, in time order (the model only
    // moves forward).
    std::map<int64_t, sim::EmDataReading> readings;
    for (int64_t t = (t0_s + 60) * 1000; t <= first_run_end_ms; t += 60'000) {
      readings.emplace(t, model.EmData(t));
    }
    size_t expected_series = 0;
    for (const Shipped& c : components) {
      expected_series += c.counters.size() + c.voltages.size() + c.currents.size();
      // Every minute after T0 up to the last complete one, nothing else.
      const std::map<int64_t, double>& first_counter = shipped[c.counters[0]];
      ASSERT_FALSE(first_counter.empty()) << c.counters[0];
      EXPECT_EQ(first_counter.begin()->first, (t0_s + 60) * 1000);
      const int64_t last_ms = first_counter.rbegin()->first;
      last_backfilled_ms.push_back(last_ms);
      EXPECT_GE(last_ms, started_ms / 60'000 * 60'000);
      EXPECT_LE(last_ms, first_run_end_ms);
      EXPECT_EQ(static_cast<int64_t>(first_counter.size()), (last_ms - t0_s * 1000) / 60'000);
      for (int64_t t = (t0_s + 60) * 1000; t <= last_ms; t += 60'000) {
        const EmDataCounters expected = c.Of(readings.at(t));
        for (size_t k = 0; k < c.counters.size(); ++k) {
          auto series = shipped.find(c.counters[k]);
          ASSERT_NE(series, shipped.end()) << c.counters[k];
          auto value = series->second.find(t);
          ASSERT_NE(value, series->second.end()) << c.counters[k] << " misses " << t;
          EXPECT_NEAR(value->second, expected[k], 1e-6) << c.counters[k] << " at " << t;
        }
        for (const std::string& voltage : c.voltages) {
          const double volts = shipped[voltage].at(t);
          EXPECT_GT(volts, 220);
          EXPECT_LT(volts, 240);
        }
        for (const std::string& current : c.currents) EXPECT_GE(shipped[current].at(t), 0);
      }
    }
    // Nothing but these series (AddTo's operator[] adds none for a miss).
    EXPECT_EQ(shipped.size(), expected_series);
    AddTo(loop.batches(), &timeline);
    // Live readings continue the counters, never below the backfill.
    for (const Shipped& c : components) {
      for (const std::string& series : c.counters) {
        const auto& points = timeline[series];
        ASSERT_FALSE(points.empty()) << series;
        double previous = -1;
        for (const auto& [t, value] : points) {
          EXPECT_GE(value, previous) << series << " fell at " << t;
          previous = value;
        }
        EXPECT_GT(points.rbegin()->first, last_backfilled_ms.front())
            << series << ": no live reading";
      }
    }
  }
  // How far the shipped data reaches is stored, per component.
  for (size_t i = 0; i < components.size(); ++i) {
    auto stored = (*store)->Get(EmDataAnchorKey(components[i].component, kDevice));
    ASSERT_TRUE(stored.ok() && stored->has_value());
    auto anchor = DecodeEmDataAnchor(components[i].component, **stored);
    ASSERT_TRUE(anchor.ok());
    EXPECT_GE(anchor->timestamp_ms, last_backfilled_ms[i]);
  }

  // A second restart ships nothing twice (AddTo checks), and nothing before
  // what the first run shipped.
  {
    BackfillLoop loop(store->get());
    Status ran = loop.RunToFirstLiveReading(Entry(sim.url()));
    ASSERT_TRUE(ran.ok()) << ran.ToString() << "\n" << sim.Log();
    AddTo(loop.batches(), &timeline);
  }
}

TEST(ShellyEmDataBackfillSim, ShipsEveryMissedMinuteOnceWithTheCountersOfAContinuousPoll) {
  ShipsEveryMissedMinuteOnce(sim::Pro3emProfile::kTriphase);
}

TEST(ShellyEmDataBackfillSim, ShipsEveryMissedMinuteOfEachMonophaseChannelOnce) {
  ShipsEveryMissedMinuteOnce(sim::Pro3emProfile::kMonophase);
}

TEST(ShellyEmDataBackfillSim, AMonophaseMeterWritesAnAnchorPerChannelAndNoneForEmData) {
  const int64_t start_s = std::time(nullptr) / 60 * 60 - 30 * 60;
  testing::SimulatorProcess sim(kPro3emSimulator, {"--seed", "3", "--profile", "monophase",
                                                   "--history-start", std::to_string(start_s)});
  ASSERT_TRUE(sim.WaitReady()) << sim.Log();
  wattline::testing::TempDir dir;
  auto store = SourceStateStore::Open(dir.File("state.db"));
  ASSERT_TRUE(store.ok());
  BackfillLoop loop(store->get());
  Status ran = loop.RunToFirstLiveReading(Entry(sim.url()));
  ASSERT_TRUE(ran.ok()) << ran.ToString() << "\n" << sim.Log();
  for (int n = 0; n < 3; ++n) {
    auto stored = (*store)->Get(EmDataAnchorKey(Em1DataComponent(n), kDevice));
    ASSERT_TRUE(stored.ok() && stored->has_value()) << n;
    EXPECT_TRUE(DecodeEmDataAnchor(Em1DataComponent(n), **stored).ok()) << n;
  }
  auto triphase = (*store)->Get(EmDataAnchorKey(kEmDataComponent, kDevice));
  ASSERT_TRUE(triphase.ok());
  EXPECT_FALSE(triphase->has_value());
}

TEST(ShellyEmDataBackfillSim, WithoutAnAnchorThereIsNoBackfillButAnAnchorIsWritten) {
  const int64_t start_s = std::time(nullptr) / 60 * 60 - 30 * 60;
  testing::SimulatorProcess sim(kPro3emSimulator,
                                {"--seed", "3", "--history-start", std::to_string(start_s)});
  ASSERT_TRUE(sim.WaitReady()) << sim.Log();
  wattline::testing::TempDir dir;
  auto store = SourceStateStore::Open(dir.File("state.db"));
  ASSERT_TRUE(store.ok());
  BackfillLoop loop(store->get());
  Status ran = loop.RunToFirstLiveReading(Entry(sim.url()));
  ASSERT_TRUE(ran.ok()) << ran.ToString() << "\n" << sim.Log();
  // The very first batch is a live reading.
  ASSERT_FALSE(loop.batches().empty());
  bool live = false;
  for (const Sample& sample : loop.batches().front()) {
    live = live || MetricName(sample.labels) == "power_watts";
  }
  EXPECT_TRUE(live);
  auto stored = (*store)->Get(EmDataAnchorKey(kEmDataComponent, kDevice));
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_TRUE(DecodeEmDataAnchor(kEmDataComponent, **stored).ok());
}

// Before the agent knows the time its samples carry provisional boot-time
// stamps; an anchor stamped so would make the next backfill reach back to
// 1970, so none is written, while the live readings flow as ever.
TEST(ShellyEmDataBackfillSim, NoAnchorIsWrittenWhileTheTimeIsProvisional) {
  const int64_t start_s = std::time(nullptr) / 60 * 60 - 30 * 60;
  testing::SimulatorProcess sim(kPro3emSimulator,
                                {"--seed", "4", "--history-start", std::to_string(start_s)});
  ASSERT_TRUE(sim.WaitReady()) << sim.Log();
  wattline::testing::TempDir dir;
  auto store = SourceStateStore::Open(dir.File("state.db"));
  ASSERT_TRUE(store.ok());
  FakeClock provisional(42'000);  // 42 s after boot, the time not yet known
  ASSERT_LT(provisional.NowUnixMs(), kProvisionalTimeLimitMs);
  BackfillLoop loop(store->get(), &provisional);
  Status ran = loop.RunToFirstLiveReading(Entry(sim.url()));
  ASSERT_TRUE(ran.ok()) << ran.ToString() << "\n" << sim.Log();
  auto stored = (*store)->Get(EmDataAnchorKey(kEmDataComponent, kDevice));
  ASSERT_TRUE(stored.ok());
  EXPECT_FALSE(stored->has_value()) << "an anchor with a provisional time was stored";
}

TEST(ShellyEmDataBackfillSim, BackfillMaxZeroTurnsItOff) {
  const int64_t minute_s = std::time(nullptr) / 60 * 60;
  testing::SimulatorProcess sim(kPro3emSimulator,
                                {"--seed", "5", "--history-start", std::to_string(minute_s - 600)});
  ASSERT_TRUE(sim.WaitReady()) << sim.Log();
  wattline::testing::TempDir dir;
  auto store = SourceStateStore::Open(dir.File("state.db"));
  ASSERT_TRUE(store.ok());
  sim::ShellyPro3emModel model(5, (minute_s - 600) * 1000);
  const EmDataAnchor old{(minute_s - 300) * 1000,
                         CountersOf(model.EmData((minute_s - 300) * 1000))};
  ASSERT_TRUE((*store)
                  ->Put(EmDataAnchorKey(kEmDataComponent, kDevice),
                        EncodeEmDataAnchor(kEmDataComponent, old))
                  .ok());
  BackfillLoop loop(store->get());
  Status ran = loop.RunToFirstLiveReading(Entry(sim.url()) + "backfill_max: 0s\n");
  ASSERT_TRUE(ran.ok()) << ran.ToString() << "\n" << sim.Log();
  for (const Samples& batch : loop.batches()) {
    for (const Sample& sample : batch) EXPECT_GT(sample.timestamp_ms, old.timestamp_ms + 240'000);
  }
  // Off means off: the anchor is not touched either.
  auto stored = (*store)->Get(EmDataAnchorKey(kEmDataComponent, kDevice));
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ(DecodeEmDataAnchor(kEmDataComponent, **stored)->timestamp_ms, old.timestamp_ms);
}

}  // namespace
}  // namespace wattline::agent
