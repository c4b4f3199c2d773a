#include "aggregator/storage/series_index.h"

#include <algorithm>
#include <iterator>

namespace wattline::aggregator {
namespace {

using Postings = std::vector<SeriesId>;

// Keeps `list` sorted: ids mostly arrive in increasing order.
void InsertSorted(Postings& list, SeriesId id) {
  if (list.empty() || list.back() < id) {
    list.push_back(id);
    return;
  }
  list.insert(std::lower_bound(list.begin(), list.end(), id), id);
}

Postings Intersect(const Postings& a, const Postings& b) {
  Postings out;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

Postings Subtract(const Postings& a, const Postings& b) {
  Postings out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

}  // namespace

void SeriesIndex::Add(SeriesId id, Labels labels) {
  by_key_.emplace(LabelsToString(labels), id);
  for (const Label& label : labels) InsertSorted(postings_[label.name][label.value], id);
  InsertSorted(all_, id);
  labels_.emplace(id, std::move(labels));
}

std::optional<SeriesId> SeriesIndex::Find(const std::string& key) const {
  auto it = by_key_.find(key);
  if (it == by_key_.end()) return std::nullopt;
  return it->second;
}

const Labels* SeriesIndex::LabelsOf(SeriesId id) const {
  auto it = labels_.find(id);
  return it == labels_.end() ? nullptr : &it->second;
}

Postings SeriesIndex::Union(const LabelMatcher& matcher, bool accepting) const {
  auto name = postings_.find(matcher.name());
  if (name == postings_.end()) return {};
  const auto& values = name->second;
  if (matcher.type() == LabelMatcher::Type::kEqual && accepting) {
    auto value = values.find(matcher.value());
    return value == values.end() ? Postings{} : value->second;
  }
  Postings out;
  for (const auto& [value, ids] : values) {
    if (matcher.MatchesValue(value) == accepting) out.insert(out.end(), ids.begin(), ids.end());
  }
  // A series has one value per name, so the lists are disjoint: no duplicates.
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<SeriesRef> SeriesIndex::Select(const LabelMatchers& matchers) const {
  // Matchers that reject "" intersect first: they are what narrows a query.
  std::optional<Postings> selected;
  for (const LabelMatcher& matcher : matchers) {
    if (matcher.MatchesValue("")) continue;
    Postings accepted = Union(matcher, true);
    selected = selected ? Intersect(*selected, accepted) : std::move(accepted);
    if (selected->empty()) return {};
  }
  if (!selected) selected = all_;
  for (const LabelMatcher& matcher : matchers) {
    if (!matcher.MatchesValue("")) continue;
    selected = Subtract(*selected, Union(matcher, false));
  }
  std::vector<SeriesRef> out;
  out.reserve(selected->size());
  for (SeriesId id : *selected) out.push_back(SeriesRef{id, labels_.at(id)});
  std::sort(out.begin(), out.end(),
            [](const SeriesRef& a, const SeriesRef& b) { return a.labels < b.labels; });
  return out;
}

std::vector<std::string> SeriesIndex::LabelNames() const {
  std::vector<std::string> out;
  out.reserve(postings_.size());
  for (const auto& [name, values] : postings_) out.push_back(name);
  return out;
}

std::vector<std::string> SeriesIndex::LabelValues(std::string_view name) const {
  std::vector<std::string> out;
  auto it = postings_.find(name);
  if (it == postings_.end()) return out;
  out.reserve(it->second.size());
  for (const auto& [value, ids] : it->second) out.push_back(value);
  return out;
}

}  // namespace wattline::aggregator
