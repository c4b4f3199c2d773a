// Parsed queries by their text, the most recently used kept. A dashboard
// asks the same queries at every refresh, with only the times changing; a
// parse was a quarter of what the aggregator ran for a last value's query.
// Queries that fail to parse are not kept (each failure parses again), nor
// are queries longer than kMaxCachedQueryBytes, so the cache holds at most
// capacity × that many bytes of text and their trees.
//
// A tree is immutable once parsed (ast.h) and shared by every query that
// asks the same text, on any thread.
//
// Thread-safety: Parse is thread-safe.
#ifndef WATTLINE_AGGREGATOR_QUERY_PARSED_QUERY_CACHE_H_
#define WATTLINE_AGGREGATOR_QUERY_PARSED_QUERY_CACHE_H_

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "aggregator/query/ast.h"
#include "common/status.h"

namespace wattline::aggregator {

inline constexpr size_t kMaxCachedQueryBytes = 4096;

class ParsedQueryCache {
 public:
  // 0 keeps nothing.
  explicit ParsedQueryCache(size_t capacity) : capacity_(capacity) {}

  ParsedQueryCache(const ParsedQueryCache&) = delete;
  ParsedQueryCache& operator=(const ParsedQueryCache&) = delete;

  // ParseExpr(query), from the cache when it was parsed before.
  Result<std::shared_ptr<const Expr>> Parse(std::string_view query);

  size_t size() const;

 private:
  using Entry = std::pair<std::string, std::shared_ptr<const Expr>>;

  const size_t capacity_;
  mutable std::mutex mutex_;
  std::list<Entry> recent_;  // most recently used first
  std::unordered_map<std::string_view, std::list<Entry>::iterator> by_text_;  // views of recent_
};

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_QUERY_PARSED_QUERY_CACHE_H_
