// Encoding of batches, uploads and their acks for the wire and the agent's
// outbox. docs/formats/batch.md is the grammar; this is its only
// implementation.
//
// A batch (in the outbox and inside an upload) is one zstd frame whose
// content is the protobuf message wattline.wire.Batch (proto/batch.proto).
// An upload is a bare protobuf wattline.wire.Upload that carries those frames
// as they are (compressing them again would gain nothing), and its answer a
// bare protobuf wattline.wire.UploadAck: it is small.
//
// Thread-safety: all functions are pure and may be called from any thread,
// except that the EncodeBatch() taking a ZstdCompressor uses it, which only
// its owner's thread may do (common/zstd_frame.h).
#ifndef WATTLINE_COMMON_BATCH_CODEC_H_
#define WATTLINE_COMMON_BATCH_CODEC_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "common/batch.h"
#include "common/status.h"
#include "common/zstd_frame.h"

namespace wattline {

// Bounds on what DecodeBatch accepts, checked before allocating.
struct BatchLimits {
  size_t max_decompressed_bytes = 16 << 20;
  size_t max_series = 100'000;
  size_t max_samples = 4'000'000;
  size_t max_labels_per_series = 64;
  size_t max_label_bytes = 4096;  // name or value
};

inline constexpr int kDefaultZstdLevel = 3;

// REQUIRES: every series has canonical labels and columns of one length.
// Fails (InvalidArgument) when it has not, so nothing malformed is sealed.
Result<std::string> EncodeBatch(const Batch& batch, int zstd_level = kDefaultZstdLevel);

// The same, compressing with `compressor` (and its level), whose context is
// reused from batch to batch: for whoever seals repeatedly.
Result<std::string> EncodeBatch(const Batch& batch, ZstdCompressor& compressor);

// Decodes and validates a zstd-framed batch: canonical labels, columns of
// one length, timestamps that do not overflow, everything within `limits`.
// Errors: InvalidArgument (malformed), ResourceExhausted (over a limit).
Result<Batch> DecodeBatch(std::string_view frame, const BatchLimits& limits = {});

// Bounds on what DecodeUpload accepts, checked before allocating. The frames'
// bytes are bounded by the body, whose size the HTTP layer caps.
struct UploadLimits {
  size_t max_batches = 4096;
};

// The longest BatchAck::refusal DecodeUploadAck accepts; whoever builds an
// ack keeps refusals within it, in printable ASCII.
inline constexpr size_t kMaxRefusalBytes = 256;
// The largest UploadAck DecodeUploadAck accepts: 4096 batches with refusals
// of kMaxRefusalBytes fit.
inline constexpr size_t kMaxUploadAckBytes = 2 << 20;

// Errors: Internal when protobuf cannot serialize it (over 2 GiB).
Result<std::string> EncodeUpload(const Upload& upload);

// Decodes the envelope only; each frame is decoded later with DecodeBatch, so
// a bad frame costs its own batch, not the upload.
// Errors: InvalidArgument (not a protobuf Upload), ResourceExhausted (more
// than limits.max_batches batches).
Result<Upload> DecodeUpload(std::string_view bytes, const UploadLimits& limits = {});

std::string EncodeUploadAck(const UploadAck& ack);

// Errors: InvalidArgument (not a protobuf UploadAck, an unknown outcome, a
// refusal over kMaxRefusalBytes), ResourceExhausted (over kMaxUploadAckBytes
// or UploadLimits{}.max_batches batches).
Result<UploadAck> DecodeUploadAck(std::string_view bytes);

}  // namespace wattline

#endif  // WATTLINE_COMMON_BATCH_CODEC_H_
