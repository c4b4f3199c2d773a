// `type: shelly_gen2_http`: a Shelly Gen2, Gen3 or Gen4 device polled over
// HTTP RPC: Pro 3EM and 3EM-63 (triphase or monophase profile), Pro EM and
// EM Gen3, Plus/Pro 1PM, 2PM, 4PM, Plug S, 1PM Gen3/Gen4, PM Mini. One entry
// reads whatever metering the device has.
//
// Decision: one GET /rpc/Shelly.GetStatus per poll, not one request per
// component. Shelly.GetStatus returns every component keyed "<type>:<id>" in
// the same shape as <Type>.GetStatus (DEVICES.md B.1; a real Pro 3EM's
// Shelly.GetStatus carries em:0 and emdata:0, a Plus 1PM's switch:0, B.6),
// so:
//   - there is nothing to configure per device kind or profile: switching a
//     Pro 3EM from triphase to monophase changes its series, not the config;
//   - a poll is one request instead of two (EM + EMData), which matters
//     doubly with authentication, where each request is a 401 round trip
//     first; and power and energy of one poll come from one instant;
//   - the document is larger (about 3 KiB for a Pro 3EM instead of 1 + 0.3
//     KiB), which a Pi Zero parses in well under a millisecond.
// Which components become which series: shelly_gen2_parser.h.
//
// Authentication: when `password` is set, HTTP digest authentication
// (RFC 7616, SHA-256, user "admin", as Shelly.SetAuth configures it); a
// device without authentication simply never asks. Health reasons and
// logging: shelly_http_source.h.
#ifndef WATTLINE_AGENT_SHELLY_SHELLY_GEN2_HTTP_SOURCE_H_
#define WATTLINE_AGENT_SHELLY_SHELLY_GEN2_HTTP_SOURCE_H_

#include "agent/sources/source_type.h"

namespace wattline::agent {

// The path each poll requests.
inline constexpr std::string_view kShellyGen2StatusPath = "/rpc/Shelly.GetStatus";

const SourceType& ShellyGen2HttpSourceType();

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_SHELLY_SHELLY_GEN2_HTTP_SOURCE_H_
