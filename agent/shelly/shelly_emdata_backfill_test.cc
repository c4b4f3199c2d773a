#include "agent/shelly/shelly_emdata_backfill.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

namespace wattline::agent {
namespace {

constexpr int64_t kHistoryStart = 1'757'000'040;  // a minute boundary

// A meter whose history is in code: every minute, phase a imports 1 Wh,
// phase b 0.5 Wh, phase c exports 0.25 Wh. Records exist for every complete
// minute in `blocks` (start, minutes); GetData answers at most `chunk`
// records at a time.
class FakeMeter {
 public:
  std::vector<std::pair<int64_t, int64_t>> blocks = {{kHistoryStart, 100000}};
  size_t chunk = 25;
  std::string records_shape = "data_blocks";
  std::vector<std::string> requests;
  std::map<std::string, std::string> overrides;  // path prefix -> body
  std::map<std::string, int> failures;           // path prefix -> HTTP status

  explicit FakeMeter(const FakeClock& clock) : clock_(clock) {}

  // The counters at `unix_ms` (energy accrues evenly within a minute).
  EmDataCounters CountersAt(int64_t unix_ms) const {
    const double minutes = static_cast<double>(unix_ms - kHistoryStart * 1000) / 60'000.0;
    return {1000 + minutes, 2000 + minutes * 0.5, 3000, 6000 + minutes * 1.5,
            0, 0, 10 + minutes * 0.25, 10 + minutes * 0.25};
  }

  ShellyRpcGet Get() {
    return [this](const std::string& path, std::string_view* reason) -> Result<std::string> {
      requests.push_back(path);
      for (const auto& [prefix, status] : failures) {
        if (path.rfind(prefix, 0) == 0) {
          *reason = kErrorProtocol;
          return Status::Unavailable(path + " answered HTTP " + std::to_string(status));
        }
      }
      for (const auto& [prefix, body] : overrides) {
        if (path.rfind(prefix, 0) == 0) return body;
      }
      if (path.rfind("/rpc/EMData.GetStatus", 0) == 0) return StatusBody(clock_.NowUnixMs());
      if (path.rfind("/rpc/EMData.GetRecords", 0) == 0) return Records(Param(path, "ts"));
      if (path.rfind("/rpc/EMData.GetData", 0) == 0) {
        return Data(Param(path, "ts"), Param(path, "end_ts"));
      }
      // A single-phase channel (em1data): phase a's import and phase c's
      // export.
      if (path.rfind("/rpc/EM1Data.GetStatus", 0) == 0) {
        const EmDataCounters c = CountersAt(clock_.NowUnixMs());
        return "{\"id\":1,\"total_act_energy\":" + std::to_string(c[0]) +
               ",\"total_act_ret_energy\":" + std::to_string(c[6]) + "}";
      }
      if (path.rfind("/rpc/EM1Data.GetRecords", 0) == 0) return Records(Param(path, "ts"));
      if (path.rfind("/rpc/EM1Data.GetData", 0) == 0) {
        return Data(Param(path, "ts"), Param(path, "end_ts"),
                    R"(["total_act_energy","total_act_ret_energy","avg_voltage"])", "[1,0.25,230]");
      }
      *reason = kErrorProtocol;
      return Status::Unavailable("no handler for " + path);
    };
  }

 private:
  static int64_t Param(const std::string& path, const std::string& name) {
    const size_t at = path.find("&" + name + "=");
    return at == std::string::npos ? -1 : std::stoll(path.substr(at + name.size() + 2));
  }

  std::string StatusBody(int64_t now_ms) const {
    const EmDataCounters c = CountersAt(now_ms);
    return "{\"id\":0,\"a_total_act_energy\":" + std::to_string(c[0]) +
           ",\"b_total_act_energy\":" + std::to_string(c[1]) +
           ",\"c_total_act_energy\":" + std::to_string(c[2]) +
           ",\"total_act\":" + std::to_string(c[3]) + ",\"a_total_act_ret_energy\":0" +
           ",\"b_total_act_ret_energy\":0,\"c_total_act_ret_energy\":" + std::to_string(c[6]) +
           ",\"total_act_ret\":" + std::to_string(c[7]) + "}";
  }

  // Complete minutes of block `b` up to now.
  int64_t Complete(const std::pair<int64_t, int64_t>& b) const {
    return std::min(b.second, (clock_.NowUnixMs() / 1000 - b.first) / 60);
  }

