// The agent's sense of time, for a machine without a real-time clock
// (docs/durability.md, "Time without a real-time clock"). Every sample is
// stamped by NowUnixMs():
//
//   synchronised (NTP, or sync: system)  the wall clock
//   offset known for this boot           boot time + offset (from NTP earlier
//                                        this boot, or the aggregator's time)
//   nothing known yet                    provisional: boot time in ms, below
//                                        kProvisionalTimeLimitMs (common/batch.h)
//
// Provisional samples become true time when the uploader sends them with the
// boot's offset. The wall clock is never used unsynchronised: it says 1970
// or a stale saved time.
//
// Thread-safety: loop thread only.
#ifndef WATTLINE_AGENT_TIME_TIME_KEEPER_H_
#define WATTLINE_AGENT_TIME_TIME_KEEPER_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "common/clock.h"
#include "common/status.h"

namespace wattline::agent {

// Who may say the wall clock is right (config clock.sync).
enum class ClockSync {
  kKernel,      // the kernel's NTP state (agent/time/kernel_clock.h): the default
  kSystem,      // always trust the wall clock (a machine with a real-time clock)
  kAggregator,  // never trust it: only the aggregator's time counts
};

Result<ClockSync> ParseClockSync(std::string_view text);

enum class ClockState {
  kProvisional = 0,   // nothing known: samples get boot time
  kBootOffset = 1,    // boot time + an offset (aggregator, or an earlier sync)
  kSynchronised = 2,  // the wall clock is trusted
};

class TimeKeeper final : public Clock {
 public:
  // `system` gives the wall clock and boot time (SystemClock in the agent),
  // and outlives this. `kernel_synchronised` is asked in kKernel mode.
  // `saved_offset_ms` is the offset an earlier run stored for `boot_id`.
  TimeKeeper(const Clock* system, ClockSync sync, std::function<bool()> kernel_synchronised,
             std::string boot_id, std::optional<int64_t> saved_offset_ms);

  int64_t NowUnixMs() const override;
  int64_t NowMonotonicMs() const override { return system_->NowMonotonicMs(); }

  // Asks the kernel again (call it every few seconds). Returns true when the
  // boot's offset changed by more than a second, so it should be saved.
  bool Refresh();
  // The aggregator's clock read at `server_time_ms`, in a response to a
  // request sent at boot time `sent_ms` and received at `received_ms`
  // (the server reads it as it answers).
  // Used only while the wall clock is not trusted. Returns as Refresh().
  bool OnServerTime(int64_t server_time_ms, int64_t sent_ms, int64_t received_ms);

  ClockState state() const;
  bool time_known() const { return state() != ClockState::kProvisional; }
  // true Unix time = boot time + offset, once known.
  std::optional<int64_t> offset_ms() const { return offset_ms_; }
  const std::string& boot_id() const { return boot_id_; }

 private:
  // Sets the offset; true when it moved by more than a second.
  bool SetOffset(int64_t offset_ms);

  const Clock* system_;
  ClockSync sync_;
  std::function<bool()> kernel_synchronised_;
  std::string boot_id_;
  bool wall_trusted_ = false;
  std::optional<int64_t> offset_ms_;
  std::optional<int64_t> saved_offset_ms_;  // the last value Refresh/OnServerTime reported
};

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_TIME_TIME_KEEPER_H_
