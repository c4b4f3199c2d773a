#include "common/batch_codec.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

#include <climits>
#include <limits>
#include <optional>

#include "proto/batch.pb.h"

namespace wattline {
namespace {

Status ValidateSeries(const SeriesSamples& series) {
  WATTLINE_RETURN_IF_ERROR(ValidateCanonical(series.labels));
  if (series.timestamps_ms.size() != series.values.size()) {
    return Status::InvalidArgument(LabelsToString(series.labels) + ": " +
                                   std::to_string(series.timestamps_ms.size()) +
                                   " timestamps but " + std::to_string(series.values.size()) +
                                   " values");
  }
  if (series.values.empty()) {
    return Status::InvalidArgument(LabelsToString(series.labels) + ": series without samples");
  }
  return Status::Ok();
}

bool AddOverflows(int64_t a, int64_t b, int64_t* out) { return __builtin_add_overflow(a, b, out); }

// The protobuf encoding, before compression.
Result<std::string> SerializeBatch(const Batch& batch) {
  wire::Batch message;
  message.set_agent_id(batch.agent_id);
  message.set_outbox_id(batch.outbox_id);
  message.set_sequence(batch.sequence);
  message.set_sealed_at_ms(batch.sealed_at_ms);
  message.mutable_series()->Reserve(static_cast<int>(batch.series.size()));
  for (const SeriesSamples& series : batch.series) {
    WATTLINE_RETURN_IF_ERROR(ValidateSeries(series).WithContext("encode batch"));
    wire::SeriesColumn* column = message.add_series();
    for (const Label& label : series.labels) {
      wire::Label* out = column->add_labels();
      out->set_name(label.name);
      out->set_value(label.value);
    }
    column->mutable_timestamp_deltas_ms()->Reserve(static_cast<int>(series.timestamps_ms.size()));
    int64_t previous = 0;
    for (int64_t ts : series.timestamps_ms) {
      int64_t delta;
      if (__builtin_sub_overflow(ts, previous, &delta)) {
        return Status::InvalidArgument("encode batch: timestamp delta overflows");
      }
      column->add_timestamp_deltas_ms(delta);
      previous = ts;
    }
    column->mutable_values()->Add(series.values.begin(), series.values.end());
  }
  std::string plain;
  if (!message.SerializeToString(&plain)) return Status::Internal("encode batch: serialize failed");
  return plain;
}

}  // namespace

Result<std::string> EncodeBatch(const Batch& batch, int zstd_level) {
  ZstdCompressor compressor(zstd_level);
  return EncodeBatch(batch, compressor);
}

Result<std::string> EncodeBatch(const Batch& batch, ZstdCompressor& compressor) {
  Result<std::string> plain = SerializeBatch(batch);
  if (!plain.ok()) return plain.status();
  Result<std::string> frame = compressor.Compress(*plain);
  if (!frame.ok()) return frame.status().WithContext("encode batch");
  return frame;
}

Result<Batch> DecodeBatch(std::string_view frame, const BatchLimits& limits) {
  Result<std::string> plain = ZstdDecompress(frame, limits.max_decompressed_bytes);
  if (!plain.ok()) return plain.status().WithContext("decode batch");
  wire::Batch message;
  if (!message.ParseFromString(*plain)) {
    return Status::InvalidArgument("decode batch: not a valid protobuf Batch");
  }
  if (static_cast<size_t>(message.series_size()) > limits.max_series) {
    return Status::ResourceExhausted("decode batch: " + std::to_string(message.series_size()) +
                                     " series, over the limit of " +
                                     std::to_string(limits.max_series));
  }
  Batch batch;
  batch.agent_id = message.agent_id();
  batch.outbox_id = message.outbox_id();
  batch.sequence = message.sequence();
  batch.sealed_at_ms = message.sealed_at_ms();
  batch.series.reserve(message.series_size());
  size_t samples = 0;
  for (const wire::SeriesColumn& column : message.series()) {
    if (static_cast<size_t>(column.labels_size()) > limits.max_labels_per_series) {
      return Status::ResourceExhausted("decode batch: too many labels on one series");
    }
    samples += static_cast<size_t>(column.values_size());
    if (samples > limits.max_samples) {
      return Status::ResourceExhausted("decode batch: over the limit of " +
                                       std::to_string(limits.max_samples) + " samples");
    }
    SeriesSamples series;
    series.labels.reserve(column.labels_size());
    for (const wire::Label& label : column.labels()) {
      if (label.name().size() > limits.max_label_bytes ||
          label.value().size() > limits.max_label_bytes) {
        return Status::ResourceExhausted("decode batch: label over " +
                                         std::to_string(limits.max_label_bytes) + " bytes");
      }
      series.labels.push_back(Label{label.name(), label.value()});
    }
    series.timestamps_ms.reserve(column.timestamp_deltas_ms_size());
    int64_t ts = 0;
    for (int64_t delta : column.timestamp_deltas_ms()) {
      if (AddOverflows(ts, delta, &ts)) {
        return Status::InvalidArgument("decode batch: timestamp overflows");
      }
      series.timestamps_ms.push_back(ts);
    }
    series.values.assign(column.values().begin(), column.values().end());
    WATTLINE_RETURN_IF_ERROR(ValidateSeries(series).WithContext("decode batch"));
    batch.series.push_back(std::move(series));
  }
  return batch;
}

namespace {

// How often field `number` occurs at the top level of `bytes`, found by
// walking the wire format without building the message, so that a count over
// a limit is refused before protobuf allocates for it. nullopt when the bytes
// are not well-formed (ParseFromArray would refuse them too).
std::optional<size_t> CountField(std::string_view bytes, uint32_t number) {
  using google::protobuf::internal::WireFormatLite;
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()),
                                            static_cast<int>(bytes.size()));
  size_t count = 0;
  for (uint32_t tag = in.ReadTag(); tag != 0; tag = in.ReadTag()) {
    if (WireFormatLite::GetTagFieldNumber(tag) == static_cast<int>(number)) ++count;
    if (!WireFormatLite::SkipField(&in, tag)) return std::nullopt;
  }
  if (!in.ConsumedEntireMessage()) return std::nullopt;
  return count;
}

