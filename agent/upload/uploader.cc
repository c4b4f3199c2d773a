#include "agent/upload/uploader.h"

#include "agent/loop/pool_work.h"
#include "common/batch_codec.h"

namespace wattline::agent {

const char* UploadErrorName(UploadError error) {
  switch (error) {
    case UploadError::kTransport:
      return "transport";
    case UploadError::kServer:
      return "server";
    case UploadError::kTooManyRequests:
      return "too_many_requests";
    case UploadError::kRefusedRequest:
      return "refused_request";
    case UploadError::kBadAck:
      return "bad_ack";
  }
  return "unknown";
}

struct Uploader::Exchange {
  std::vector<uint64_t> sequences;  // of the batches sent, in request order
  std::vector<int64_t> sample_counts;
  std::string body;
  int64_t sent_ms = 0;  // boot time, read on the pool thread around the request
  int64_t received_ms = 0;
  Result<HttpResponseData> response = Status::Unavailable("not sent");
};

Uploader::Uploader(uv_loop_t* loop, Outbox* outbox, std::unique_ptr<HttpClient> client,
                   TimeKeeper* time, UploaderOptions options)
    : loop_(loop),
      outbox_(outbox),
      client_(std::move(client)),
      time_(time),
      request_bytes_(options.max_request_bytes),
      backoff_(options.backoff, options.seed),
      cap_(options.max_bytes_per_second),
      wait_timer_(loop) {}

Uploader::~Uploader() { *alive_ = false; }

void Uploader::Start() {
  started_ = true;
  SendNext();
}

void Uploader::Notify() {
  if (started_ && !in_flight_ && !wait_timer_.active()) SendNext();
}

void Uploader::SendNext() {
  if (in_flight_) return;
  const int64_t pace_ms = cap_.DelayMs(time_->NowMonotonicMs());
  if (pace_ms > 0) {
    (void)wait_timer_.Start(pace_ms, 0, [this] { SendNext(); });
    return;
  }
  Result<UploadPlan> plan = outbox_->NextUpload(request_bytes_);
  if (!plan.ok()) return Retry(UploadError::kTransport, plan.status().ToString());
  // Nothing to send: ask for the time if it is not known, else idle until
  // Notify().
  if (plan->batches.empty() && time_->time_known()) return;
  Send(std::move(*plan));
}

void Uploader::Send(UploadPlan plan) {
  auto exchange = std::make_shared<Exchange>();
  Upload upload;
  upload.outbox_id = outbox_->outbox_id();
  upload.floor_sequence = plan.floor_sequence;
  for (PendingBatch& batch : plan.batches) {
    exchange->sequences.push_back(batch.sequence);
    exchange->sample_counts.push_back(batch.sample_count);
    upload.batches.push_back(UploadBatch{std::move(batch.frame), batch.time_shift_ms});
  }
  Result<std::string> body = EncodeUpload(upload);
  if (!body.ok()) return Retry(UploadError::kTransport, body.status().ToString());
  exchange->body = std::move(*body);
  cap_.Spent(static_cast<int64_t>(exchange->body.size()), time_->NowMonotonicMs());

  in_flight_ = true;
  std::shared_ptr<HttpClient> client = client_;
  std::shared_ptr<bool> alive = alive_;
  const Clock* clock = time_;  // NowMonotonicMs() is safe on any thread
  Status queued = QueuePoolWork(
      loop_,
      [exchange, client, clock] {
        exchange->sent_ms = clock->NowMonotonicMs();
        exchange->response =
            client->Post(kUploadPath, exchange->body, "application/x-protobuf", {});
        exchange->received_ms = clock->NowMonotonicMs();
      },
      [this, exchange, alive](Status status) {
        if (!*alive) return;
        in_flight_ = false;
        if (!status.ok()) return Retry(UploadError::kTransport, status.ToString());
        Finish(*exchange);
      });
  if (!queued.ok()) {
    in_flight_ = false;
    Retry(UploadError::kTransport, queued.ToString());
  }
}

void Uploader::Finish(Exchange& exchange) {
  const std::string what = exchange.sequences.empty()
                               ? std::string("time request")
                               : "upload of " + std::to_string(exchange.sequences.size()) +
                                     " batch(es) from " + std::to_string(exchange.sequences[0]);
  if (!exchange.response.ok()) {
    return Retry(UploadError::kTransport, what + ": " + exchange.response.status().ToString());
  }
  const HttpResponseData& response = *exchange.response;
  const int status = response.status;
  const std::string answered = what + ": aggregator answered " + std::to_string(status) + ": " +
                               response.body.substr(0, 200);
  if (status == 429) return Retry(UploadError::kTooManyRequests, answered);
  if (status >= 500 || status == 401 || status == 403 || status == 408) {
    return Retry(UploadError::kServer, answered);
  }
  if (status == 413 && exchange.sequences.size() > 1) {
    // Half of what was refused (not of the limit, which may be far above it).
    request_bytes_ = std::max<size_t>(1, std::min(request_bytes_, exchange.body.size()) / 2);
    return Retry(UploadError::kRefusedRequest,
                 answered + " (requests now up to " + std::to_string(request_bytes_) + " bytes)");
  }
  if (status != 200) {
    // A time request has nothing to park; it is retried like the rest.
    ParkAll(exchange, answered);
    return Retry(UploadError::kRefusedRequest, answered);
  }
  Result<UploadAck> ack = DecodeUploadAck(response.body);
  if (!ack.ok()) return Retry(UploadError::kBadAck, what + ": " + ack.status().ToString());
  if (ack->outbox_id != outbox_->outbox_id() || ack->batches.size() != exchange.sequences.size()) {
    return Retry(UploadError::kBadAck, what + ": the ack answers another upload");
  }
  LearnTime(exchange, ack->server_time_ms);
  if (exchange.sequences.empty() && !time_->time_known()) {
    // Asked for the time and got none: ask again after a back-off, not at once.
    return Retry(UploadError::kBadAck, what + ": the answer carried no time");
  }
  if (!Acknowledge(exchange, *ack)) return;
  backoff_.Reset();
  ++counters_.requests;
  counters_.bytes_sent += exchange.body.size();
  SendNext();
}

bool Uploader::Acknowledge(const Exchange& exchange, const UploadAck& ack) {
  std::vector<uint64_t> done;
  for (size_t i = 0; i < ack.batches.size(); ++i) {
    const BatchAck& answer = ack.batches[i];
    const uint64_t sequence = exchange.sequences[i];
    if (answer.sequence != 0 && answer.sequence != sequence) {
      Retry(UploadError::kBadAck, "ack " + std::to_string(i) + " names batch " +
                                      std::to_string(answer.sequence) + ", not " +
                                      std::to_string(sequence));
      return false;
    }
    counters_.samples_refused += answer.samples_refused;
    if (answer.outcome == BatchOutcome::kRefused) {
      LogWarning("upload", "batch " + std::to_string(sequence) + " refused by the aggregator (" +
                               answer.refusal + "); parked");
      Status parked = outbox_->Park(sequence, answer.refusal);
      if (!parked.ok()) LogError("upload", parked.ToString());
      ++counters_.parked_batches;
      continue;
    }
    done.push_back(sequence);
    ++counters_.batches_sent;
    counters_.samples_sent += static_cast<uint64_t>(exchange.sample_counts[i]);
    if (answer.outcome == BatchOutcome::kDuplicate) ++counters_.duplicate_batches;
  }
  Status deleted = outbox_->Acknowledge(done);
  if (!deleted.ok()) {
    // They stay in the outbox and are sent again: the aggregator answers
    // "duplicate", so nothing is stored twice.
    Retry(UploadError::kTransport, deleted.ToString());
    return false;
  }
  return true;
}

void Uploader::ParkAll(const Exchange& exchange, const std::string& why) {
  for (uint64_t sequence : exchange.sequences) {
    Status parked = outbox_->Park(sequence, why);
    if (!parked.ok()) LogError("upload", parked.ToString());
    ++counters_.parked_batches;
  }
}

void Uploader::LearnTime(const Exchange& exchange, int64_t server_time_ms) {
  counters_.last_server_time_ms = server_time_ms;
  if (!time_->OnServerTime(server_time_ms, exchange.sent_ms, exchange.received_ms)) return;
  Status saved = outbox_->SetClockOffset(time_->boot_id(), *time_->offset_ms());
  if (!saved.ok()) LogError("upload", "cannot save the clock offset: " + saved.ToString());
}

void Uploader::Retry(UploadError error, const std::string& why) {
  ++counters_.errors[static_cast<int>(error)];
  int64_t delay = backoff_.NextDelayMs();
  if (error_log_.Allow(time_->NowMonotonicMs())) {
    std::string line = why + "; retrying in " + std::to_string(delay) + " ms";
    if (error_log_.suppressed() > 0) {
      line += " (" + std::to_string(error_log_.suppressed()) + " similar lines held back)";
    }
    LogWarning("upload", line);
  }
  (void)wait_timer_.Start(delay, 0, [this] { SendNext(); });
}

}  // namespace wattline::agent
