#include "aggregator/query/aggregation.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <utility>

#include "aggregator/query/instant_functions.h"
#include "aggregator/query/number.h"

namespace wattline::aggregator {
namespace {

bool Listed(const std::vector<std::string>& sorted, std::string_view name) {
  return std::binary_search(sorted.begin(), sorted.end(), name);
}

struct Group {
  LabelsRef labels;
  double value = 0;
  double mean = 0;
  int64_t count = 0;
  std::vector<StepSample> members;  // topk, bottomk, quantile
};

// count_values' label value, as Go's strconv.FormatFloat(v, 'f', -1, 64).
std::string FormatValue(double value) { return FormatGoFloat(value); }

}  // namespace

StepAggregator::StepAggregator(const AggregateExpr& expr) : expr_(expr), grouping_(expr.grouping) {
  std::sort(grouping_.begin(), grouping_.end());
}

size_t StepAggregator::GroupOf(const LabelsRef& metric) {
  if (auto it = group_of_.find(metric.get()); it != group_of_.end()) return it->second;
  std::string signature;
  auto labels = std::make_shared<Labels>();
  for (const Label& label : *metric) {
    const bool listed = Listed(grouping_, label.name);
    const bool kept = expr_.without ? (!listed && label.name != kMetricNameLabel) : listed;
    if (!kept) continue;
    signature += label.name;
    signature += '\xff';
    signature += label.value;
    signature += '\xff';
    labels->push_back(label);
  }
  auto [group, first] = group_ids_.try_emplace(std::move(signature), group_labels_.size());
  if (first) group_labels_.push_back(std::move(labels));
  alive_.push_back(metric);
  group_of_.emplace(metric.get(), group->second);
  return group->second;
}

Result<StepVector> StepAggregator::Step(const StepVector& input, double param,
                                        std::string_view label) {
  const TokenType op = expr_.op;
  int64_t k = 0;
  if (op == TokenType::kTopk || op == TokenType::kBottomk) {
    if (!(param >= -9.223372036854775e18 && param <= 9.223372036854775e18)) {
      return Status::FailedPrecondition("Scalar value " + FormatValue(param) + " overflows int64");
    }
    k = static_cast<int64_t>(param);
    if (k < 1) return StepVector{};
  }
  if (op == TokenType::kCountValues && !IsValidLabelName(label)) {
    return Status::FailedPrecondition("invalid label name \"" + std::string(label) + "\"");
  }

  // Where each group is in `groups` this step: by signature for
  // count_values, whose groups depend on the values; else by group number,
  // known across steps.
  constexpr size_t kNoGroup = static_cast<size_t>(-1);
  std::unordered_map<std::string, size_t> index;
  slots_.assign(group_labels_.size(), kNoGroup);
  std::vector<Group> groups;
  for (const StepSample& sample : input) {
    std::string signature;
    LabelsRef group_labels;
    size_t* slot = nullptr;
    if (op == TokenType::kCountValues) {
      // The value becomes a label, and a grouping label unless `without`.
      auto metric = std::make_shared<Labels>(*sample.metric);
      std::erase_if(*metric, [&](const Label& l) { return l.name == label; });
      metric->push_back({std::string(label), FormatValue(sample.value)});
      std::sort(metric->begin(), metric->end(),
                [](const Label& a, const Label& b) { return a.name < b.name; });
      auto kept = std::make_shared<Labels>();
      for (const Label& l : *metric) {
        const bool listed = Listed(grouping_, l.name) || (!expr_.without && l.name == label);
        const bool keep = expr_.without ? (!listed && l.name != kMetricNameLabel) : listed;
        if (!keep) continue;
        signature += l.name + '\xff' + l.value + '\xff';
        kept->push_back(l);
      }
      group_labels = std::move(kept);
      slot = &index.try_emplace(std::move(signature), kNoGroup).first->second;
    } else {
      const size_t id = GroupOf(sample.metric);
      if (id >= slots_.size()) slots_.resize(id + 1, kNoGroup);
      slot = &slots_[id];
      if (*slot == kNoGroup) group_labels = group_labels_[id];  // only a new group needs them
    }
    if (*slot == kNoGroup) {
      *slot = groups.size();
      Group group;
      group.labels = std::move(group_labels);
      group.value = sample.value;
      group.mean = sample.value;
      group.count = 1;
      switch (op) {
        case TokenType::kStddev:
        case TokenType::kStdvar:
          group.value = 0;
          break;
        case TokenType::kTopk:
        case TokenType::kBottomk:
        case TokenType::kQuantile:
          group.members.push_back(sample);
          break;
        case TokenType::kGroup:
          group.value = 1;
          break;
        default:
          break;
      }
      groups.push_back(std::move(group));
      continue;
    }
    Group& group = groups[*slot];
    const double v = sample.value;
    switch (op) {
      case TokenType::kSum:
        group.value += v;
        break;
      case TokenType::kAvg: {
        ++group.count;
        if (std::isinf(group.mean)) {
          // Inf + x - Inf would make NaN of a mean that is still right.
          if (std::isinf(v) && (group.mean > 0) == (v > 0)) break;
          if (!std::isinf(v) && !std::isnan(v)) break;
        }
        const double n = static_cast<double>(group.count);
        group.mean += v / n - group.mean / n;
        break;
      }
      case TokenType::kMax:
        if (group.value < v || std::isnan(group.value)) group.value = v;
        break;
      case TokenType::kMin:
        if (group.value > v || std::isnan(group.value)) group.value = v;
        break;
      case TokenType::kCount:
      case TokenType::kCountValues:
        ++group.count;
        break;
      case TokenType::kStddev:
      case TokenType::kStdvar: {
        ++group.count;
        const double delta = v - group.mean;
        group.mean += delta / static_cast<double>(group.count);
        group.value += delta * (v - group.mean);
        break;
      }
      case TokenType::kTopk:
      case TokenType::kBottomk:
      case TokenType::kQuantile:
        group.members.push_back(sample);
        break;
      default:
        break;
    }
  }

  StepVector out;
  for (Group& group : groups) {
    switch (op) {
      case TokenType::kAvg:
        group.value = group.mean;
        break;
      case TokenType::kCount:
      case TokenType::kCountValues:
        group.value = static_cast<double>(group.count);
        break;
      case TokenType::kStdvar:
        group.value /= static_cast<double>(group.count);
        break;
      case TokenType::kStddev:
        group.value = std::sqrt(group.value / static_cast<double>(group.count));
        break;
      case TokenType::kTopk:
      case TokenType::kBottomk: {
        // NaN ranks lowest for topk and highest for bottomk, as Prometheus's
        // heaps order it.
        const bool top = op == TokenType::kTopk;
        auto better = [top](const StepSample& a, const StepSample& b) {
          if (std::isnan(a.value)) return false;
          if (std::isnan(b.value)) return true;
          return top ? a.value > b.value : a.value < b.value;
        };
        std::stable_sort(group.members.begin(), group.members.end(), better);
        const size_t n = std::min<size_t>(group.members.size(), static_cast<size_t>(k));
        for (size_t i = 0; i < n; ++i) out.push_back(group.members[i]);
        continue;
      }
      case TokenType::kQuantile: {
        std::vector<double> values;
        values.reserve(group.members.size());
        for (const StepSample& s : group.members) values.push_back(s.value);
        group.value = Quantile(param, values);
        break;
      }
      default:
        break;
    }
    out.push_back({std::move(group.labels), group.value});
  }
  return out;
}

}  // namespace wattline::aggregator
