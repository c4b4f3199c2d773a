#include "agent/mqtt_json/topic_pattern.h"

namespace wattline::agent {
namespace {

std::vector<std::string_view> SplitLevels(std::string_view text) {
  std::vector<std::string_view> levels;
  size_t start = 0;
  while (true) {
    size_t slash = text.find('/', start);
    if (slash == std::string_view::npos) {
      levels.push_back(text.substr(start));
      return levels;
    }
    levels.push_back(text.substr(start, slash - start));
    start = slash + 1;
  }
}

std::string LevelError(std::string_view pattern, size_t index, std::string_view why) {
  return "topic \"" + std::string(pattern) + "\", level " + std::to_string(index + 1) + ": " +
         std::string(why);
}

}  // namespace

Result<TopicPattern> TopicPattern::Parse(std::string_view text) {
  if (text.empty()) return Status::InvalidArgument("topic pattern is empty");
  TopicPattern pattern;
  pattern.text_ = std::string(text);
  std::vector<std::string_view> levels = SplitLevels(text);
  for (size_t i = 0; i < levels.size(); ++i) {
    std::string_view level = levels[i];
    Level parsed;
    if (level == "+") {
      parsed.kind = Level::Kind::kPlus;
    } else if (level == "#") {
      if (i + 1 != levels.size()) {
        return Status::InvalidArgument(LevelError(text, i, "'#' must be the last level"));
      }
      parsed.kind = Level::Kind::kHash;
    } else if (level.find_first_of("+#") != std::string_view::npos) {
      return Status::InvalidArgument(
          LevelError(text, i, "'+' and '#' must stand alone in their level"));
    } else {
      size_t open = level.find('{');
      size_t close = level.find('}');
      if (open == std::string_view::npos && close == std::string_view::npos) {
        parsed.text = std::string(level);
      } else {
        if (open == std::string_view::npos || close == std::string_view::npos || close < open ||
            level.find('{', open + 1) != std::string_view::npos ||
            level.find('}', close + 1) != std::string_view::npos) {
          return Status::InvalidArgument(
              LevelError(text, i, "a level holds at most one {name} capture"));
        }
        parsed.kind = Level::Kind::kCapture;
        parsed.text = std::string(level.substr(0, open));
        parsed.name = std::string(level.substr(open + 1, close - open - 1));
        parsed.suffix = std::string(level.substr(close + 1));
        if (!IsValidLabelName(parsed.name) || parsed.name == kMetricNameLabel) {
          return Status::InvalidArgument(
              LevelError(text, i, "\"" + parsed.name + "\" is not a valid label name"));
        }
        for (const Level& earlier : pattern.levels_) {
          if (earlier.kind == Level::Kind::kCapture && earlier.name == parsed.name) {
            return Status::InvalidArgument(
                LevelError(text, i, "capture {" + parsed.name + "} is used twice"));
          }
        }
      }
    }
    if (i > 0) pattern.filter_ += '/';
    pattern.filter_ += parsed.kind == Level::Kind::kCapture ? std::string("+")
                       : parsed.kind == Level::Kind::kPlus  ? std::string("+")
                       : parsed.kind == Level::Kind::kHash  ? std::string("#")
                                                            : parsed.text;
    pattern.levels_.push_back(std::move(parsed));
  }
  return pattern;
}

bool TopicPattern::ends_with_hash() const {
  return !levels_.empty() && levels_.back().kind == Level::Kind::kHash;
}

std::vector<std::string> TopicPattern::CaptureNames() const {
  std::vector<std::string> names;
  for (const Level& level : levels_) {
    if (level.kind == Level::Kind::kCapture) names.push_back(level.name);
  }
  return names;
}

bool TopicPattern::Match(std::string_view topic, Labels* captures, std::string_view* rest) const {
  const size_t first_capture = captures->size();
  size_t position = 0;  // start of the next topic level
  bool topic_done = false;
  for (const Level& level : levels_) {
    if (level.kind == Level::Kind::kHash) {
      if (rest != nullptr) *rest = topic_done ? std::string_view() : topic.substr(position);
      return true;
    }
    if (topic_done) {
      captures->resize(first_capture);
      return false;
    }
    size_t slash = topic.find('/', position);
    std::string_view value = topic.substr(
        position, slash == std::string_view::npos ? std::string_view::npos : slash - position);
    if (slash == std::string_view::npos) {
      topic_done = true;
    } else {
      position = slash + 1;
    }
    bool ok = true;
    switch (level.kind) {
      case Level::Kind::kLiteral:
        ok = value == level.text;
        break;
      case Level::Kind::kPlus:
        break;
      case Level::Kind::kCapture:
        ok = value.size() > level.text.size() + level.suffix.size() &&
             value.starts_with(level.text) && value.ends_with(level.suffix);
        if (ok) {
          captures->push_back({level.name, std::string(value.substr(
                                               level.text.size(), value.size() - level.text.size() -
                                                                      level.suffix.size()))});
        }
        break;
      case Level::Kind::kHash:
        break;  // handled above
    }
    if (!ok) {
      captures->resize(first_capture);
      return false;
    }
  }
  if (!topic_done) {
    captures->resize(first_capture);
    return false;
  }
  if (rest != nullptr) *rest = std::string_view();
  return true;
}

}  // namespace wattline::agent
