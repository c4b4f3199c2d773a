#include "aggregator/ingest/remote_write.h"

#include <snappy.h>

#include <limits>

#include "aggregator/ingest/series_grouper.h"
#include "proto/remote_write.pb.h"

namespace wattline::aggregator {

Result<std::vector<SeriesSamples>> ParseWriteRequest(std::string_view message) {
  if (message.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    return Status::ResourceExhausted("remote write: request too large to decode");
  }
  prompb::WriteRequest request;
  if (!request.ParseFromArray(message.data(), static_cast<int>(message.size()))) {
    return Status::InvalidArgument("remote write: body is not a protobuf WriteRequest");
  }
  SeriesGrouper grouper;
  for (int i = 0; i < request.timeseries_size(); ++i) {
    const prompb::TimeSeries& in = request.timeseries(i);
    if (in.samples_size() == 0) continue;  // exemplars or histograms only
    Labels labels;
    labels.reserve(static_cast<size_t>(in.labels_size()));
    for (const prompb::Label& label : in.labels()) labels.push_back({label.name(), label.value()});
    Result<size_t> series = grouper.SeriesFor(std::move(labels));
    if (!series.ok()) {
      return series.status().WithContext("remote write: time series " + std::to_string(i));
    }
    for (const prompb::Sample& sample : in.samples()) {
      grouper.Add(*series, sample.timestamp(), sample.value());
    }
  }
  return grouper.Take();
}

Result<std::vector<SeriesSamples>> DecodeRemoteWrite(std::string_view body,
                                                     size_t max_uncompressed_bytes) {
  size_t length = 0;
  if (!snappy::GetUncompressedLength(body.data(), body.size(), &length)) {
    return Status::InvalidArgument("remote write: body is not snappy block-compressed");
  }
  if (length > max_uncompressed_bytes) {
    return Status::ResourceExhausted("remote write: uncompressed body of " +
                                     std::to_string(length) + " bytes is over the limit of " +
                                     std::to_string(max_uncompressed_bytes));
  }
  std::string plain;
  if (!snappy::Uncompress(body.data(), body.size(), &plain)) {
    return Status::InvalidArgument("remote write: body is not valid snappy block data");
  }
  return ParseWriteRequest(plain);
}

std::string EncodeRemoteWrite(const std::vector<RemoteWriteSeries>& series) {
  prompb::WriteRequest request;
  for (const RemoteWriteSeries& one : series) {
    prompb::TimeSeries* out = request.add_timeseries();
    for (const auto& [name, value] : one.labels) {
      prompb::Label* label = out->add_labels();
      label->set_name(name);
      label->set_value(value);
    }
    for (const auto& [timestamp_ms, value] : one.samples) {
      prompb::Sample* sample = out->add_samples();
      sample->set_timestamp(timestamp_ms);
      sample->set_value(value);
    }
  }
  const std::string plain = request.SerializeAsString();
  std::string compressed;
  snappy::Compress(plain.data(), plain.size(), &compressed);
  return compressed;
}

}  // namespace wattline::aggregator
