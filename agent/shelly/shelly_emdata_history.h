// The per-interval energy history a Shelly Gen2+ meter records, and how it
// turns back into the counters the agent ships live. Two components record
// it, with the same RPC shapes (DEVICES.md B.4; the EM1Data page of the Gen2
// API docs):
//   emdata:0    EMData.GetRecords / EMData.GetData: Pro 3EM and 3EM-63 Gen3
//               in the triphase profile, per phase a, b, c;
//   em1data:N   EM1Data.GetRecords / EM1Data.GetData?id=N: one channel each
//               (Pro 3EM in the monophase profile: N = 0..2; Pro EM, EM Gen3
//               and Gen4: N = 0..1).
// Pro 3EM: one record a minute, kept about 60 days; 3EM-63 Gen3: five
// minutes. An EmDataComponent says which component a call is about; the rest
// of this file is the same code for both.
//
// Parsing. Open point 1 of DEVICES.md: two shapes of the GetRecords result
// are in circulation, and both are accepted:
//   {"data_blocks":[{"ts":T,"period":P,"records":N},...]}       (TypeScript mirror)
//   {"records":[{"id":0,"ts":T,"period":P,"count":N},...]}      (shelly-go)
// GetData: {"keys":[...], "data":[{"ts":T,"period":P,"values":[[...],...]}],
// "next_record_ts":T2}. Row k of a block covers [T + k*P, T + (k+1)*P).
// Columns are found by name in "keys"; without "keys", a row of exactly the
// documented width is read in the documented order, any other width is
// refused: for emdata the 51 columns of the CSV header of B.4 without
// "timestamp"; for em1data the 14 columns total_act_energy,
// total_act_ret_energy, lag_react_energy, lead_react_energy, max_act_power,
// min_act_power, max_aprt_power, min_aprt_power, max_voltage, min_voltage,
// avg_voltage, max_current, min_current, avg_current (the header of an
// em1data CSV download as three published clients list it; not yet checked
// against a real device, so "keys", which the backfill always gets, is what
// counts). Values used: x_total_act_energy,
// x_total_act_ret_energy (Wh in the interval, x = a, b, c; no prefix for
// em1data), x_avg_voltage, x_avg_current. A missing column or a null value
// reads as NaN ("not known"), never as zero.
//
// Reconstruction. A record holds the energy *of its interval*, while the
// agent ships cumulative counters (energy_*_watt_hours_total) that Grafana
// turns into increase() and exact energy. So the counter at the end of each
// interval is rebuilt from the last counters the agent shipped before the
// outage (the anchor: time T0 and the component's counters, eight for
// emdata, two for an em1data channel) plus the running sum of the increments
// of the intervals that end after T0:
//     counter(end_k) = anchor + sum(increment_j, j <= k)
// and is stamped with the interval's end (the moment the device's counter had
// that value; the per-interval averages get the same stamp). The interval
// that contains T0 is counted whole: the rebuilt counters may then run ahead
// by the energy of the part before T0 (under a second when the anchor is
// written at the first poll of a minute), but never fall behind what was
// shipped before, which would read as a counter reset.
// Every value is clamped to [previous value, current counter]: a counter
// never decreases, and never passes the value the meter reports now, which
// the live poll ships next (DEVICES.md E.1: never publish a lower energy
// value). When the history does not reach back to T0 (the agent was down
// longer than `backfill_max`, or the device lost records), the counters are
// rebuilt backwards from the current ones instead:
//     counter(end_k) = current - sum(increment_j, j > k)
// which puts the energy of the missing stretch at its start, where it
// happened, rather than at its end; the same clamps apply. A counter whose
// current value is below the anchor (reset, or another meter at that
// address) is not rebuilt at all, and neither is one whose column is missing.
// Phase totals (emdata's phase="total") are the sums of the three phases'
// increments.
//
// Series. The rebuilt samples carry the labels of the live series of the
// same component (shelly_gen2_parser.h): emdata {device, phase="a|b|c|total"},
// em1data:N {device, channel="N"}.
//
// Pure functions; thread-safe.
#ifndef WATTLINE_AGENT_SHELLY_SHELLY_EMDATA_HISTORY_H_
#define WATTLINE_AGENT_SHELLY_SHELLY_EMDATA_HISTORY_H_

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "agent/sources/sample.h"
#include "common/status.h"

namespace wattline::agent {

// GetData pages larger than this are refused (an hour of Pro 3EM records,
// which is what the backfill asks for, is about 25 KiB).
inline constexpr size_t kMaxEmDataPageBytes = 1 << 20;

// At most this many lanes (phases a, b, c; or the one channel of an em1data
// component, at index 0) and counters per component.
inline constexpr size_t kMaxEmDataLanes = 3;
inline constexpr size_t kEmDataCounterCount = 8;

// A component that records history (see above).
struct EmDataComponent {
  enum class Kind { kEmData, kEm1Data };
  Kind kind = Kind::kEmData;
  int id = 0;

