// Prometheus remote write 1.0 bodies
// (https://prometheus.io/docs/specs/remote_write_spec/): a protobuf
// prometheus.WriteRequest (proto/remote_write.proto) compressed with
// snappy's block format (not the framed format).
//
// Metric names travel as the label "__name__", as everywhere in the
// aggregator; samples are grouped per series (series_grouper.h). NaN
// payloads, such as Prometheus's stale marker, are kept bit for bit.
//
// Errors:
//   ResourceExhausted  the declared uncompressed size is over the limit;
//                      nothing was allocated for it (answer 413)
//   InvalidArgument    not snappy, not a WriteRequest, or a series whose
//                      labels are invalid (answer 400: never retry)
//
// Thread-safety: pure functions.
#ifndef WATTLINE_AGGREGATOR_INGEST_REMOTE_WRITE_H_
#define WATTLINE_AGGREGATOR_INGEST_REMOTE_WRITE_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/batch.h"
#include "common/status.h"

namespace wattline::aggregator {

// Decompresses and decodes a request body. The uncompressed size snappy
// declares is checked against `max_uncompressed_bytes` before decompressing.
[[nodiscard]] Result<std::vector<SeriesSamples>> DecodeRemoteWrite(std::string_view body,
                                                                   size_t max_uncompressed_bytes);

// Decodes an uncompressed WriteRequest.
[[nodiscard]] Result<std::vector<SeriesSamples>> ParseWriteRequest(std::string_view message);

// One time series of a request, as a sender has it.
struct RemoteWriteSeries {
  std::vector<std::pair<std::string, std::string>> labels;
  std::vector<std::pair<int64_t, double>> samples;  // (timestamp ms, value)
};

// A snappy-compressed WriteRequest of `series`, as Prometheus sends it. For
// tests and tools; the aggregator only decodes.
std::string EncodeRemoteWrite(const std::vector<RemoteWriteSeries>& series);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_INGEST_REMOTE_WRITE_H_
