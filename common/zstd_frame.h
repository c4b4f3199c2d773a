// The zstd adapter: one frame in, one frame out. Converts zstd's size_t error
// codes to Status here and nowhere else.
#ifndef WATTLINE_COMMON_ZSTD_FRAME_H_
#define WATTLINE_COMMON_ZSTD_FRAME_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"

namespace wattline {

// Compresses `data` into one zstd frame that records its content size.
Result<std::string> ZstdCompress(std::string_view data, int level);

// Decompresses exactly one zstd frame. Refuses, before allocating, a frame
// whose declared content size exceeds `max_bytes`; a frame that does not
// declare its size is decompressed in steps and refused once it passes
// `max_bytes`. Trailing bytes after the frame are an error.
Result<std::string> ZstdDecompress(std::string_view frame, size_t max_bytes);

}  // namespace wattline

#endif  // WATTLINE_COMMON_ZSTD_FRAME_H_
