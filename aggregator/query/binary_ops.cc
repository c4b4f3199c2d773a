#include "aggregator/query/binary_ops.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

namespace wattline::aggregator {
namespace {

bool IsComparison(TokenType op) {
  switch (op) {
    case TokenType::kEqlc:
    case TokenType::kNeq:
    case TokenType::kGtr:
    case TokenType::kLss:
    case TokenType::kGte:
    case TokenType::kLte:
      return true;
    default:
      return false;
  }
}

// Prometheus 2.42's shouldDropMetricName: atan2 keeps the name.
bool ShouldDropMetricName(TokenType op) {
  switch (op) {
    case TokenType::kAdd:
    case TokenType::kSub:
    case TokenType::kMul:
    case TokenType::kDiv:
    case TokenType::kPow:
    case TokenType::kMod:
      return true;
    default:
      return false;
  }
}

// vectorElemBinop: the value and whether a comparison keeps the sample.
std::pair<double, bool> ElementBinop(TokenType op, double lhs, double rhs) {
  switch (op) {
    case TokenType::kAdd:
      return {lhs + rhs, true};
    case TokenType::kSub:
      return {lhs - rhs, true};
    case TokenType::kMul:
      return {lhs * rhs, true};
    case TokenType::kDiv:
      return {lhs / rhs, true};
    case TokenType::kPow:
      return {std::pow(lhs, rhs), true};
    case TokenType::kMod:
      return {std::fmod(lhs, rhs), true};
    case TokenType::kAtan2:
      return {std::atan2(lhs, rhs), true};
    case TokenType::kEqlc:
      return {lhs, lhs == rhs};
    case TokenType::kNeq:
      return {lhs, lhs != rhs};
    case TokenType::kGtr:
      return {lhs, lhs > rhs};
    case TokenType::kLss:
      return {lhs, lhs < rhs};
    case TokenType::kGte:
      return {lhs, lhs >= rhs};
    case TokenType::kLte:
      return {lhs, lhs <= rhs};
    default:
      return {0, false};
  }
}

bool Contains(const std::vector<std::string>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// The labels of `labels` that matching compares, as Prometheus prints them
// in its many-to-many error.
std::string MatchedLabelsString(const Labels& labels, const VectorMatching& matching) {
  Labels matched;
  for (const Label& label : labels) {
    const bool listed = Contains(matching.matching_labels, label.name);
    if (matching.on ? listed : (!listed && label.name != kMetricNameLabel)) {
      matched.push_back(label);
    }
  }
  return LabelsToString(matched);
}

}  // namespace

double ScalarBinop(TokenType op, double lhs, double rhs) {
  auto [value, keep] = ElementBinop(op, lhs, rhs);
  if (IsComparison(op)) return keep ? 1 : 0;
  return value;
}

StepVector VectorScalarBinop(TokenType op, const StepVector& vector, double scalar, bool swap,
                             bool return_bool, DerivedLabels& without_name) {
  StepVector out;
  out.reserve(vector.size());
  for (const StepSample& sample : vector) {
    double lhs = sample.value;
    double rhs = scalar;
    if (swap) std::swap(lhs, rhs);
    auto [value, keep] = ElementBinop(op, lhs, rhs);
    // A comparison keeps the vector's value, whichever side it is on.
    if (IsComparison(op) && swap) value = rhs;
    if (return_bool) {
      value = keep ? 1 : 0;
      keep = true;
    }
    if (!keep) continue;
    const bool drop = ShouldDropMetricName(op) || return_bool;
    out.push_back({drop ? without_name.WithoutMetricName(sample.metric) : sample.metric, value});
  }
  return out;
}

std::string MatchSignature(const Labels& labels, const VectorMatching& matching) {
  std::string signature;
  for (const Label& label : labels) {
    const bool listed = Contains(matching.matching_labels, label.name);
    const bool used = matching.on ? listed : (!listed && label.name != kMetricNameLabel);
    if (!used) continue;
    signature += label.name;
    signature += '\xff';
    signature += label.value;
    signature += '\xff';
  }
  return signature;
}

LabelsRef ResultMetricCache::Get(const LabelsRef& lhs, const LabelsRef& rhs, TokenType op,
                                 const VectorMatching& matching, bool return_bool) {
  const std::pair<const Labels*, const Labels*> key(lhs.get(), rhs.get());
  if (auto it = cache_.find(key); it != cache_.end()) return it->second;
  auto metric = std::make_shared<Labels>();
  for (const Label& label : *lhs) {
    if (label.name == kMetricNameLabel && (ShouldDropMetricName(op) || return_bool)) continue;
    if (matching.card == VectorMatching::Card::kOneToOne) {
      const bool listed = Contains(matching.matching_labels, label.name);
      if (matching.on != listed) continue;  // on keeps only its labels; ignoring drops its
    }
    if (Contains(matching.include, label.name)) continue;  // taken from the "one" side below
    metric->push_back(label);
  }
  for (const std::string& name : matching.include) {
    const std::string_view value = LabelValue(*rhs, name);
    if (!value.empty()) metric->push_back({name, std::string(value)});
  }
  std::sort(metric->begin(), metric->end(),
            [](const Label& a, const Label& b) { return a.name < b.name; });
  keys_.push_back(lhs);
  keys_.push_back(rhs);
  cache_.emplace(key, metric);
  return metric;
}

Result<StepVector> VectorBinop(TokenType op, const StepVector& lhs_in, const StepVector& rhs_in,
                               std::span<const std::string_view> lhs_signatures_in,
                               std::span<const std::string_view> rhs_signatures_in,
                               const VectorMatching& matching, bool return_bool,
                               ResultMetricCache& cache) {
  StepVector out;
  if (lhs_in.empty() || rhs_in.empty()) return out;
  // One-to-many is many-to-one with the sides swapped; values are computed
  // in the written order.
  const bool swapped = matching.card == VectorMatching::Card::kOneToMany;
  const StepVector& lhs = swapped ? rhs_in : lhs_in;
  const StepVector& rhs = swapped ? lhs_in : rhs_in;
  std::span<const std::string_view> lhs_signatures =
      swapped ? rhs_signatures_in : lhs_signatures_in;
  std::span<const std::string_view> rhs_signatures =
      swapped ? lhs_signatures_in : rhs_signatures_in;

  std::unordered_map<std::string_view, size_t> right;
  right.reserve(rhs.size());
  for (size_t i = 0; i < rhs.size(); ++i) {
    auto [it, inserted] = right.emplace(rhs_signatures[i], i);
    if (!inserted) {
      return Status::FailedPrecondition(
          "found duplicate series for the match group " +
          MatchedLabelsString(*rhs[i].metric, matching) + " on the " +
          (swapped ? "left" : "right") + " hand-side of the operation: [" +
          LabelsToString(*rhs[i].metric) + ", " + LabelsToString(*rhs[it->second].metric) +
          "];many-to-many matching not allowed: matching labels must be unique on one side");
    }
  }
  // For one-to-one: the signatures matched so far; for many-to-one, the
  // result label sets per signature, which must differ.
  std::unordered_map<std::string_view, std::unordered_set<size_t>> matched;
  for (size_t i = 0; i < lhs.size(); ++i) {
    auto found = right.find(lhs_signatures[i]);
    if (found == right.end()) continue;
    const StepSample& rs = rhs[found->second];
    double vl = lhs[i].value;
    double vr = rs.value;
    if (swapped) std::swap(vl, vr);
    auto [value, keep] = ElementBinop(op, vl, vr);
    if (return_bool) {
      value = keep ? 1 : 0;
    } else if (!keep) {
      continue;
    }
    LabelsRef metric = cache.Get(lhs[i].metric, rs.metric, op, matching, return_bool);
    auto [group, first] = matched.try_emplace(lhs_signatures[i]);
    if (matching.card == VectorMatching::Card::kOneToOne) {
      if (!first) {
        return Status::FailedPrecondition(
            "multiple matches for labels: many-to-one matching must be explicit "
            "(group_left/group_right)");
      }
    } else {
      const size_t hash = HashLabels(*metric);
      if (!group->second.insert(hash).second) {
        return Status::FailedPrecondition(
            "multiple matches for labels: grouping labels must ensure unique matches");
      }
    }
    out.push_back({std::move(metric), value});
  }
  return out;
}

StepVector VectorSetOp(TokenType op, const StepVector& lhs, const StepVector& rhs,
                       std::span<const std::string_view> lhs_signatures,
                       std::span<const std::string_view> rhs_signatures) {
  StepVector out;
  switch (op) {
    case TokenType::kLand: {
      if (lhs.empty() || rhs.empty()) return out;
      const std::unordered_set<std::string_view> right(rhs_signatures.begin(),
                                                       rhs_signatures.end());
      for (size_t i = 0; i < lhs.size(); ++i) {
        if (right.contains(lhs_signatures[i])) out.push_back(lhs[i]);
      }
      return out;
    }
    case TokenType::kLor: {
      out = lhs;
      const std::unordered_set<std::string_view> left(lhs_signatures.begin(), lhs_signatures.end());
      for (size_t i = 0; i < rhs.size(); ++i) {
        if (!left.contains(rhs_signatures[i])) out.push_back(rhs[i]);
      }
      return out;
    }
    case TokenType::kLunless: {
      const std::unordered_set<std::string_view> right(rhs_signatures.begin(),
                                                       rhs_signatures.end());
      for (size_t i = 0; i < lhs.size(); ++i) {
        if (!right.contains(lhs_signatures[i])) out.push_back(lhs[i]);
      }
      return out;
    }
    default:
      return out;
  }
}

}  // namespace wattline::aggregator
