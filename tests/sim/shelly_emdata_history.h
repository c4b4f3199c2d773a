// The recorded history of a simulated Shelly Pro 3EM: EMData.GetRecords and
// EMData.GetData (DEVICES.md B.4) in the triphase profile, EM1Data.GetRecords
// and EM1Data.GetData?id=N (N = 0..2) in the monophase profile; one record
// per minute, for shelly-pro3em-sim --history-start.
//
// The records come from a ShellyPro3emModel of the same seed and start as the
// one behind the live EMData.GetStatus, advanced second by second, so they
// are what the device would have recorded: a record's energy is the rise of
// the served (2-decimal) counter over its minute, and the counter a poll at a
// minute boundary would read equals the counter at the history's start plus
// the sum of the records before that boundary. Averages, minima and maxima
// of power, voltage and current are over the minute's 60 per-second
// readings; reactive energy is the integral of sqrt(S^2 - P^2) (all
// lagging). Records exist for complete minutes only, from the first whole
// minute after the start; they are computed lazily, when asked, and kept.
// In monophase, CT N reads the model's phase N (as EM1Data.GetStatus?id=N
// does, shelly_pro3em_status.h), so the record of em1data:N is phase N's
// part of the same minute: its 14 columns (total_act_energy,
// total_act_ret_energy, lag_react_energy, lead_react_energy, max/min
// act_power, max/min aprt_power, max/min/avg voltage, max/min/avg current)
// are the x_ columns of that phase, and they add up to the served
// em1data:N counters the same way.
//
// Answers (bare result objects; params as GET query or POST params); the
// EM1Data methods answer the same shapes, with the 14 em1data keys:
//   EMData.GetRecords {id, ts?}
//     {"data_blocks":[{"ts":T,"period":60,"records":N}]}: one block from the
//     first record at or after ts (the first record without ts) to the last
//     complete minute; [] when there is none.
//   EMData.GetData {id, ts, end_ts?, add_keys?}
//     {"keys":[51 names],"data":[{"ts":T,"period":60,"values":[[51],...]}],
//      "next_record_ts":T2}: the records that start in [ts, end_ts], at most
//     `chunk` of them; next_record_ts is the start of the next one when the
//     answer was cut short. add_keys=false leaves out "keys".
// Errors: id missing (-103, HTTP 400) or not a component of the profile
// (-105: not 0 for EMData, not 0..2 for EM1Data), ts missing (-103); a method
// of the other profile is code and status 404, as on the device.
//
// Not thread-safe: the caller serialises access.
#ifndef WATTLINE_TESTS_SIM_SHELLY_EMDATA_HISTORY_H_
#define WATTLINE_TESTS_SIM_SHELLY_EMDATA_HISTORY_H_

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "tests/sim/shelly_pro3em_model.h"
#include "tests/sim/shelly_pro3em_status.h"

namespace wattline::sim {

class ShellyEmDataHistory {
 public:
  static constexpr size_t kColumns = 51;
  static constexpr size_t kEm1Columns = 14;

  // `start_unix_ms`: when the device started recording (and its counters
  // held the model's initial values). `chunk`: records per GetData answer.
  // `profile`: which component records (see above).
  ShellyEmDataHistory(uint64_t seed, int64_t start_unix_ms, size_t chunk,
                      Pro3emProfile profile = Pro3emProfile::kTriphase);

  // True for the four history methods (EMData.* and EM1Data.*).
  static bool Handles(std::string_view method);

  struct Answer {
    int http_status = 200;
    std::string result_text;  // when error_code == 0
    int error_code = 0;
    std::string error_message;
  };
  // Runs `method` with `params` (a JSON object, possibly empty) at
  // `now_unix_ms`. REQUIRES: Handles(method).
  Answer Call(std::string_view method, const nlohmann::ordered_json& params, int64_t now_unix_ms);

  // The 51 column names, in the device's order.
  static const std::array<std::string_view, kColumns>& Keys();
  // The 14 em1data column names, in the device's order.
  static const std::array<std::string_view, kEm1Columns>& Em1Keys();

 private:
  using Record = std::array<double, kColumns>;

  // Computes the records of every minute complete at `now_unix_ms`.
  void ExtendTo(int64_t now_unix_ms);
  Answer GetRecords(const nlohmann::ordered_json& params) const;
  // `channel`: the em1data id, or -1 for emdata's 51 columns.
  Answer GetData(const nlohmann::ordered_json& params, int channel) const;

  ShellyPro3emModel model_;
  const size_t chunk_;
  const Pro3emProfile profile_;
  int64_t first_s_;                   // start of the first record
  std::vector<Record> records_;       // records_[k] starts at first_s_ + 60 k
  EmDataReading boundary_;            // counters at the end of the last record
};

}  // namespace wattline::sim

#endif  // WATTLINE_TESTS_SIM_SHELLY_EMDATA_HISTORY_H_
