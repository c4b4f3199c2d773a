// libFuzzer target for what the aggregator decodes from an agent's request
// body (DecodeUpload, then DecodeBatch for each frame) and the agent from the
// aggregator's answer (DecodeUploadAck). The input goes to DecodeBatch twice:
// as the zstd frame itself, which exercises the frame checks, and compressed
// into a frame, so that the protobuf message and its validation are reached
// by mutating the plain bytes. It also goes to DecodeUpload (whose frames go
// to DecodeBatch) and to DecodeUploadAck. None may crash, hang or leak, and
// whatever decodes must survive a round trip: the re-encoded batch decodes
// to a batch that encodes to the same bytes (bytes, not ==, because NaN
// values are legal), and an upload or an ack re-encoded decodes to itself.
// Seeds are plain wattline.wire.Batch messages in common/fuzz_corpus/batch/,
// one zstd frame, an Upload and an UploadAck.
//
// Built by the fuzz build (tests/fuzz/fuzzers.cmake), which also runs the
// protobuf compiler:
//   ninja -C build-fuzz batch_codec_fuzz
//   build-fuzz/tests/fuzz/batch_codec_fuzz common/fuzz_corpus/batch/
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/batch_codec.h"
#include "common/zstd_frame.h"

namespace {

void Require(bool condition) {
  if (!condition) std::abort();
}

void CheckBatchRoundTrip(std::string_view frame) {
  const wattline::Result<wattline::Batch> batch = wattline::DecodeBatch(frame);
  if (!batch.ok()) return;
  const wattline::Result<std::string> encoded = wattline::EncodeBatch(*batch, 1);
  Require(encoded.ok());
  const wattline::Result<wattline::Batch> again = wattline::DecodeBatch(*encoded);
  Require(again.ok());
  Require(again->SampleCount() == batch->SampleCount());
  const wattline::Result<std::string> reencoded = wattline::EncodeBatch(*again, 1);
  Require(reencoded.ok() && *reencoded == *encoded);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  CheckBatchRoundTrip(input);
  const wattline::Result<std::string> framed = wattline::ZstdCompress(input, 1);
  Require(framed.ok());
  CheckBatchRoundTrip(*framed);

  const wattline::Result<wattline::Upload> upload = wattline::DecodeUpload(input);
  if (upload.ok()) {
    for (const wattline::UploadBatch& batch : upload->batches) CheckBatchRoundTrip(batch.frame);
    const wattline::Result<std::string> encoded = wattline::EncodeUpload(*upload);
    Require(encoded.ok());
    const wattline::Result<wattline::Upload> again = wattline::DecodeUpload(*encoded);
    Require(again.ok() && *again == *upload);
  }

  const wattline::Result<wattline::UploadAck> ack = wattline::DecodeUploadAck(input);
  if (ack.ok()) {
    const wattline::Result<wattline::UploadAck> again =
        wattline::DecodeUploadAck(wattline::EncodeUploadAck(*ack));
    Require(again.ok() && *again == *ack);
  }
  return 0;
}
