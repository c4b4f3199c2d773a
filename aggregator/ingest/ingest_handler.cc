#include "aggregator/ingest/ingest_handler.h"

#include <algorithm>
#include <cctype>
#include <limits>

#include "common/log.h"

namespace wattline::aggregator {
namespace {

HttpResponse Refuse(int status, std::string message) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(message) + "\n";
  return response;
}

// The media type without parameters, in lower case.
std::string MediaType(std::string_view content_type) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  std::string out(type);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// A refusal as the ack carries it: printable ASCII (the message may quote
// bytes from the frame, and the ack's string field must stay valid UTF-8)
// within kMaxRefusalBytes.
std::string RefusalText(std::string_view message) {
  std::string out(message.substr(0, kMaxRefusalBytes));
  for (char& c : out) {
    if (c < 0x20 || c > 0x7e) c = '?';
  }
  return out;
}

// What one upload did, added to the counters only once it is committed: an
// upload that fails is sent again and must not count twice.
struct UploadTally {
  uint64_t batches_stored = 0;
  uint64_t batches_duplicate = 0;
  uint64_t batches_refused = 0;
  uint64_t samples_stored = 0;
  uint64_t samples_overwritten = 0;
  uint64_t samples_before_2000 = 0;
  uint64_t samples_too_far_in_future = 0;

  void AddTo(IngestCounters& counters) const {
    counters.batches_stored += batches_stored;
    counters.batches_duplicate += batches_duplicate;
    counters.batches_refused += batches_refused;
    counters.samples_stored += samples_stored;
    counters.samples_overwritten += samples_overwritten;
    counters.samples_refused_before_2000 += samples_before_2000;
    counters.samples_refused_too_far_in_future += samples_too_far_in_future;
  }
};

// Puts the batch's samples in true time: a provisional timestamp (before
// 2000) gets `time_shift_ms` added, a device-stamped one is already true.
// Samples still before 2000, or later than `latest_ms`, are removed and
// counted in `tally`. Returns how many were removed.
uint64_t PlaceInTime(Batch* batch, int64_t time_shift_ms, int64_t latest_ms, UploadTally* tally) {
  uint64_t refused = 0;
  for (SeriesSamples& series : batch->series) {
    size_t kept = 0;
    for (size_t i = 0; i < series.values.size(); ++i) {
      int64_t ts = series.timestamps_ms[i];
      if (ts < kProvisionalTimeLimitMs && __builtin_add_overflow(ts, time_shift_ms, &ts)) {
        // Out of int64 either way: as wrong as a time can be, refused below.
        ts = time_shift_ms > 0 ? std::numeric_limits<int64_t>::max()
                               : std::numeric_limits<int64_t>::min();
      }
      if (ts < kProvisionalTimeLimitMs) {
        ++tally->samples_before_2000;
        ++refused;
      } else if (ts > latest_ms) {
        ++tally->samples_too_far_in_future;
        ++refused;
      } else {
        series.timestamps_ms[kept] = ts;
        series.values[kept] = series.values[i];
        ++kept;
      }
    }
    series.timestamps_ms.resize(kept);
    series.values.resize(kept);
  }
  return refused;
}

BatchAck Refused(uint64_t sequence, std::string_view why, UploadTally* tally) {
  ++tally->batches_refused;
  return BatchAck{sequence, BatchOutcome::kRefused, 0, 0, RefusalText(why)};
}

// Decodes, places in time and stores one batch of the upload. Errors are
// storage's: they fail the whole upload.
Result<BatchAck> IngestBatch(SampleStore::UploadWrite& write, const UploadBatch& in,
                             uint64_t outbox_id, const IngestOptions& options, int64_t now_ms,
                             UploadTally* tally) {
  Result<Batch> batch = DecodeBatch(in.frame, options.batch_limits);
  if (!batch.ok()) return Refused(0, batch.status().message(), tally);
  if (batch->outbox_id != outbox_id) {
    return Refused(batch->sequence,
                   "batch of outbox " + std::to_string(batch->outbox_id) +
                       " in an upload of outbox " + std::to_string(outbox_id),
                   tally);
  }
  Result<bool> stored_before = write.IsStored(batch->sequence);
  if (!stored_before.ok()) return stored_before.status();
  if (*stored_before) {
    ++tally->batches_duplicate;
    return BatchAck{batch->sequence, BatchOutcome::kDuplicate, 0, 0, ""};
  }
  const int64_t latest_ms = now_ms + options.max_future_ms;
  const uint64_t refused = PlaceInTime(&*batch, in.time_shift_ms, latest_ms, tally);
  Result<StoredBatch> stored = write.Store(*batch, refused);
  if (!stored.ok()) return stored.status();
  ++tally->batches_stored;
  tally->samples_stored += stored->samples_stored;
  tally->samples_overwritten += stored->samples_overwritten;
  return BatchAck{batch->sequence, BatchOutcome::kStored, stored->samples_stored, refused, ""};
}

}  // namespace

HttpResponse IngestHandler::Handle(const HttpRequest& request) {
  const std::string& agent = request.peer_identity;
  if (agent.empty()) {
    ++counters_->rejected_unauthenticated;
    return Refuse(401, "a client certificate is required");
  }
  if (MediaType(request.Header("content-type")) != "application/x-protobuf" ||
      !request.Header("content-encoding").empty()) {
    ++counters_->rejected_malformed;
    return Refuse(415, "uploads must be sent as application/x-protobuf without Content-Encoding");
  }
  Result<Upload> upload = DecodeUpload(request.body, options_.upload_limits);
  if (!upload.ok()) {
    bool oversized = upload.status().code() == Status::Code::kResourceExhausted;
    ++(oversized ? counters_->rejected_oversized : counters_->rejected_malformed);
    return Refuse(oversized ? 413 : 400, upload.status().message());
  }
  ++counters_->uploads_received;

  auto storage_failed = [&](const Status& status) {
    ++counters_->storage_errors;
    LogError("ingest", "agent " + agent + " outbox " + std::to_string(upload->outbox_id) +
                           ": " + status.ToString());
    return Refuse(503, "storage could not commit the upload; retry later");
  };
  const int64_t now_ms = clock_->NowUnixMs();
  auto write = store_->BeginUpload(agent, upload->outbox_id, upload->floor_sequence, now_ms);
  if (!write.ok()) return storage_failed(write.status());
  UploadTally tally;
  UploadAck ack;
  ack.outbox_id = upload->outbox_id;
  ack.batches.reserve(upload->batches.size());
  for (const UploadBatch& batch : upload->batches) {
    Result<BatchAck> answer =
        IngestBatch(**write, batch, upload->outbox_id, options_, now_ms, &tally);
    if (!answer.ok()) return storage_failed(answer.status());
    if (answer->outcome == BatchOutcome::kRefused) {
      LogWarning("ingest", "agent " + agent + " outbox " + std::to_string(upload->outbox_id) +
                               " batch " + std::to_string(answer->sequence) +
                               " refused: " + answer->refusal);
    }
    ack.batches.push_back(std::move(*answer));
  }
  Status committed = (*write)->Commit();
  if (!committed.ok()) return storage_failed(committed);
  write->reset();  // releases storage's write lock before the ack is encoded
  tally.AddTo(*counters_);

  // Read after the commit: the time reference is as fresh as it can be.
  ack.server_time_ms = clock_->NowUnixMs();
  HttpResponse response;
  response.content_type = "application/x-protobuf";
  response.body = EncodeUploadAck(ack);
  return response;
}

}  // namespace wattline::aggregator