  std::string Records(int64_t ts) const {
    std::string out = "{\"" + records_shape + "\":[";
    bool first = true;
    for (const auto& b : blocks) {
      const int64_t n = Complete(b);
      if (n <= 0 || b.first + n * 60 <= ts) continue;
      out += std::string(first ? "" : ",") + "{\"ts\":" + std::to_string(b.first) +
             ",\"period\":60,\"" + (records_shape == "data_blocks" ? "records" : "count") +
             "\":" + std::to_string(n) + "}";
      first = false;
    }
    return out + "]}";
  }

  std::string Data(
      int64_t ts, int64_t end_ts,
      std::string_view keys =
          R"(["a_total_act_energy","b_total_act_energy","c_total_act_energy","a_total_act_ret_energy","b_total_act_ret_energy","c_total_act_ret_energy","a_avg_voltage"])",
      std::string_view row = "[1,0.5,0,0,0,0.25,230]") const {
    std::string out = R"({"keys":)" + std::string(keys) + R"(,"data":[)";
    size_t rows = 0;
    int64_t next = -1;
    bool first_block = true;
    for (const auto& b : blocks) {
      std::string values;
      int64_t block_first = -1;
      for (int64_t k = 0; k < Complete(b); ++k) {
        const int64_t start = b.first + 60 * k;
        if (start < ts || start > end_ts) continue;
        if (rows == chunk) {
          if (next < 0) next = start;
          break;
        }
        if (block_first < 0) block_first = start;
        values += std::string(values.empty() ? "" : ",") + std::string(row);
        ++rows;
      }
      if (block_first < 0) continue;
      out += std::string(first_block ? "" : ",") + "{\"ts\":" + std::to_string(block_first) +
             ",\"period\":60,\"values\":[" + values + "]}";
      first_block = false;
    }
    out += "]";
    if (next >= 0) out += ",\"next_record_ts\":" + std::to_string(next);
    return out + "}";
  }

  const FakeClock& clock_;
};

EmDataAnchor AnchorAt(const FakeMeter& meter, int64_t unix_ms) {
  return EmDataAnchor{unix_ms, meter.CountersAt(unix_ms)};
}

EmDataBackfillOptions Options() {
  EmDataBackfillOptions options;
  options.device = "panel";
  return options;
}

int CountPrefix(const std::vector<std::string>& requests, const std::string& prefix) {
  int n = 0;
  for (const std::string& r : requests) n += r.rfind(prefix, 0) == 0;
  return n;
}

TEST(EmDataBackfill, FetchesEveryMissedMinuteAcrossWindowsAndChunks) {
  // Shipped at minute 100, now 30 s into minute 250: minutes 100..249 missed.
  const int64_t t0 = (kHistoryStart + 100 * 60) * 1000;
  FakeClock clock((kHistoryStart + 250 * 60 + 30) * 1000);
  FakeMeter meter(clock);
  std::string_view reason;
  auto result = FetchEmDataBackfill(kEmDataComponent, meter.Get(), AnchorAt(meter, t0), clock,
                                    Options(), &reason);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->rows.size(), 150u);
  for (size_t i = 0; i < result->rows.size(); ++i) {
    const EmDataRow& row = result->rows[i];
    const int64_t end_ms = t0 + static_cast<int64_t>(i + 1) * 60'000;
    ASSERT_EQ(row.timestamp_ms, end_ms);
    // Exactly the counters the meter had at that moment.
    const EmDataCounters expected = meter.CountersAt(end_ms);
    for (size_t k = 0; k < kEmDataCounterCount; ++k) {
      EXPECT_NEAR(row.wh[k], expected[k], 1e-6) << "row " << i << " counter " << k;
    }
    EXPECT_EQ(row.avg_voltage_v[0], 230);
  }
  ASSERT_TRUE(result->anchor.has_value());
  EXPECT_EQ(result->anchor->timestamp_ms, result->rows.back().timestamp_ms);
  EXPECT_TRUE(result->notes.empty()) << result->notes[0];
  // One GetRecords; GetData per hour window, more where the answer was chunked.
  EXPECT_EQ(CountPrefix(meter.requests, "/rpc/EMData.GetRecords?id=0&ts="), 1);
  EXPECT_GE(CountPrefix(meter.requests, "/rpc/EMData.GetData"), 150 / 25);
  EXPECT_LE(CountPrefix(meter.requests, "/rpc/EMData.GetData"), 20);
}

TEST(EmDataBackfill, AcceptsTheOtherGetRecordsShapeAndSkipsGapsBetweenBlocks) {
  const int64_t t0 = (kHistoryStart + 10 * 60) * 1000;
  FakeClock clock((kHistoryStart + 24 * 3600) * 1000);
  FakeMeter meter(clock);
  meter.records_shape = "records";
  // Powered off from minute 30 to minute 1200: no records in between.
  meter.blocks = {{kHistoryStart, 30}, {kHistoryStart + 1200 * 60, 100000}};
  std::string_view reason;
  auto result = FetchEmDataBackfill(kEmDataComponent, meter.Get(), AnchorAt(meter, t0), clock,
                                    Options(), &reason);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->rows.size(), 20u + (1440 - 1200));
  for (const std::string& request : meter.requests) {
    if (request.rfind("/rpc/EMData.GetData", 0) != 0) continue;
    const int64_t ts = std::stoll(request.substr(request.find("&ts=") + 4));
    EXPECT_FALSE(ts >= kHistoryStart + 30 * 60 && ts < kHistoryStart + 1200 * 60)
        << "asked for the gap: " << request;
  }
  // Counters never fall and end at most at the meter's current counter.
  double previous = 0;
  for (const EmDataRow& row : result->rows) {
    EXPECT_GE(row.wh[0], previous);
    previous = row.wh[0];
  }
  EXPECT_LE(previous, meter.CountersAt(clock.NowUnixMs())[0] + 1e-9);
}

