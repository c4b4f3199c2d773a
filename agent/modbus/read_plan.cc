#include "agent/modbus/read_plan.h"

#include <algorithm>
#include <numeric>
#include <string>

namespace wattline::agent::modbus {
namespace {

std::string Describe(const RegisterSpan& span) {
  return std::string(RegisterTableName(span.table)) + " address " + std::to_string(span.address) +
         " (" + std::to_string(span.count) + (IsBitTable(span.table) ? " bits)" : " registers)");
}

}  // namespace

Result<std::vector<PlannedRead>> PlanReads(std::span<const RegisterSpan> spans,
                                           const ReadLimits& limits) {
  if (limits.max_registers < 1 || limits.max_registers > kMaxReadRegisters) {
    return Status::InvalidArgument("max registers per read must be 1-" +
                                   std::to_string(kMaxReadRegisters));
  }
  if (limits.max_bits < 1 || limits.max_bits > kMaxReadBits) {
    return Status::InvalidArgument("max bits per read must be 1-" + std::to_string(kMaxReadBits));
  }
  if (limits.max_gap < 0) return Status::InvalidArgument("max gap must not be negative");

  std::vector<size_t> order(spans.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (spans[a].table != spans[b].table) return spans[a].table < spans[b].table;
    return spans[a].address < spans[b].address;
  });

  std::vector<PlannedRead> reads;
  // The open request, as [start, end) in 32 bits so that end may be 65536.
  uint32_t start = 0;
  uint32_t end = 0;
  for (size_t index : order) {
    const RegisterSpan& span = spans[index];
    const uint32_t span_end = uint32_t{span.address} + span.count;
    if (span.count == 0) return Status::InvalidArgument(Describe(span) + " is empty");
    if (span_end > 0x10000) {
      return Status::InvalidArgument(Describe(span) + " runs past address 65535");
    }
    const bool bits = IsBitTable(span.table);
    const bool align = limits.even_alignment && !bits;
    const uint32_t limit = static_cast<uint32_t>(bits ? limits.max_bits : limits.max_registers);
    const uint32_t aligned_start = align ? (span.address & ~uint32_t{1}) : span.address;
    const uint32_t aligned_end = align ? ((span_end + 1) & ~uint32_t{1}) : span_end;
    if (aligned_end - aligned_start > limit) {
      return Status::InvalidArgument(Describe(span) + " does not fit in one read of at most " +
                                     std::to_string(limit) + (align ? " (even-aligned)" : ""));
    }
    if (!reads.empty()) {
      PlannedRead& open = reads.back();
      const uint32_t new_end = std::max(end, aligned_end);
      const bool near = span.address <= end + static_cast<uint32_t>(limits.max_gap);
      if (open.table == span.table && near && new_end - start <= limit) {
        end = new_end;
        open.count = static_cast<uint16_t>(end - start);
        open.spans.push_back(index);
        continue;
      }
    }
    start = aligned_start;
    end = aligned_end;
    PlannedRead read;
    read.table = span.table;
    read.address = static_cast<uint16_t>(start);
    read.count = static_cast<uint16_t>(end - start);
    read.spans.push_back(index);
    reads.push_back(std::move(read));
  }
  return reads;
}

}  // namespace wattline::agent::modbus
