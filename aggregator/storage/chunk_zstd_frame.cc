#include "aggregator/storage/chunk_zstd_frame.h"

// The frame format and the stable output buffer are zstd's advanced
// parameters: libzstd.so resolves them by value through the stable
// ZSTD_{C,D}Ctx_setParameter entry points.
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>
#include <zstd_errors.h>

namespace wattline::aggregator {
namespace {

struct DCtxDeleter {
  void operator()(ZSTD_DCtx* context) const { ZSTD_freeDCtx(context); }
};

Status Check(size_t code, const char* what) {
  if (ZSTD_isError(code)) return Status::Internal(std::string(what) + ZSTD_getErrorName(code));
  return Status::Ok();
}

Status SetParameters(ZSTD_CCtx* c, BareZstdEffort effort) {
  WATTLINE_RETURN_IF_ERROR(
      Check(ZSTD_CCtx_reset(c, ZSTD_reset_session_and_parameters), "zstd reset: "));
  const bool deep = effort == BareZstdEffort::kDeep;
  const std::pair<ZSTD_cParameter, int> parameters[] = {
      {ZSTD_c_compressionLevel, deep ? 9 : 1},
      {ZSTD_c_format, ZSTD_f_zstd1_magicless},
      {ZSTD_c_contentSizeFlag, 0},
      {ZSTD_c_checksumFlag, 0},
      {ZSTD_c_dictIDFlag, 0},
  };
  for (const auto& [parameter, value] : parameters) {
    WATTLINE_RETURN_IF_ERROR(Check(ZSTD_CCtx_setParameter(c, parameter, value), "zstd param: "));
  }
  if (deep) {
    WATTLINE_RETURN_IF_ERROR(
        Check(ZSTD_CCtx_setParameter(c, ZSTD_c_strategy, ZSTD_lazy2), "zstd param: "));
    WATTLINE_RETURN_IF_ERROR(Check(ZSTD_CCtx_setParameter(c, ZSTD_c_minMatch, 7), "zstd param: "));
  }
  return Status::Ok();
}

// One per thread: a context is about 100 KiB, and decoding a chunk takes
// tens of microseconds, which allocating one each time would add to.
ZSTD_DCtx* ThreadDecompressor() {
  thread_local std::unique_ptr<ZSTD_DCtx, DCtxDeleter> context;
  if (!context) {
    context.reset(ZSTD_createDCtx());
    if (!context) return nullptr;
  }
  if (ZSTD_isError(ZSTD_DCtx_reset(context.get(), ZSTD_reset_session_and_parameters)) ||
      ZSTD_isError(ZSTD_DCtx_setParameter(context.get(), ZSTD_d_format, ZSTD_f_zstd1_magicless)) ||
      ZSTD_isError(ZSTD_DCtx_setParameter(context.get(), ZSTD_d_stableOutBuffer, 1))) {
    return nullptr;
  }
  return context.get();
}

}  // namespace

void BareZstdCompressor::ContextDeleter::operator()(ZSTD_CCtx_s* context) const {
  ZSTD_freeCCtx(context);
}

BareZstdCompressor::BareZstdCompressor() = default;
BareZstdCompressor::~BareZstdCompressor() = default;

Result<std::string> BareZstdCompressor::Compress(std::string_view data, BareZstdEffort effort) {
  if (!context_) {
    context_.reset(ZSTD_createCCtx());
    if (!context_) return Status::ResourceExhausted("zstd: cannot create a compression context");
  }
  WATTLINE_RETURN_IF_ERROR(SetParameters(context_.get(), effort));
  std::string out(ZSTD_compressBound(data.size()), '\0');
  const size_t n = ZSTD_compress2(context_.get(), out.data(), out.size(), data.data(), data.size());
  WATTLINE_RETURN_IF_ERROR(Check(n, "zstd compress: "));
  out.resize(n);
  return out;
}

Result<std::string> BareZstdDecompress(std::string_view frame, size_t size) {
  ZSTD_DCtx* context = ThreadDecompressor();
  if (!context) return Status::ResourceExhausted("zstd: cannot create a decompression context");
  std::string out(size, '\0');
  ZSTD_inBuffer in{frame.data(), frame.size(), 0};
  ZSTD_outBuffer dst{out.data(), out.size(), 0};
  // With the whole frame given and the output stable, one call decodes all
  // of it; zstd refuses output past `size` rather than buffering it.
  const size_t left = ZSTD_decompressStream(context, &dst, &in);
  if (ZSTD_isError(left) && ZSTD_getErrorCode(left) == ZSTD_error_dstSize_tooSmall) {
    return Status::InvalidArgument("zstd frame holds more than " + std::to_string(size) + " bytes");
  }
  if (ZSTD_isError(left)) {
    return Status::InvalidArgument(std::string("zstd decompress: ") + ZSTD_getErrorName(left));
  }
  if (left != 0) return Status::InvalidArgument("truncated zstd frame");
  if (in.pos != in.size) return Status::InvalidArgument("trailing bytes after the zstd frame");
  if (dst.pos != size) {
    return Status::InvalidArgument("zstd frame holds " + std::to_string(dst.pos) + " bytes, not " +
                                   std::to_string(size));
  }
  return out;
}

}  // namespace wattline::aggregator
