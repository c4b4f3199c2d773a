// Where a value sits in a JSON document, in the mqtt_json source's one path
// syntax: keys separated by '.', array elements by [index].
//
//   ""                    the whole document (a bare number such as "230.5")
//   ENERGY.Power          {"ENERGY":{"Power":5}}                  -> 5
//   ENERGY.Power[1]       {"ENERGY":{"Power":[5,7]}}              -> 7
//   [0].value             [{"value":3}]                           -> 3
//   StatusSNS.ENERGY.Total
//
// A key is one or more characters other than '.', '[' and ']' (spaces and
// any UTF-8 are part of it); an index is a decimal number. A key that itself
// holds '.', '[' or ']' cannot be addressed. Keys are compared exactly (case
// matters: Tasmota writes "Power", not "power").
//
// Thread-safety: immutable after Parse(); any thread.
#ifndef WATTLINE_AGENT_MQTT_JSON_JSON_PATH_H_
#define WATTLINE_AGENT_MQTT_JSON_JSON_PATH_H_

#include <cstddef>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace wattline::agent {

class JsonPath {
 public:
  // The empty path: the whole document.
  JsonPath() = default;

  // InvalidArgument, naming the character offset, for anything outside the
  // syntax above (an empty key, "a..b", "a[", "a[x]", "a]").
  static Result<JsonPath> Parse(std::string_view text);

  const std::string& text() const { return text_; }
  bool empty() const { return steps_.empty(); }

  // The value at this path in `doc`, or nullptr when a key is missing, an
  // index is out of range, or a step meets the wrong kind of value (a key
  // applied to an array, an index to an object). The pointer is into `doc`.
  const nlohmann::json* Find(const nlohmann::json& doc) const;

 private:
  struct Step {
    bool is_index = false;
    std::string key;
    size_t index = 0;
  };

  std::string text_;
  std::vector<Step> steps_;
};

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_MQTT_JSON_JSON_PATH_H_
