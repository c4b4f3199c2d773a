// The chunk's zstd-coded encoding (decimal-zstd, encoding 3 in
// docs/formats/chunk.md): timestamps' deltas-of-delta and the scaled
// decimals' differences as zig-zag varints, one byte or more each, in one
// zstd frame. Bit packing spends the widest difference of a block on every
// sample; zstd's entropy coder spends close to what the noise carries.
// Part of the chunk codec (chunk_codec.cc chooses between encodings).
//
// Thread-safety: free functions without shared state.
#ifndef WATTLINE_AGGREGATOR_STORAGE_CHUNK_ZSTD_H_
#define WATTLINE_AGGREGATOR_STORAGE_CHUNK_ZSTD_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "aggregator/storage/chunk_codec.h"
#include "aggregator/storage/series_reader.h"
#include "common/status.h"

namespace wattline::aggregator {

// The body (after the chunk's header) of `samples`, whose values are
// mantissas[i] / 10^exponent bit for bit, with `predictor` (1 to
// kLastZstdPredictor), or with 0 the one that makes it smallest. nullopt if
// zstd fails. REQUIRES: samples as EncodeChunk requires, mantissas.size() ==
// samples.size(), |mantissas[i]| <= 2^53, exponent <= 9.
inline constexpr int kLastZstdPredictor = 5;
std::optional<std::string> EncodeZstdBody(std::span<const SamplePoint> samples, int exponent,
                                          std::span<const int64_t> mantissas, int predictor = 0);

// Fills out[0 .. summary.samples) from `body`. InvalidArgument on anything
// malformed; decompresses at most 20 bytes a sample (the most the varints
// can take), and only a frame declaring the size the body states.
Status DecodeZstdBody(const ChunkSummary& summary, std::string_view body, SamplePoint* out);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_STORAGE_CHUNK_ZSTD_H_
