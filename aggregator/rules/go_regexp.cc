#include "aggregator/rules/go_regexp.h"

#include <re2/re2.h>

#include <map>
#include <vector>

#include "aggregator/query/quote.h"
#include "aggregator/rules/go_unicode.h"
#include "aggregator/storage/regexp_error.h"

namespace wattline::aggregator {
namespace {

// Go's regexp.extract: the name after a '$' of `tmpl` ("1", "name", or
// "{...}"'s content). Returns false when there is none (the '$' is then
// literal); *num is the group number, or -1 for a name.
bool ExtractName(std::string_view tmpl, std::string_view* name, int* num, size_t* used) {
  if (tmpl.empty()) return false;
  const bool brace = tmpl[0] == '{';
  size_t i = brace ? 1 : 0;
  const size_t start = i;
  while (i < tmpl.size()) {
    size_t width = 1;
    const char32_t r = DecodeRune(tmpl, i, &width);
    if (r != '_' && !alert_template::IsLetterOrDigit(r)) break;
    i += width;
  }
  if (i == start) return false;
  *name = tmpl.substr(start, i - start);
  if (brace) {
    if (i >= tmpl.size() || tmpl[i] != '}') return false;
    ++i;
  }
  *num = 0;
  for (char c : *name) {
    if (c < '0' || c > '9' || *num >= 100000000) {
      *num = -1;
      break;
    }
    *num = *num * 10 + (c - '0');
  }
  if ((*name)[0] == '0' && name->size() > 1) *num = -1;  // no leading zeros
  *used = i;
  return true;
}

}  // namespace

Result<GoRegexp> GoRegexp::Compile(std::string_view pattern) {
  RE2::Options options;
  options.set_log_errors(false);
  auto re2 = std::make_shared<const RE2>(re2::StringPiece(pattern.data(), pattern.size()), options);
  if (!re2->ok()) return Status::InvalidArgument(GoRegexpError(*re2));
  return GoRegexp(std::move(re2));
}

bool GoRegexp::MatchString(std::string_view text) const {
  return RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *re2_);
}

std::string GoRegexp::ReplaceAllString(std::string_view text, std::string_view replacement,
                                       size_t limit) const {
  const int groups = re2_->NumberOfCapturingGroups() + 1;
  const std::map<std::string, int>& names = re2_->NamedCapturingGroups();
  std::vector<re2::StringPiece> match(static_cast<size_t>(groups));
  const re2::StringPiece subject(text.data(), text.size());
  // Go's Regexp.expand.
  auto expand = [&](std::string* out) {
    std::string_view tmpl = replacement;
    for (size_t dollar = tmpl.find('$'); dollar != std::string_view::npos;
         dollar = tmpl.find('$')) {
      out->append(tmpl.substr(0, dollar));
      tmpl.remove_prefix(dollar + 1);
      if (!tmpl.empty() && tmpl[0] == '$') {
        *out += '$';
        tmpl.remove_prefix(1);
        continue;
      }
      std::string_view name;
      int num = -1;
      size_t used = 0;
      if (!ExtractName(tmpl, &name, &num, &used)) {
        *out += '$';
        continue;
      }
      tmpl.remove_prefix(used);
      int group = num;
      if (num < 0) {
        const auto named = names.find(std::string(name));
        group = named == names.end() ? -1 : named->second;
      }
      if (group >= 0 && group < groups && match[static_cast<size_t>(group)].data() != nullptr) {
        out->append(match[static_cast<size_t>(group)].data(),
                    match[static_cast<size_t>(group)].size());
      }
    }
    out->append(tmpl);
  };
  // Go's Regexp.replaceAll: no replacement for an empty match right after
  // a match; always advance by at least one rune.
  std::string out;
  size_t last_match_end = 0;
  size_t search = 0;
  while (search <= text.size() && out.size() <= limit) {
    if (!re2_->Match(subject, search, text.size(), RE2::UNANCHORED, match.data(), groups)) break;
    const size_t begin = static_cast<size_t>(match[0].data() - text.data());
    const size_t end = begin + match[0].size();
    out.append(text.substr(last_match_end, begin - last_match_end));
    if (end > last_match_end || begin == 0) expand(&out);
    last_match_end = end;
    size_t width = 0;
    if (search < text.size()) DecodeRune(text, search, &width);
    if (search + width > end) {
      search += width;
    } else if (search + 1 > end) {
      ++search;
    } else {
      search = end;
    }
  }
  out.append(text.substr(last_match_end));
  return out;
}

}  // namespace wattline::aggregator
