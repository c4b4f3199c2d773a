#include "common/batch_codec.h"

#include <limits>

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

std::string EncodeAck(const Ack& ack) {
  wire::Ack message;
  message.set_outbox_id(ack.outbox_id);
  message.set_sequence(ack.sequence);
  message.set_duplicate(ack.duplicate);
  message.set_server_time_ms(ack.server_time_ms);
  return message.SerializeAsString();
}

Result<Ack> DecodeAck(std::string_view bytes) {
  if (bytes.size() > 1024) return Status::InvalidArgument("decode ack: oversized");
  wire::Ack message;
  if (!message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Status::InvalidArgument("decode ack: not a valid protobuf Ack");
  }
  return Ack{message.outbox_id(), message.sequence(), message.duplicate(),
             message.server_time_ms()};
}

}  // namespace wattline
