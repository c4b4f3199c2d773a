// The series index: label pairs to series ids (postings lists), held in
// memory and rebuilt from the series tables at start. Selection follows
// Prometheus's PostingsForMatchers: a matcher that matches the empty value
// also selects series without the label, so it subtracts the series whose
// value it rejects instead of intersecting.
//
// Thread-safety: none; SampleStore guards it.
#ifndef WATTLINE_AGGREGATOR_STORAGE_SERIES_INDEX_H_
#define WATTLINE_AGGREGATOR_STORAGE_SERIES_INDEX_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "aggregator/storage/label_matcher.h"
#include "aggregator/storage/series_reader.h"
#include "common/labels.h"

namespace wattline::aggregator {

class SeriesIndex {
 public:
  // REQUIRES: `id` and `labels` not in the index yet; labels canonical.
  void Add(SeriesId id, Labels labels);

  // By the labels' LabelsToString() form.
  std::optional<SeriesId> Find(const std::string& key) const;
  // The labels of `id`; nullptr when unknown.
  const Labels* LabelsOf(SeriesId id) const;

  // Every series satisfying all `matchers`, ordered by labels. No matchers
  // select everything.
  std::vector<SeriesRef> Select(const LabelMatchers& matchers) const;
  // Label names in use, sorted.
  std::vector<std::string> LabelNames() const;
  // Values of `name` in use, sorted.
  std::vector<std::string> LabelValues(std::string_view name) const;

  size_t size() const { return labels_.size(); }

 private:
  using Postings = std::vector<SeriesId>;  // sorted ascending
  // The union of the postings of `name`'s values that `matcher` accepts
  // (or, with `accepting` false, rejects).
  Postings Union(const LabelMatcher& matcher, bool accepting) const;

  std::unordered_map<std::string, SeriesId> by_key_;  // LabelsToString()
  std::unordered_map<SeriesId, Labels> labels_;
  std::map<std::string, std::map<std::string, Postings, std::less<>>, std::less<>> postings_;
  Postings all_;
};

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_STORAGE_SERIES_INDEX_H_
