#include "tests/promql/query_corpus.h"

#include <cctype>
#include <charconv>
#include <cmath>

namespace wattline::testing {
namespace {

std::string_view TrimRight(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

std::string_view TrimLeft(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  return text;
}

// Removes and returns the first space-separated word of `rest`.
std::string_view NextWord(std::string_view& rest) {
  rest = TrimLeft(rest);
  size_t end = 0;
  while (end < rest.size() && !std::isspace(static_cast<unsigned char>(rest[end]))) ++end;
  std::string_view word = rest.substr(0, end);
  rest.remove_prefix(end);
  return word;
}

}  // namespace

Result<int64_t> ParseOffsetMs(std::string_view text) {
  if (text.empty()) return Status::InvalidArgument("expected a duration");
  double total_ms = 0;
  std::string_view rest = text;
  while (!rest.empty()) {
    double number = 0;
    auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), number);
    if (ec != std::errc() || number < 0) {
      return Status::InvalidArgument("bad duration \"" + std::string(text) + "\"");
    }
    rest.remove_prefix(static_cast<size_t>(end - rest.data()));
    double unit_ms = 1000;
    if (!rest.empty() && (rest[0] == 's' || rest[0] == 'm' || rest[0] == 'h')) {
      unit_ms = rest[0] == 'h' ? 3'600'000 : rest[0] == 'm' ? 60'000 : 1000;
      rest.remove_prefix(1);
    } else if (!rest.empty()) {
      return Status::InvalidArgument("bad duration \"" + std::string(text) + "\"");
    }
    total_ms += number * unit_ms;
  }
  return static_cast<int64_t>(std::llround(total_ms));
}

Result<std::vector<CorpusQuery>> ParseCorpus(std::string_view text) {
  std::vector<CorpusQuery> out;
  int line_number = 0;
  while (!text.empty()) {
    size_t newline = text.find('\n');
    std::string_view line = TrimRight(text.substr(0, newline));
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    ++line_number;
    if (TrimLeft(line).empty() || TrimLeft(line).front() == '#') continue;
    const std::string where = "line " + std::to_string(line_number) + ": ";
    CorpusQuery query;
    query.line = std::string(line);
    std::string_view rest = line;
    std::string_view kind = NextWord(rest);
    std::vector<std::string_view> times;
    if (kind == "instant") {
      times = {NextWord(rest)};
    } else if (kind == "range") {
      times = {NextWord(rest), NextWord(rest), NextWord(rest)};
      query.range = true;
    } else {
      return Status::InvalidArgument(where + "expected \"instant\" or \"range\"");
    }
    std::vector<int64_t> ms;
    for (std::string_view time : times) {
      Result<int64_t> parsed = ParseOffsetMs(time);
      if (!parsed.ok()) return Status::InvalidArgument(where + parsed.status().message());
      ms.push_back(*parsed);
    }
    query.query = std::string(TrimLeft(rest));
    if (query.query.empty()) return Status::InvalidArgument(where + "no query");
    if (query.range) {
      query.start_ms = ms[0];
      query.end_ms = ms[1];
      query.step_ms = ms[2];
    } else {
      query.time_ms = ms[0];
    }
    out.push_back(std::move(query));
  }
  return out;
}

std::set<std::string> ParseKnownDifferences(std::string_view text) {
  std::set<std::string> out;
  while (!text.empty()) {
    size_t newline = text.find('\n');
    std::string_view line = TrimRight(text.substr(0, newline));
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    if (!TrimLeft(line).empty() && TrimLeft(line).front() != '#') out.emplace(line);
  }
  return out;
}

}  // namespace wattline::testing
