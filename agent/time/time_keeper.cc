#include "agent/time/time_keeper.h"

#include <cstdlib>

namespace wattline::agent {
namespace {

// Offsets closer than this to the saved one are not worth a disk write.
constexpr int64_t kSaveThresholdMs = 1000;

}  // namespace

Result<ClockSync> ParseClockSync(std::string_view text) {
  if (text == "kernel") return ClockSync::kKernel;
  if (text == "system") return ClockSync::kSystem;
  if (text == "aggregator") return ClockSync::kAggregator;
  return Status::InvalidArgument("clock.sync must be kernel, system or aggregator, not \"" +
                                 std::string(text) + "\"");
}

TimeKeeper::TimeKeeper(const Clock* system, ClockSync sync,
                       std::function<bool()> kernel_synchronised, std::string boot_id,
                       std::optional<int64_t> saved_offset_ms)
    : system_(system),
      sync_(sync),
      kernel_synchronised_(std::move(kernel_synchronised)),
      boot_id_(std::move(boot_id)),
      offset_ms_(saved_offset_ms),
      saved_offset_ms_(saved_offset_ms) {
  Refresh();
}

bool TimeKeeper::SetOffset(int64_t offset_ms) {
  offset_ms_ = offset_ms;
  if (saved_offset_ms_ && std::llabs(*saved_offset_ms_ - offset_ms) <= kSaveThresholdMs) {
    return false;
  }
  saved_offset_ms_ = offset_ms;
  return true;
}

bool TimeKeeper::Refresh() {
  switch (sync_) {
    case ClockSync::kSystem:
      wall_trusted_ = true;
      break;
    case ClockSync::kAggregator:
      wall_trusted_ = false;
      break;
    case ClockSync::kKernel:
      wall_trusted_ = kernel_synchronised_();
      break;
  }
  if (!wall_trusted_) return false;
  // Follow NTP's corrections, so that if the sync is lost later (the kernel
  // flags it after hours without a server) boot time + offset carries on.
  return SetOffset(system_->NowUnixMs() - system_->NowMonotonicMs());
}

bool TimeKeeper::OnServerTime(int64_t server_time_ms, int64_t sent_ms, int64_t received_ms) {
  if (wall_trusted_ || server_time_ms <= 0 || received_ms < sent_ms) return false;
  // The aggregator reads its clock just before it answers, after its commit,
  // so its time is closest to when the answer arrived: this is behind by the
  // answer's one-way trip (well under a millisecond on a LAN), where the
  // middle of the round trip would be off by half a commit.
  return SetOffset(server_time_ms - received_ms);
}

ClockState TimeKeeper::state() const {
  if (wall_trusted_) return ClockState::kSynchronised;
  return offset_ms_ ? ClockState::kBootOffset : ClockState::kProvisional;
}

int64_t TimeKeeper::NowUnixMs() const {
  if (wall_trusted_) return system_->NowUnixMs();
  const int64_t boot_ms = system_->NowMonotonicMs();
  return offset_ms_ ? boot_ms + *offset_ms_ : boot_ms;
}

}  // namespace wattline::agent