  // "EMData" or "EM1Data": the RPC namespace of its methods.
  std::string_view rpc_namespace() const;
  // "emdata:0", "em1data:2": its key in Shelly.GetStatus.
  std::string key() const;
  // 3 (phases a, b, c) or 1 (the channel).
  size_t lanes() const { return kind == Kind::kEmData ? 3 : 1; }
  // How many counters it has, in EmDataCounters order: 8 or 2.
  size_t counters() const { return kind == Kind::kEmData ? 8 : 2; }
  bool operator==(const EmDataComponent&) const = default;
};

// The Pro 3EM's emdata:0 (triphase profile).
inline constexpr EmDataComponent kEmDataComponent{};
// em1data:`id`.
inline constexpr EmDataComponent Em1DataComponent(int id) {
  return EmDataComponent{EmDataComponent::Kind::kEm1Data, id};
}

// One block of consecutive records (GetRecords).
struct EmDataBlock {
  int64_t ts_s = 0;      // start of the first record
  int64_t period_s = 0;  // seconds per record
  int64_t records = 0;
  int64_t end_s() const { return ts_s + period_s * records; }
};

// One record: what the meter measured during [start_s, start_s + period_s).
// Per lane (phase a, b, c; an em1data channel at index 0); NaN where the
// record does not say, and in the lanes the component does not have.
struct EmDataInterval {
  int64_t start_s = 0;
  int64_t period_s = 0;
  std::array<double, kMaxEmDataLanes> imported_wh{};  // energy imported during the interval
  std::array<double, kMaxEmDataLanes> exported_wh{};
  std::array<double, kMaxEmDataLanes> avg_voltage_v{};
  std::array<double, kMaxEmDataLanes> avg_current_a{};
  int64_t end_s() const { return start_s + period_s; }
};

struct EmDataPage {
  std::vector<EmDataInterval> intervals;
  // Where the device says the next page starts, when it chunked its answer.
  std::optional<int64_t> next_record_ts;
};

// Parses a GetRecords result of `component` (either shape above).
// InvalidArgument when it is not JSON, has neither list, or a block has a
// non-integer or out-of-range ts, period (1 s to 1 day) or count.
Result<std::vector<EmDataBlock>> ParseEmDataRecords(const EmDataComponent& component,
                                                    std::string_view json);

// Parses a GetData result of `component`. InvalidArgument when it is over
// kMaxEmDataPageBytes or not JSON, "data" is not a list of blocks as above, a
// row has the wrong width, or a value is neither a number nor null.
Result<EmDataPage> ParseEmDataData(const EmDataComponent& component, std::string_view json);

// The counters of a component (Wh), in this order:
//   emdata:  imported a, b, c, total; exported a, b, c, total;
//   em1data: imported, exported (the other six unused: 0 in an anchor, NaN
//            in a row).
using EmDataCounters = std::array<double, kEmDataCounterCount>;

// Counters at a moment: the last ones shipped (the anchor), or the current.
struct EmDataAnchor {
  int64_t timestamp_ms = 0;
  EmDataCounters wh{};
};

// The counters of `component` of `device` among `samples`, as
// ParseShellyStatus() or ParseShellyComponentStatus() produce them
// (energy_{imported,exported}_watt_hours_total with labels exactly
// {device, phase} or {device, channel}, see above); nullopt unless all of
// them are there, with one timestamp.
std::optional<EmDataAnchor> EmDataAnchorFromSamples(const EmDataComponent& component,
                                                    const Samples& samples,
                                                    std::string_view device);

// An anchor of `component` as a small JSON document for the source state
// store, and back. DecodeEmDataAnchor: InvalidArgument for anything
// EncodeEmDataAnchor did not write for a component of that kind.
std::string EncodeEmDataAnchor(const EmDataComponent& component, const EmDataAnchor& anchor);
Result<EmDataAnchor> DecodeEmDataAnchor(const EmDataComponent& component, std::string_view text);

// One rebuilt interval, compact: a week of them is about 1 MiB, where the
// same as Samples would be tens of MiB on a device with 512 MiB of memory.
struct EmDataRow {
  int64_t timestamp_ms = 0;  // the end of the interval
  EmDataCounters wh{};       // NaN for a counter that was not rebuilt
  std::array<double, kMaxEmDataLanes> avg_voltage_v{};  // NaN when not known
  std::array<double, kMaxEmDataLanes> avg_current_a{};
};

struct EmDataReconstruction {
  std::vector<EmDataRow> rows;  // in time order
  // The counters as of the last row, when all were rebuilt; the current
  // counters when some could not be (so the next backfill starts after this
  // one); nullopt when there is no row.
  std::optional<EmDataAnchor> anchor;
  // What a person should know (clamping, counters not rebuilt), for the log.
  std::vector<std::string> notes;
};

// Rebuilds every complete interval of `intervals` that ends after
// `last_shipped` and no later than `current` (see above), for the counters
// of `component`. `intervals` may be in any order and overlap (duplicates by
// start are dropped).
EmDataReconstruction ReconstructEmData(const EmDataComponent& component,
                                       const EmDataAnchor& last_shipped,
                                       const EmDataAnchor& current,
                                       std::vector<EmDataInterval> intervals);

// Appends the samples of `rows` of `component`, row by row: the counters
// that were rebuilt (energy_{imported,exported}_watt_hours_total) and the
// averages (voltage_volts, current_amperes), labelled as the live series
// (see above), stamped with the row's time.
// REQUIRES: out != nullptr.
void AppendEmDataSamples(const EmDataComponent& component, std::span<const EmDataRow> rows,
                         std::string_view device, Samples* out);

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_SHELLY_SHELLY_EMDATA_HISTORY_H_
