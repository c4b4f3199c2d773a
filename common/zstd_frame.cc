#include "common/zstd_frame.h"

#include <zstd.h>

#include <memory>

namespace wattline {
namespace {

struct DStreamDeleter {
  void operator()(ZSTD_DStream* stream) const { ZSTD_freeDStream(stream); }
};

std::string ZstdError(size_t code) { return ZSTD_getErrorName(code); }

}  // namespace

void ZstdCompressor::ContextDeleter::operator()(ZSTD_CCtx_s* context) const {
  ZSTD_freeCCtx(context);
}

ZstdCompressor::ZstdCompressor(int level) : level_(level) {}
ZstdCompressor::~ZstdCompressor() = default;
ZstdCompressor::ZstdCompressor(ZstdCompressor&&) noexcept = default;
ZstdCompressor& ZstdCompressor::operator=(ZstdCompressor&&) noexcept = default;

Result<std::string> ZstdCompressor::Compress(std::string_view data) {
  if (!context_) {
    context_.reset(ZSTD_createCCtx());
    if (!context_) return Status::ResourceExhausted("zstd: cannot create a compression context");
  }
  std::string out(ZSTD_compressBound(data.size()), '\0');
  // Like ZSTD_compress(): this level's parameters for this size, content size
  // recorded; only the context's memory carries over from the last frame.
  size_t n =
      ZSTD_compressCCtx(context_.get(), out.data(), out.size(), data.data(), data.size(), level_);
  if (ZSTD_isError(n)) return Status::Internal("zstd compress: " + ZstdError(n));
  out.resize(n);
  return out;
}

Result<std::string> ZstdCompress(std::string_view data, int level) {
  return ZstdCompressor(level).Compress(data);
}

Result<std::string> ZstdDecompress(std::string_view frame, size_t max_bytes) {
  size_t frame_size = ZSTD_findFrameCompressedSize(frame.data(), frame.size());
  if (ZSTD_isError(frame_size)) {
    return Status::InvalidArgument("not a zstd frame: " + ZstdError(frame_size));
  }
  if (frame_size != frame.size()) {
    return Status::InvalidArgument("trailing bytes after the zstd frame");
  }
  unsigned long long declared = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (declared == ZSTD_CONTENTSIZE_ERROR) return Status::InvalidArgument("bad zstd frame header");
  if (declared != ZSTD_CONTENTSIZE_UNKNOWN) {
    if (declared > max_bytes) {
      return Status::ResourceExhausted("zstd frame declares " + std::to_string(declared) +
                                       " bytes, over the limit of " + std::to_string(max_bytes));
    }
    std::string out(static_cast<size_t>(declared), '\0');
    size_t n = ZSTD_decompress(out.data(), out.size(), frame.data(), frame.size());
    if (ZSTD_isError(n)) return Status::InvalidArgument("zstd decompress: " + ZstdError(n));
    if (n != declared) return Status::InvalidArgument("zstd frame shorter than it declares");
    return out;
  }
  // Size not declared: stream, and stop as soon as the limit is passed.
  std::unique_ptr<ZSTD_DStream, DStreamDeleter> stream(ZSTD_createDStream());
  if (!stream) return Status::ResourceExhausted("zstd: cannot create a stream");
  std::string out;
  std::string chunk(ZSTD_DStreamOutSize(), '\0');
  ZSTD_inBuffer in{frame.data(), frame.size(), 0};
  size_t remaining = 1;
  while (remaining != 0) {
    ZSTD_outBuffer outbuf{chunk.data(), chunk.size(), 0};
    remaining = ZSTD_decompressStream(stream.get(), &outbuf, &in);
    if (ZSTD_isError(remaining)) {
      return Status::InvalidArgument("zstd decompress: " + ZstdError(remaining));
    }
    if (out.size() + outbuf.pos > max_bytes) {
      return Status::ResourceExhausted("zstd frame inflates past the limit of " +
                                       std::to_string(max_bytes) + " bytes");
    }
    out.append(chunk.data(), outbuf.pos);
    if (remaining != 0 && in.pos == in.size && outbuf.pos == 0) {
      return Status::InvalidArgument("truncated zstd frame");
    }
  }
  return out;
}

}  // namespace wattline
