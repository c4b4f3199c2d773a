// `type: shelly_gen1_http`: a Shelly Gen1 energy meter, the Shelly 3EM or
// the Shelly EM, polled with GET /status (DEVICES.md A.1). Which series come
// out of it, and how the 3EM's phases and the EM's channels are labelled:
// shelly_gen1_parser.h.
//
// Authentication: when `password` is set, HTTP Basic authentication with
// `user` on every request (Gen1 "restricted login"; Basic sends the password
// in the clear on the LAN, which is all Gen1 offers). Health reasons and
// logging: shelly_http_source.h; an emeter reporting "is_valid": false counts
// as a device error and its values are not shipped.
#ifndef WATTLINE_AGENT_SHELLY_SHELLY_GEN1_HTTP_SOURCE_H_
#define WATTLINE_AGENT_SHELLY_SHELLY_GEN1_HTTP_SOURCE_H_

#include "agent/sources/source_type.h"

namespace wattline::agent {

// The path each poll requests.
inline constexpr std::string_view kShellyGen1StatusPath = "/status";

const SourceType& ShellyGen1HttpSourceType();

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_SHELLY_SHELLY_GEN1_HTTP_SOURCE_H_
