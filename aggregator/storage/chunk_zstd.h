// The chunk's zstd-coded encodings (decimal-zstd and decimal-zstd-bare,
// encodings 3 and 4 in docs/formats/chunk.md): timestamps' deltas-of-delta and the scaled
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

enum class ZstdBodyForm {
  kStandard,  // encoding 3: a standard zstd frame; predictors 1 .. 5
  kBare,      // encoding 4: a bare frame (chunk_zstd_frame.h); every predictor
};

// The body (after the chunk's header) of `samples`, whose values are
// mantissas[i] / 10^exponent bit for bit, with `predictor`
// (chunk_predict.h, one the form has), or with 0 the one that makes it
// smallest. The encoder writes kBare; kStandard stays for the chunks written
// before it, and for the tests that check they decode. nullopt if zstd
// fails. REQUIRES: samples as EncodeChunk requires, mantissas.size() ==
// samples.size(), |mantissas[i]| <= 2^53, exponent <= 9.
std::optional<std::string> EncodeZstdBody(std::span<const SamplePoint> samples, int exponent,
                                          std::span<const int64_t> mantissas, ZstdBodyForm form,
                                          int predictor = 0);

// Fills out[0 .. summary.samples) from `body`. InvalidArgument on anything
// malformed; decompresses at most 20 bytes a sample (the most the varints
// can take), and only a frame holding the size the body states.
Status DecodeZstdBody(const ChunkSummary& summary, std::string_view body, ZstdBodyForm form,
                      SamplePoint* out);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_STORAGE_CHUNK_ZSTD_H_
