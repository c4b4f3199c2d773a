#include "aggregator/query/parsed_query_cache.h"

#include "aggregator/query/parser.h"

namespace wattline::aggregator {

Result<std::shared_ptr<const Expr>> ParsedQueryCache::Parse(std::string_view query) {
  const bool cacheable = capacity_ > 0 && query.size() <= kMaxCachedQueryBytes;
  if (cacheable) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto it = by_text_.find(query); it != by_text_.end()) {
      recent_.splice(recent_.begin(), recent_, it->second);
      return it->second->second;
    }
  }
  // Parsed outside the lock: a parse of the same text on two threads at
  // once is two parses, and the second's tree is the one kept.
  Result<std::unique_ptr<Expr>> parsed = ParseExpr(query);
  if (!parsed.ok()) return parsed.status();
  std::shared_ptr<const Expr> expr = std::move(parsed).value();
  if (!cacheable) return expr;
  std::lock_guard<std::mutex> lock(mutex_);
  if (auto it = by_text_.find(query); it != by_text_.end()) {
    const auto entry = it->second;
    by_text_.erase(it);  // before its key's string goes
    recent_.erase(entry);
  }
  recent_.emplace_front(std::string(query), expr);
  by_text_.emplace(recent_.front().first, recent_.begin());
  if (recent_.size() > capacity_) {
    by_text_.erase(recent_.back().first);
    recent_.pop_back();
  }
  return expr;
}

size_t ParsedQueryCache::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return recent_.size();
}

}  // namespace wattline::aggregator
