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

// One group's running aggregate at one step, for the operators whose
// samples fold into a few numbers: Begin with its first sample, Add each
// later one in order, Finish.
struct Accumulator {
  double value = 0;
  double mean = 0;
  int64_t count = 0;  // 0: no sample yet
};

void Begin(TokenType op, double v, Accumulator& a) {
  a.value = v;
  a.mean = v;
  a.count = 1;
  if (op == TokenType::kStddev || op == TokenType::kStdvar) a.value = 0;
  if (op == TokenType::kGroup) a.value = 1;
}

void Add(TokenType op, double v, Accumulator& a) {
  switch (op) {
    case TokenType::kSum:
      a.value += v;
      break;
    case TokenType::kAvg: {
      ++a.count;
      if (std::isinf(a.mean)) {
        // Inf + x - Inf would make NaN of a mean that is still right.
        if (std::isinf(v) && (a.mean > 0) == (v > 0)) break;
        if (!std::isinf(v) && !std::isnan(v)) break;
      }
      const double n = static_cast<double>(a.count);
      a.mean += v / n - a.mean / n;
      break;
    }
    case TokenType::kMax:
      if (a.value < v || std::isnan(a.value)) a.value = v;
      break;
    case TokenType::kMin:
      if (a.value > v || std::isnan(a.value)) a.value = v;
      break;
    case TokenType::kCount:
    case TokenType::kCountValues:
      ++a.count;
      break;
    case TokenType::kStddev:
    case TokenType::kStdvar: {
      ++a.count;
      const double delta = v - a.mean;
      a.mean += delta / static_cast<double>(a.count);
      a.value += delta * (v - a.mean);
      break;
    }
    default:
      break;
  }
}

double Finish(TokenType op, const Accumulator& a) {
  switch (op) {
    case TokenType::kAvg:
      return a.mean;
    case TokenType::kCount:
    case TokenType::kCountValues:
      return static_cast<double>(a.count);
    case TokenType::kStdvar:
      return a.value / static_cast<double>(a.count);
    case TokenType::kStddev:
      return std::sqrt(a.value / static_cast<double>(a.count));
    default:
      return a.value;
  }
}

struct Group {
  LabelsRef labels;
  Accumulator accumulator;
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
  // These keep their groups' samples rather than folding them.
  const bool keeps_members =
      op == TokenType::kTopk || op == TokenType::kBottomk || op == TokenType::kQuantile;
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
      Begin(op, sample.value, group.accumulator);
      if (keeps_members) group.members.push_back(sample);
      groups.push_back(std::move(group));
      continue;
    }
    Group& group = groups[*slot];
    if (keeps_members) {
      group.members.push_back(sample);
    } else {
      Add(op, sample.value, group.accumulator);
    }
  }

  StepVector out;
  for (Group& group : groups) {
    double value = Finish(op, group.accumulator);
    switch (op) {
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
        value = Quantile(param, values);
        break;
      }
      default:
        break;
    }
    out.push_back({std::move(group.labels), value});
  }
  return out;
}

bool StepAggregator::FoldsWholeSeries(TokenType op) {
  switch (op) {
    case TokenType::kSum:
    case TokenType::kAvg:
    case TokenType::kMin:
    case TokenType::kMax:
    case TokenType::kCount:
    case TokenType::kGroup:
    case TokenType::kStddev:
    case TokenType::kStdvar:
      return true;
    default:
      return false;
  }
}

std::optional<StepMatrix> StepAggregator::WholeSeries(const StepMatrix& input, const Steps& steps) {
  const TokenType op = expr_.op;
  std::vector<size_t> group_of_series;
  group_of_series.reserve(input.size());
  size_t input_points = 0;
  for (const StepSeries& series : input) {
    group_of_series.push_back(GroupOf(series.metric));
    input_points += series.points.size();
  }
  // A group's steps are held densely: no more of them than the input has
  // points, or the steps' way is the leaner.
  const size_t groups = group_labels_.size();
  if (groups != 0 && steps.count() > input_points / groups) return std::nullopt;

  constexpr uint64_t kAbsent = static_cast<uint64_t>(-1);
  std::vector<std::vector<Accumulator>> steps_of(groups);
  // Where each group first has a sample, and from which series: Step's
  // output lists groups in that order.
  std::vector<std::pair<uint64_t, size_t>> first_seen(groups, {kAbsent, 0});
  // Series by series, each step's samples fold in the order Step takes
  // them (the input's), so every value is the same to the bit.
  for (size_t s = 0; s < input.size(); ++s) {
    const size_t g = group_of_series[s];
    std::vector<Accumulator>& accumulators = steps_of[g];
    for (const SamplePoint& point : input[s].points) {
      const std::optional<uint64_t> i = steps.IndexOf(point.timestamp_ms);
      if (!i) continue;  // not a step: Step never sees it
      if (accumulators.empty()) accumulators.resize(steps.count());
      Accumulator& a = accumulators[*i];
      if (a.count == 0) {
        Begin(op, point.value, a);
        if (*i < first_seen[g].first) first_seen[g] = {*i, s};
      } else {
        Add(op, point.value, a);
      }
    }
  }
  std::vector<size_t> order;
  for (size_t g = 0; g < groups; ++g) {
    if (first_seen[g].first != kAbsent) order.push_back(g);
  }
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return first_seen[a] < first_seen[b]; });
  StepMatrix out;
  out.reserve(order.size());
  for (size_t g : order) {
    StepSeries series{group_labels_[g], {}};
    for (uint64_t i = 0; i < steps.count(); ++i) {
      const Accumulator& a = steps_of[g][i];
      if (a.count != 0) series.points.push_back({steps.At(i), Finish(op, a)});
    }
    out.push_back(std::move(series));
  }
  return out;
}

}  // namespace wattline::aggregator
