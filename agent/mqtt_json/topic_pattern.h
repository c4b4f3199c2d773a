// An MQTT topic filter with named captures, as the mqtt_json source's config
// writes it:
//
//   tele/{device}/SENSOR    solar/{device}/#    ch{input}/P_DC    +/status/#
//
// A pattern is split at '/' into levels; each level is one of
//   literal    matches the same text (may be empty, as MQTT allows "a//b")
//   +          matches any one level
//   #          last level only: matches any number of remaining levels,
//              including none ("a/#" matches "a", as in MQTT)
//   P{name}S   one capture with optional literal text P before and S after:
//              matches one level that starts with P, ends with S and has at
//              least one character between them, and captures those
//              characters as the label `name` (`ch{input}` on "ch2" gives
//              input="2"; `{device}` captures a whole level)
// Capture names are label names ([a-zA-Z_][a-zA-Z0-9_]*, not "__name__"), each
// used once per pattern. '{' and '}' appear only as capture brackets, '+' and
// '#' only as whole levels.
//
// Thread-safety: immutable after Parse(); any thread.
#ifndef WATTLINE_AGENT_MQTT_JSON_TOPIC_PATTERN_H_
#define WATTLINE_AGENT_MQTT_JSON_TOPIC_PATTERN_H_

#include <string>
#include <string_view>
#include <vector>

#include "common/labels.h"
#include "common/status.h"

namespace wattline::agent {

class TopicPattern {
 public:
  // InvalidArgument, naming the level, for anything outside the syntax above.
  static Result<TopicPattern> Parse(std::string_view text);

  // The pattern as written.
  const std::string& text() const { return text_; }
  // The MQTT subscription filter: every capture level becomes '+'.
  const std::string& filter() const { return filter_; }
  // True when the last level is '#'.
  bool ends_with_hash() const;
  // The capture names, in level order.
  std::vector<std::string> CaptureNames() const;

  // Matches `topic`. On a match, appends one {name, value} per capture to
  // `*captures` (not canonical: in level order) and, when `rest` is not
  // nullptr, sets `*rest` to the part of `topic` the trailing '#' matched
  // ("" when there is none or it matched no level). On no match, leaves
  // `*captures` as it was.
  // REQUIRES: captures != nullptr.
  bool Match(std::string_view topic, Labels* captures, std::string_view* rest) const;

 private:
  struct Level {
    enum class Kind { kLiteral, kPlus, kHash, kCapture };
    Kind kind = Kind::kLiteral;
    std::string text;    // kLiteral: the text; kCapture: text before the capture
    std::string suffix;  // kCapture: text after the capture
    std::string name;    // kCapture: the label name
  };

  std::string text_;
  std::string filter_;
  std::vector<Level> levels_;
};

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_MQTT_JSON_TOPIC_PATTERN_H_