TEST(EmDataBackfill, UnknownGetRecordsShapeFallsBackToTheWholeSpan) {
  const int64_t t0 = (kHistoryStart + 10 * 60) * 1000;
  FakeClock clock((kHistoryStart + 40 * 60) * 1000);
  FakeMeter meter(clock);
  meter.overrides["/rpc/EMData.GetRecords"] = R"({"intervals":[]})";
  std::string_view reason;
  auto result = FetchEmDataBackfill(kEmDataComponent, meter.Get(), AnchorAt(meter, t0), clock,
                                    Options(), &reason);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->rows.size(), 30u);
  ASSERT_FALSE(result->notes.empty());
  EXPECT_NE(result->notes[0].find("every interval"), std::string::npos) << result->notes[0];
}

TEST(EmDataBackfill, ReachesBackAtMostMaxAge) {
  // Shipped ten days ago; backfill_max is one day.
  const int64_t t0 = kHistoryStart * 1000;
  FakeClock clock((kHistoryStart + 10 * 86400) * 1000);
  FakeMeter meter(clock);
  EmDataBackfillOptions options = Options();
  options.max_age_ms = 86'400'000;
  std::string_view reason;
  auto result = FetchEmDataBackfill(kEmDataComponent, meter.Get(), AnchorAt(meter, t0), clock,
                                    options, &reason);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->rows.size(), 1440u);
  EXPECT_EQ(meter.requests[1], "/rpc/EMData.GetRecords?id=0&ts=" +
                                   std::to_string(kHistoryStart + 9 * 86400));
  // Rebuilt backwards from the current counters: the last row is exact.
  EXPECT_NEAR(result->rows.back().wh[0],
              meter.CountersAt(result->rows.back().timestamp_ms)[0], 1e-6);
  EXPECT_FALSE(result->notes.empty());
}

TEST(EmDataBackfill, NothingMissedAsksOnlyForTheCurrentCountersAndRecords) {
  FakeClock clock((kHistoryStart + 100 * 60 + 10) * 1000);
  FakeMeter meter(clock);
  std::string_view reason;
  auto result = FetchEmDataBackfill(kEmDataComponent, meter.Get(),
                                    AnchorAt(meter, (kHistoryStart + 100 * 60) * 1000), clock,
                                    Options(), &reason);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_TRUE(result->rows.empty());
  EXPECT_FALSE(result->anchor.has_value());
}