// Parses `bytes` into `message` after checking that repeated field `number`
// occurs at most `max` times. `what` names the message in errors.
template <typename Message>
Status ParseBounded(std::string_view bytes, uint32_t number, size_t max, const char* what,
                    Message* message) {
  if (bytes.size() > static_cast<size_t>(INT_MAX)) {
    return Status::ResourceExhausted(std::string("decode ") + what + ": over 2 GiB");
  }
  std::optional<size_t> count = CountField(bytes, number);
  if (!count.has_value()) {
    return Status::InvalidArgument(std::string("decode ") + what + ": not a valid protobuf " +
                                   what);
  }
  if (*count > max) {
    return Status::ResourceExhausted(std::string("decode ") + what + ": " +
                                     std::to_string(*count) + " batches, over the limit of " +
                                     std::to_string(max));
  }
  if (!message->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Status::InvalidArgument(std::string("decode ") + what + ": not a valid protobuf " +
                                   what);
  }
  return Status::Ok();
}

wire::BatchAck::Outcome ToWire(BatchOutcome outcome) {
  switch (outcome) {
    case BatchOutcome::kStored:
      return wire::BatchAck::STORED;
    case BatchOutcome::kDuplicate:
      return wire::BatchAck::DUPLICATE;
    case BatchOutcome::kRefused:
      return wire::BatchAck::REFUSED;
  }
  return wire::BatchAck::REFUSED;
}

