// What the kernel knows about the wall clock: whether an NTP client (chrony,
// ntpd, systemd-timesyncd) has synchronised it, and which boot this is.
// A Pi without a real-time clock boots in 1970 or at a stale saved time; the
// kernel keeps STA_UNSYNC set until an NTP client clears it, and sets it
// again when someone steps the clock by hand.
#ifndef WATTLINE_AGENT_TIME_KERNEL_CLOCK_H_
#define WATTLINE_AGENT_TIME_KERNEL_CLOCK_H_

#include <string>

namespace wattline::agent {

// adjtimex(2): true unless the kernel reports the clock unsynchronised.
bool KernelClockSynchronised();

// /proc/sys/kernel/random/boot_id, new at every boot; "" when unreadable.
// Provisional timestamps (boot time) mean something only within one boot.
std::string CurrentBootId();

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_TIME_KERNEL_CLOCK_H_