TEST(EmDataBackfill, FailuresCarryTheirReason) {
  const int64_t t0 = (kHistoryStart + 10 * 60) * 1000;
  FakeClock clock((kHistoryStart + 40 * 60) * 1000);
  {
    FakeMeter meter(clock);
    meter.failures["/rpc/EMData.GetRecords"] = 404;  // a meter without history
    std::string_view reason;
    auto result = FetchEmDataBackfill(kEmDataComponent, meter.Get(), AnchorAt(meter, t0), clock,
                                      Options(), &reason);
    EXPECT_FALSE(result.ok());
    EXPECT_EQ(reason, kErrorProtocol);
  }
  {
    FakeMeter meter(clock);
    meter.overrides["/rpc/EMData.GetData"] = R"({"data":[{"ts":1757000040,"period":60,"values":[[1]]}]})";
    std::string_view reason;
    auto result = FetchEmDataBackfill(kEmDataComponent, meter.Get(), AnchorAt(meter, t0), clock,
                                      Options(), &reason);
    EXPECT_FALSE(result.ok());
    EXPECT_EQ(reason, kErrorMalformed);
  }
  {
    FakeMeter meter(clock);
    meter.overrides["/rpc/EMData.GetStatus"] = R"({"id":0,"total_act":5})";  // counters missing
    std::string_view reason;
    auto result = FetchEmDataBackfill(kEmDataComponent, meter.Get(), AnchorAt(meter, t0), clock,
                                      Options(), &reason);
    EXPECT_FALSE(result.ok());
    EXPECT_EQ(reason, kErrorMalformed);
  }
}

TEST(EmDataBackfill, FetchesAnEm1DataChannelThroughItsOwnMethods) {
  const int64_t t0 = (kHistoryStart + 100 * 60) * 1000;
  FakeClock clock((kHistoryStart + 250 * 60 + 30) * 1000);
  FakeMeter meter(clock);
  const EmDataComponent channel = Em1DataComponent(1);
  const EmDataCounters at_t0 = meter.CountersAt(t0);
  EmDataAnchor anchor{t0, {}};
  anchor.wh[0] = at_t0[0];
  anchor.wh[1] = at_t0[6];
  std::string_view reason;
  auto result = FetchEmDataBackfill(channel, meter.Get(), anchor, clock, Options(), &reason);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->rows.size(), 150u);
  for (size_t i = 0; i < result->rows.size(); ++i) {
    const EmDataRow& row = result->rows[i];
    const int64_t end_ms = t0 + static_cast<int64_t>(i + 1) * 60'000;
    ASSERT_EQ(row.timestamp_ms, end_ms);
    const EmDataCounters expected = meter.CountersAt(end_ms);
    EXPECT_NEAR(row.wh[0], expected[0], 1e-6) << "row " << i;
    EXPECT_NEAR(row.wh[1], expected[6], 1e-6) << "row " << i;
    for (size_t k = 2; k < kEmDataCounterCount; ++k) EXPECT_TRUE(std::isnan(row.wh[k]));
    EXPECT_EQ(row.avg_voltage_v[0], 230);
  }
  ASSERT_TRUE(result->anchor.has_value());
  EXPECT_EQ(result->anchor->timestamp_ms, result->rows.back().timestamp_ms);
  EXPECT_TRUE(result->notes.empty()) << result->notes[0];
  // Every request names the channel's namespace and id.
  for (const std::string& request : meter.requests) {
    EXPECT_EQ(request.rfind("/rpc/EM1Data.", 0), 0u) << request;
    EXPECT_NE(request.find("?id=1"), std::string::npos) << request;
  }
  EXPECT_EQ(meter.requests[0], "/rpc/EM1Data.GetStatus?id=1");
  EXPECT_EQ(CountPrefix(meter.requests, "/rpc/EM1Data.GetRecords?id=1&ts="), 1);
}

TEST(EmDataBackfill, AnchorKeysKeepTheTriphaseKeyAndNameEachChannel) {
  EXPECT_EQ(EmDataAnchorKey(kEmDataComponent, "panel"), "shelly_emdata/panel");
  EXPECT_EQ(EmDataAnchorKey(Em1DataComponent(2), "panel"), "shelly_emdata/panel/em1data:2");
  ASSERT_EQ(EmDataHistoryComponents().size(), 4u);
  EXPECT_EQ(EmDataHistoryComponents()[0], kEmDataComponent);
  EXPECT_EQ(EmDataHistoryComponents()[3], Em1DataComponent(2));
}

}  // namespace
}  // namespace wattline::agent
