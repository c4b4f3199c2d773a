#include "aggregator/ingest/prom_text_import.h"

#include <charconv>
#include <optional>
#include <unordered_map>

#include "aggregator/ingest/series_grouper.h"
#include "aggregator/query/number.h"

namespace wattline::aggregator {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t'; }
bool IsLabelStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsLabelChar(char c) { return IsLabelStart(c) || (c >= '0' && c <= '9'); }
bool IsNameStart(char c) { return IsLabelStart(c) || c == ':'; }
bool IsNameChar(char c) { return IsLabelChar(c) || c == ':'; }

// A one-line token for error messages: at most 40 bytes, quoted.
std::string Quoted(std::string_view token) {
  constexpr size_t kMax = 40;
  std::string out = "\"" + std::string(token.substr(0, kMax));
  if (token.size() > kMax) out += "...";
  return out + "\"";
}

struct Sample {
  Labels labels;
  int64_t timestamp_ms = 0;
  double value = 0;
};

// One line being read; errors name the position reached.
class LineParser {
 public:
  LineParser(std::string_view line, size_t line_number) : line_(line), number_(line_number) {}

  // The line's sample, or nullopt for a blank or comment line.
  Result<std::optional<Sample>> Parse(int64_t default_timestamp_ms);

 private:
  bool AtEnd() const { return pos_ >= line_.size(); }
  char Peek() const { return AtEnd() ? '\0' : line_[pos_]; }
  void SkipSpaces() {
    while (!AtEnd() && IsSpace(line_[pos_])) ++pos_;
  }
  // The bytes up to the next space or the end of the line.
  std::string_view Token() {
    size_t start = pos_;
    while (!AtEnd() && !IsSpace(line_[pos_])) ++pos_;
    return line_.substr(start, pos_ - start);
  }
  Status Error(std::string_view expected, size_t at) const {
    return Status::InvalidArgument("line " + std::to_string(number_) + ", column " +
                                   std::to_string(at + 1) + ": " + std::string(expected));
  }
  Status Error(std::string_view expected) const { return Error(expected, pos_); }
  Status ParseLabels(Labels& labels);
  Status ParseLabelValue(std::string& value);

 public:
  // Reads the rest of the line from `pos` on: the value and the timestamp.
  void SkipTo(size_t pos) { pos_ = pos; }
  Status ParseValueAndTimestamp(int64_t default_timestamp_ms, Sample* sample);

