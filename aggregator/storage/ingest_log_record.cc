#include "aggregator/storage/ingest_log_record.h"

#include <bit>
#include <cstring>

#include "aggregator/storage/chunk_codec.h"

namespace wattline::aggregator {
namespace {

template <typename T>
void Put(std::string& out, T value) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));  // little-endian hosts only (static_assert below)
  out.append(bytes, sizeof(T));
}

template <typename T>
bool Take(std::string_view& in, T* value) {
  if (in.size() < sizeof(T)) return false;
  std::memcpy(value, in.data(), sizeof(T));
  in.remove_prefix(sizeof(T));
  return true;
}

static_assert(std::endian::native == std::endian::little, "the log layout is little-endian");

}  // namespace

std::string EncodeLogRecord(std::span<const SeriesRecord> record) {
  std::string out;
  Put(out, static_cast<uint32_t>(record.size()));
  for (const SeriesRecord& series : record) {
    const std::string chunk = EncodeChunk(series.samples, ChunkEffort::kFast);
    Put(out, static_cast<int64_t>(series.series));
    Put(out, static_cast<uint32_t>(chunk.size()));
    out += chunk;
  }
  return out;
}

Result<std::vector<SeriesRecord>> DecodeLogRecord(std::string_view data) {
  uint32_t count = 0;
  if (!Take(data, &count)) return Status::InvalidArgument("log record: truncated header");
  // Each series takes at least 12 bytes: refuse a count the data cannot hold
  // before reserving for it.
  if (count > data.size() / 12) return Status::InvalidArgument("log record: implausible count");
  std::vector<SeriesRecord> out;
  out.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    int64_t id = 0;
    uint32_t length = 0;
    if (!Take(data, &id) || !Take(data, &length) || length > data.size()) {
      return Status::InvalidArgument("log record: truncated series " + std::to_string(i));
    }
    SeriesRecord series{id, {}};
    Status decoded = DecodeChunk(data.substr(0, length), &series.samples);
    if (!decoded.ok()) return decoded.WithContext("log record: series " + std::to_string(id));
    data.remove_prefix(length);
    out.push_back(std::move(series));
  }
  if (!data.empty()) return Status::InvalidArgument("log record: trailing bytes");
  return out;
}

}  // namespace wattline::aggregator
