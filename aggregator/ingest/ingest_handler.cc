#include "aggregator/ingest/ingest_handler.h"

#include "common/log.h"

namespace wattline::aggregator {
namespace {

HttpResponse Refuse(int status, std::string message) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(message) + "\n";
  return response;
}

}  // namespace

HttpResponse IngestHandler::Handle(const HttpRequest& request) {
  if (request.peer_identity.empty()) {
    ++counters_->rejected_unauthenticated;
    return Refuse(401, "a client certificate is required");
  }
  if (request.Header("content-encoding") != "zstd") {
    ++counters_->rejected_malformed;
    return Refuse(415, "batches must be sent with Content-Encoding: zstd");
  }
  Result<Batch> batch = DecodeBatch(request.body, limits_);
  if (!batch.ok()) {
    bool oversized = batch.status().code() == Status::Code::kResourceExhausted;
    ++(oversized ? counters_->rejected_oversized : counters_->rejected_malformed);
    return Refuse(oversized ? 413 : 400, batch.status().message());
  }
  Result<AppendResult> stored = store_->Append(request.peer_identity, *batch);
  if (!stored.ok()) {
    ++counters_->storage_errors;
    LogError("ingest", "agent " + request.peer_identity + " batch " +
                           std::to_string(batch->sequence) + ": " + stored.status().ToString());
    return Refuse(503, "storage could not commit the batch; retry later");
  }
  if (stored->duplicate) {
    ++counters_->batches_duplicate;
  } else {
    ++counters_->batches_stored;
    counters_->samples_stored += stored->samples;
  }
  HttpResponse response;
  response.content_type = "application/x-protobuf";
  response.body = EncodeAck(Ack{batch->outbox_id, batch->sequence, stored->duplicate,
                                clock_->NowUnixMs()});
  return response;
}

}  // namespace wattline::aggregator
