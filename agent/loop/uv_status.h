// The libuv adapter's error conversion: the one place a negative uv error
// code becomes a Status.
#ifndef WATTLINE_AGENT_LOOP_UV_STATUS_H_
#define WATTLINE_AGENT_LOOP_UV_STATUS_H_

#include <string_view>

#include "common/status.h"

namespace wattline::agent {

// OK for rc >= 0; otherwise a Status naming `what` and uv's error text.
Status UvStatus(int rc, std::string_view what);

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_LOOP_UV_STATUS_H_
