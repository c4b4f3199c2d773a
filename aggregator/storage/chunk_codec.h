// The compressed form of one series' samples over a span of time: the unit
// the storage engine keeps on disk (a chunk row's blob) and in its ingest
// log. docs/formats/chunk.md is the byte layout.
//
// Timestamps are delta-of-delta encoded; values either as Gorilla's XOR of
// successive float64 bit patterns, or, when every value is a decimal number
// with few digits (meters report 230.12 V, 1234.5 W), as scaled integers
// whose deltas compress far better than the floats' bits: bit-packed, or
// predicted and entropy-coded with zstd (the smallest, and slower to make).
// The encoder picks whichever is smaller. Decoding gives back every value
// bit for bit, NaN payloads (Prometheus's stale marker) included.
//
// Thread-safety: free functions without shared state.
#ifndef WATTLINE_AGGREGATOR_STORAGE_CHUNK_CODEC_H_
#define WATTLINE_AGGREGATOR_STORAGE_CHUNK_CODEC_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "aggregator/storage/series_reader.h"
#include "common/status.h"

namespace wattline::aggregator {

// The most samples one chunk holds; the decoder refuses a header claiming
// more before allocating anything.
inline constexpr uint32_t kMaxChunkSamples = 1 << 20;

enum class ChunkEffort {
  kSmallest,  // chunks on disk: written once, kept for weeks
  kFast,      // the ingest log: written on the ingest path, gone within the
              // hour; the zstd encoding is not tried (about 2.5x the time)
};

// Encodes `samples`. REQUIRES: sorted by strictly increasing timestamp,
// 1 <= size <= kMaxChunkSamples.
std::string EncodeChunk(std::span<const SamplePoint> samples,
                        ChunkEffort effort = ChunkEffort::kSmallest);

// Appends the samples of `chunk` to `out`, in timestamp order.
// InvalidArgument (Corruption is for the caller's checksum) on anything
// malformed: truncated, trailing bytes, unknown encoding, too many samples,
// timestamps not strictly increasing. Never reads outside `chunk`; on
// failure `out` is left as it was. Allocates at most 16 bytes per sample the
// header claims, and the header may claim at most 64 per byte of `chunk`;
// a zstd-encoded chunk also takes up to 20 bytes per sample while decoding.
Status DecodeChunk(std::string_view chunk, std::vector<SamplePoint>* out);

// The header alone: how many samples and their time bounds, without
// decoding the rest. Same errors as DecodeChunk for a malformed header.
struct ChunkSummary {
  uint32_t samples = 0;
  int64_t min_timestamp_ms = 0;
  int64_t max_timestamp_ms = 0;
};
Result<ChunkSummary> SummarizeChunk(std::string_view chunk);

// The checksum stored beside every chunk (CRC-32 as zlib computes it), so a
// chunk damaged on disk is detected before it is decoded.
uint32_t ChunkChecksum(std::string_view chunk);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_STORAGE_CHUNK_CODEC_H_
