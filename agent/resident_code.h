// Keeps the code the agent never runs off its resident memory.
//
// The agent is one static binary holding far more code than it runs once
// started (most of libcrypto and glibc, start-up and config code). The kernel
// reads a file mapping around every page fault (read-around, 128 KiB by
// default), and maps whatever of the file is cached around the faulting page
// (fault-around, 64 KiB); so a few functions called now and then make whole
// stretches of unused code resident. MADV_RANDOM on the executable's code
// turns read-around off for it: a fault reads the page it needs. The cost is
// more, smaller reads while the code's pages are first touched.
//
// Thread-safety: call once, early in main().
#ifndef WATTLINE_AGENT_RESIDENT_CODE_H_
#define WATTLINE_AGENT_RESIDENT_CODE_H_

#include "common/status.h"

namespace wattline::agent {

// madvise(MADV_RANDOM) on the executable's code. Errors: what madvise says.
Status AdviseRandomCodeAccess();

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_RESIDENT_CODE_H_
