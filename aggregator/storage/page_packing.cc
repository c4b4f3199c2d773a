#include "aggregator/storage/page_packing.h"

#include <iterator>
#include <set>
#include <utility>

namespace wattline::aggregator {

std::vector<size_t> PackingOrder(const std::vector<size_t>& row_bytes, size_t page_bytes) {
  std::multiset<std::pair<size_t, size_t>> left;  // (bytes, index)
  for (size_t i = 0; i < row_bytes.size(); ++i) left.emplace(row_bytes[i], i);
  std::vector<size_t> order;
  order.reserve(row_bytes.size());
  size_t room = page_bytes;
  while (!left.empty()) {
    // The largest row no bigger than the room left: the element before the
    // first one that is bigger.
    auto fits = left.upper_bound({room, row_bytes.size()});
    if (fits == left.begin()) {
      room = page_bytes;  // nothing fits: the next row starts a page
      fits = left.end();
    }
    fits = std::prev(fits);
    order.push_back(fits->second);
    room = fits->first >= room ? page_bytes - fits->first % page_bytes : room - fits->first;
    left.erase(fits);
  }
  return order;
}

}  // namespace wattline::aggregator