std::optional<BatchOutcome> FromWire(int outcome) {
  switch (outcome) {
    case wire::BatchAck::STORED:
      return BatchOutcome::kStored;
    case wire::BatchAck::DUPLICATE:
      return BatchOutcome::kDuplicate;
    case wire::BatchAck::REFUSED:
      return BatchOutcome::kRefused;
    default:
      return std::nullopt;
  }
}

constexpr uint32_t kUploadBatchesField = 3;     // Upload.batches
constexpr uint32_t kUploadAckBatchesField = 3;  // UploadAck.batches

}  // namespace

Result<std::string> EncodeUpload(const Upload& upload) {
  wire::Upload message;
  message.set_outbox_id(upload.outbox_id);
  message.set_floor_sequence(upload.floor_sequence);
  message.mutable_batches()->Reserve(static_cast<int>(upload.batches.size()));
  for (const UploadBatch& batch : upload.batches) {
    wire::UploadedBatch* out = message.add_batches();
    out->set_frame(batch.frame);
    out->set_time_shift_ms(batch.time_shift_ms);
  }
  std::string bytes;
  if (!message.SerializeToString(&bytes)) {
    return Status::Internal("encode upload: serialize failed");
  }
  return bytes;
}

Result<Upload> DecodeUpload(std::string_view bytes, const UploadLimits& limits) {
  wire::Upload message;
  WATTLINE_RETURN_IF_ERROR(
      ParseBounded(bytes, kUploadBatchesField, limits.max_batches, "Upload", &message));
  Upload upload;
  upload.outbox_id = message.outbox_id();
  upload.floor_sequence = message.floor_sequence();
  upload.batches.reserve(static_cast<size_t>(message.batches_size()));
  for (wire::UploadedBatch& batch : *message.mutable_batches()) {
    // Moved, not copied: the frames are most of the body.
    upload.batches.push_back(UploadBatch{std::move(*batch.mutable_frame()), batch.time_shift_ms()});
  }
  return upload;
}

std::string EncodeUploadAck(const UploadAck& ack) {
  wire::UploadAck message;
  message.set_outbox_id(ack.outbox_id);
  message.set_server_time_ms(ack.server_time_ms);
  message.mutable_batches()->Reserve(static_cast<int>(ack.batches.size()));
  for (const BatchAck& batch : ack.batches) {
    wire::BatchAck* out = message.add_batches();
    out->set_sequence(batch.sequence);
    out->set_outcome(ToWire(batch.outcome));
    out->set_samples_stored(batch.samples_stored);
    out->set_samples_refused(batch.samples_refused);
    out->set_refusal(batch.refusal);
  }
  return message.SerializeAsString();
}

Result<UploadAck> DecodeUploadAck(std::string_view bytes) {
  if (bytes.size() > kMaxUploadAckBytes) {
    return Status::ResourceExhausted("decode upload ack: over " +
                                     std::to_string(kMaxUploadAckBytes) + " bytes");
  }
  wire::UploadAck message;
  WATTLINE_RETURN_IF_ERROR(ParseBounded(bytes, kUploadAckBatchesField,
                                        UploadLimits{}.max_batches, "UploadAck", &message));
  UploadAck ack;
  ack.outbox_id = message.outbox_id();
  ack.server_time_ms = message.server_time_ms();
  ack.batches.reserve(static_cast<size_t>(message.batches_size()));
  for (const wire::BatchAck& batch : message.batches()) {
    std::optional<BatchOutcome> outcome = FromWire(batch.outcome());
    if (!outcome.has_value()) {
      return Status::InvalidArgument("decode upload ack: unknown outcome " +
                                     std::to_string(batch.outcome()));
    }
    if (batch.refusal().size() > kMaxRefusalBytes) {
      return Status::InvalidArgument("decode upload ack: refusal over " +
                                     std::to_string(kMaxRefusalBytes) + " bytes");
    }
    ack.batches.push_back(BatchAck{batch.sequence(), *outcome, batch.samples_stored(),
                                   batch.samples_refused(), batch.refusal()});
  }
  return ack;
}

}  // namespace wattline
