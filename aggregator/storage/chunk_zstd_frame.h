// Bare zstd frames for the chunk codec's decimal-zstd-bare encoding
// (encoding 4 in docs/formats/chunk.md): RFC 8878 frames without the magic
// number, the content size, the dictionary id or the checksum. The chunk
// states the decompressed size itself and has its own CRC beside it, so
// those fields are 5 to 8 bytes a chunk that say nothing new.
// common/zstd_frame.h is the adapter for standard frames; this one exists
// because bare frames need zstd's advanced parameters on both sides.
//
// Thread-safety: free functions; each thread keeps its own decompression
// context.
#ifndef WATTLINE_AGGREGATOR_STORAGE_CHUNK_ZSTD_FRAME_H_
#define WATTLINE_AGGREGATOR_STORAGE_CHUNK_ZSTD_FRAME_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

struct ZSTD_CCtx_s;

namespace wattline::aggregator {

// How hard to look for matches. The stream is mostly noise, which zstd's
// literal coder takes; a longer search only pays on counters and steps,
// whose residuals repeat.
enum class BareZstdEffort {
  kFast,  // level 1
  kDeep,  // level 9 with lazy matching and matches of 7 bytes or more:
          // short matches in noise cost more than the literals they replace
};

// Compresses into bare frames, keeping one compression context.
// Thread-safety: one thread at a time.
class BareZstdCompressor {
 public:
  BareZstdCompressor();
  ~BareZstdCompressor();
  BareZstdCompressor(const BareZstdCompressor&) = delete;
  BareZstdCompressor& operator=(const BareZstdCompressor&) = delete;

  // Errors: ResourceExhausted when the context cannot be allocated;
  // Internal when zstd fails.
  Result<std::string> Compress(std::string_view data, BareZstdEffort effort);

 private:
  struct ContextDeleter {
    void operator()(ZSTD_CCtx_s* context) const;
  };
  std::unique_ptr<ZSTD_CCtx_s, ContextDeleter> context_;
};

// Decompresses the one bare frame that is all of `frame` into exactly `size`
// bytes, written straight into the result (no window buffer: a damaged
// window size allocates nothing). InvalidArgument when the frame is damaged,
// holds more or fewer than `size` bytes, or is followed by anything.
Result<std::string> BareZstdDecompress(std::string_view frame, size_t size);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_STORAGE_CHUNK_ZSTD_FRAME_H_
