// The zstd adapter: one frame in, one frame out. Converts zstd's size_t error
// codes to Status here and nowhere else.
#ifndef WATTLINE_COMMON_ZSTD_FRAME_H_
#define WATTLINE_COMMON_ZSTD_FRAME_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

struct ZSTD_CCtx_s;  // zstd.h's ZSTD_CCtx, kept out of this header

namespace wattline {

// Compresses into zstd frames that record their content size, at one level,
// keeping its compression context from frame to frame. The context's
// workspace (hash and chain tables: several hundred KiB at level 3) is
// allocated at the first Compress() and reused, instead of being allocated
// and freed for every frame as ZstdCompress() does; a long-lived owner that
// compresses periodically (the agent's outbox) keeps one.
//
// Thread-safety: not thread-safe. One owner uses it from one thread at a
// time; frames from separate compressors are independent.
class ZstdCompressor {
 public:
  explicit ZstdCompressor(int level);
  ~ZstdCompressor();
  ZstdCompressor(ZstdCompressor&&) noexcept;
  ZstdCompressor& operator=(ZstdCompressor&&) noexcept;

  // The same frame ZstdCompress(data, level) returns.
  // Errors: ResourceExhausted when the context cannot be allocated (a later
  // call tries again); Internal when zstd fails.
  Result<std::string> Compress(std::string_view data);

 private:
  struct ContextDeleter {
    void operator()(ZSTD_CCtx_s* context) const;
  };

  int level_;
  std::unique_ptr<ZSTD_CCtx_s, ContextDeleter> context_;  // null until first needed
};

// Compresses `data` into one zstd frame that records its content size, with a
// context allocated for this call alone.
Result<std::string> ZstdCompress(std::string_view data, int level);

// Decompresses exactly one zstd frame. Refuses, before allocating, a frame
// whose declared content size exceeds `max_bytes`; a frame that does not
// declare its size is decompressed in steps and refused once it passes
// `max_bytes`. Trailing bytes after the frame are an error.
Result<std::string> ZstdDecompress(std::string_view frame, size_t max_bytes);

}  // namespace wattline

#endif  // WATTLINE_COMMON_ZSTD_FRAME_H_