 private:
  std::string_view line_;
  size_t number_;
  size_t pos_ = 0;
};

Status LineParser::ParseLabelValue(std::string& value) {
  const size_t open = pos_;
  if (Peek() != '"') return Error("expected '\"' to open the label value");
  ++pos_;
  while (!AtEnd()) {
    char c = line_[pos_++];
    if (c == '"') return Status::Ok();
    if (c != '\\' || AtEnd()) {
      value += c;
      continue;
    }
    char escaped = line_[pos_++];
    switch (escaped) {
      case 'n':
        value += '\n';
        break;
      case '\\':
      case '"':
        value += escaped;
        break;
      default:  // VictoriaMetrics keeps an unknown escape as it is
        value += '\\';
        value += escaped;
    }
  }
  return Error("expected '\"' to close the label value opened at column " +
               std::to_string(open + 1));
}

Status LineParser::ParseLabels(Labels& labels) {
  ++pos_;  // '{'
  SkipSpaces();
  while (Peek() != '}') {
    if (!IsLabelStart(Peek())) {
      return Error(AtEnd() ? "expected a label name or '}' before the end of the line"
                           : "expected a label name or '}'");
    }
    size_t start = pos_;
    while (!AtEnd() && IsLabelChar(line_[pos_])) ++pos_;
    Label label{std::string(line_.substr(start, pos_ - start)), ""};
    if (label.name == kMetricNameLabel) {
      return Error("expected the metric name before '{', not as a label", start);
    }
    for (const Label& earlier : labels) {
      if (earlier.name == label.name) {
        return Error("expected each label name once, " + Quoted(label.name) + " repeats", start);
      }
    }
    SkipSpaces();
    if (Peek() != '=') return Error("expected '=' after the label name");
    ++pos_;
    SkipSpaces();
    WATTLINE_RETURN_IF_ERROR(ParseLabelValue(label.value));
    labels.push_back(std::move(label));
    SkipSpaces();
    if (Peek() == ',') {
      ++pos_;
      SkipSpaces();
    } else if (Peek() != '}') {
      return Error("expected ',' or '}' after the label value");
    }
  }
  ++pos_;  // '}'
  return Status::Ok();
}

Result<std::optional<Sample>> LineParser::Parse(int64_t default_timestamp_ms) {
  SkipSpaces();
  if (AtEnd() || Peek() == '#') return std::optional<Sample>();
  if (!IsNameStart(Peek())) return Error("expected a metric name");
  const size_t name_start = pos_;
  while (!AtEnd() && IsNameChar(line_[pos_])) ++pos_;
  const size_t name_end = pos_;
  Sample sample;
  sample.labels.push_back({std::string(kMetricNameLabel),
                           std::string(line_.substr(name_start, name_end - name_start))});
  SkipSpaces();
  if (Peek() == '{') {
    WATTLINE_RETURN_IF_ERROR(ParseLabels(sample.labels));
    SkipSpaces();
  } else if (pos_ == name_end && !AtEnd()) {
    return Error("expected '{' or a space after the metric name");
  }
  WATTLINE_RETURN_IF_ERROR(ParseValueAndTimestamp(default_timestamp_ms, &sample));
  return std::optional<Sample>(std::move(sample));
}

Status LineParser::ParseValueAndTimestamp(int64_t default_timestamp_ms, Sample* sample) {
  SkipSpaces();
  if (AtEnd()) return Error("expected a value");
  const size_t value_at = pos_;
  std::string_view value_text = Token();
  std::optional<double> value = ParseGoFloat(value_text);
  if (!value) return Error("expected a number as the value, got " + Quoted(value_text), value_at);
  sample->value = *value;
  sample->timestamp_ms = 0;
  SkipSpaces();
  if (!AtEnd()) {
    const size_t timestamp_at = pos_;
    std::string_view text = Token();
    std::string_view digits = text.substr(!text.empty() && text[0] == '+' ? 1 : 0);
    auto [end, ec] =
        std::from_chars(digits.data(), digits.data() + digits.size(), sample->timestamp_ms);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) {
      return Error("expected a timestamp in integer milliseconds, got " + Quoted(text),
                   timestamp_at);
    }
    SkipSpaces();
    if (!AtEnd()) return Error("expected the end of the line after the timestamp");
  }
  if (sample->timestamp_ms == 0) sample->timestamp_ms = default_timestamp_ms;
  return Status::Ok();
}

// The series part of a sample line as written (the name, and its labels up
// to the closing brace), or "" for a line that does not start with a name.
// A value and a timestamp hold no '}', so in a well-formed line the last one
// closes the labels.
std::string_view SeriesText(std::string_view line) {
  if (line.empty() || !IsNameStart(line[0])) return {};
  size_t name_end = 1;
  while (name_end < line.size() && IsNameChar(line[name_end])) ++name_end;
  if (name_end == line.size() || line[name_end] != '{') return line.substr(0, name_end);
  const size_t close = line.rfind('}');
  return close == std::string_view::npos ? std::string_view() : line.substr(0, close + 1);
}

}  // namespace

Result<std::vector<SeriesSamples>> ParsePromText(std::string_view text,
                                                 int64_t default_timestamp_ms) {
  SeriesGrouper grouper;
  // A series' text as its lines write it, to its series: a line whose series
  // part is byte for byte one parsed before needs only its value and
  // timestamp read. Bulk imports repeat each series thousands of times.
  std::unordered_map<std::string_view, size_t> series_by_text;
  size_t line_number = 0;
  Sample one;
  while (!text.empty()) {
    ++line_number;
    size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    LineParser parser(line, line_number);
    const std::string_view series_text = SeriesText(line);
    if (auto known = series_by_text.find(series_text);
        !series_text.empty() && known != series_by_text.end()) {
      parser.SkipTo(series_text.size());
      WATTLINE_RETURN_IF_ERROR(parser.ParseValueAndTimestamp(default_timestamp_ms, &one));
      grouper.Add(known->second, one.timestamp_ms, one.value);
      continue;
    }
    Result<std::optional<Sample>> sample = parser.Parse(default_timestamp_ms);
    if (!sample.ok()) return sample.status();
    if (!sample->has_value()) continue;
    Sample& parsed = **sample;
    // The parser checked every name, so this fails only on the impossible.
    Result<size_t> series = grouper.SeriesFor(std::move(parsed.labels));
    if (!series.ok()) {
      return series.status().WithContext("line " + std::to_string(line_number));
    }
    if (!series_text.empty()) series_by_text.emplace(series_text, *series);
    grouper.Add(*series, parsed.timestamp_ms, parsed.value);
  }
  return grouper.Take();
}

}  // namespace wattline::aggregator
