// What the Shelly parsers (Gen1 /status, Gen2+ RPC) share: reading a JSON
// document with limits, and turning mapped numeric fields into Samples.
//
// Internal to agent/shelly's parsers, the only files that include it: it
// brings in nlohmann/json.hpp, which nothing else of the agent needs to see.
// The public APIs (shelly_gen1_parser.h, shelly_gen2_parser.h) take and give
// plain strings and Samples.
//
// Pure functions: thread-safe.
#ifndef WATTLINE_AGENT_SHELLY_SHELLY_JSON_H_
#define WATTLINE_AGENT_SHELLY_SHELLY_JSON_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>

#include "agent/sources/sample.h"
#include "common/status.h"

namespace wattline::agent::shelly_json {

using Json = nlohmann::json;

// One numeric field of a status object and the series it feeds. `field` is a
// key, or "outer.inner" for a number inside an object (aenergy.total).
// `label_value` is the value of the object's position label (phase "a", ...)
// when the mapping fixes it, or empty when the caller gives one for the whole
// object (channel "0").
struct FieldMapping {
  std::string_view field;
  std::string_view metric;
  std::string_view label_value = {};
};

// The labels every Sample of one object gets besides its metric name.
struct ObjectLabels {
  std::string_view device;
  std::string_view position_label;  // "phase" or "channel"
  std::string_view position_value;  // used when a mapping has no label_value
  // An optional further label ("channel" of em:1), or empty names for none.
  std::string_view extra_label = {};
  std::string_view extra_value = {};
};

// `json` as an object. InvalidArgument when it is larger than `max_bytes`,
// not JSON, or not an object (the message says which).
Result<Json> ParseObject(std::string_view json, size_t max_bytes);

// Appends one Sample per mapped field of `object` that holds a number, all
// stamped `timestamp_ms`. A field that is absent or null yields nothing (a
// missing value must never read as zero). Sets `*any_known` when at least one
// mapped field is present, even as null.
//
// InvalidArgument, naming the field, when a mapped field holds something
// other than a number or null, or (for "outer.inner") when outer is neither
// an object nor null; a number that is not finite. On error, `*out` may hold
// part of the object's Samples: callers collect into a scratch vector.
// REQUIRES: object.is_object(), out != nullptr, any_known != nullptr.
Status AppendFields(const Json& object, std::span<const FieldMapping> fields,
                    const ObjectLabels& labels, int64_t timestamp_ms, Samples* out,
                    bool* any_known);

// `s` in double quotes, for messages that name a field.
std::string Quoted(std::string_view s);

}  // namespace wattline::agent::shelly_json

#endif  // WATTLINE_AGENT_SHELLY_SHELLY_JSON_H_
