// The order in which to append rows so that they fill SQLite's pages.
//
// A rowid table grows by appending: a row that does not fit in the last
// page starts a new one, and the rest of the old page stays empty for good.
// Written in the order they were cut, chunks of 0.2 to 2.5 KB left about 7%
// of each 16 KB page unused; appended largest-that-still-fits first, the
// gap at each page's end is mostly filled by the small ones.
#ifndef WATTLINE_AGGREGATOR_STORAGE_PAGE_PACKING_H_
#define WATTLINE_AGGREGATOR_STORAGE_PAGE_PACKING_H_

#include <cstddef>
#include <vector>

namespace wattline::aggregator {

// Indexes into `row_bytes` in the order to append them to pages of
// `page_bytes` usable bytes: each next row is the largest that still fits
// the page being filled; when none does, the largest of all starts a page.
std::vector<size_t> PackingOrder(const std::vector<size_t>& row_bytes, size_t page_bytes);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_STORAGE_PAGE_PACKING_H_
