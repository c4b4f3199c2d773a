#include "aggregator/ingest/ingest_handler.h"

#include "aggregator/ingest/request_helpers.h"
#include "aggregator/ingest/sample_time_rules.h"
#include "common/log.h"

namespace wattline::aggregator {
namespace {

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
  const RefusedSamples placed = PlaceInTime(batch->series, in.time_shift_ms, latest_ms);
  tally->samples_before_2000 += placed.before_2000;
  tally->samples_too_far_in_future += placed.too_far_in_future;
  const uint64_t refused = placed.total();
  Result<uint64_t> stored = write.Store(*batch, refused);
  if (!stored.ok()) return stored.status();
  ++tally->batches_stored;
  tally->samples_stored += *stored;
  return BatchAck{batch->sequence, BatchOutcome::kStored, *stored, refused, ""};
}

}  // namespace

HttpRouteOptions IngestHandler::Route() const {
  HttpRouteOptions route;
  route.form_fields = false;
  route.on_refusal = [counters = counters_](int status) {
    ++(status == 413 ? counters->rejected_oversized : counters->rejected_malformed);
  };
  return route;
}

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
    return Refuse(503, "storage could not commit the upload (" + status.ToString() +
                           "); retry later");
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
  Result<StoredBatch> committed = (*write)->Commit();
  if (!committed.ok()) return storage_failed(committed.status());
  tally.samples_overwritten = committed->samples_overwritten;
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
