#include "agent/upload/uploader.h"

#include "agent/loop/pool_work.h"
#include "common/batch_codec.h"

namespace wattline::agent {

struct Uploader::Exchange {
  SealedBatch batch;
  Result<HttpResponseData> response = Status::Unavailable("not sent");
};

Uploader::Uploader(uv_loop_t* loop, Outbox* outbox, std::unique_ptr<HttpClient> client,
                   const Clock* clock, UploaderOptions options)
    : loop_(loop),
      outbox_(outbox),
      client_(std::move(client)),
      clock_(clock),
      backoff_(options.backoff, options.seed),
      retry_timer_(loop) {}

Uploader::~Uploader() { *alive_ = false; }

void Uploader::Start() {
  started_ = true;
  SendNext();
}

void Uploader::Notify() {
  if (started_ && !in_flight_ && !retry_timer_.active()) SendNext();
}

void Uploader::SendNext() {
  if (in_flight_) return;
  Result<std::vector<SealedBatch>> oldest = outbox_->Oldest(1);
  if (!oldest.ok()) return Retry(oldest.status().ToString());
  if (oldest->empty()) return;  // idle until Notify()

  auto exchange = std::make_shared<Exchange>();
  exchange->batch = std::move(oldest->front());
  in_flight_ = true;
  std::shared_ptr<HttpClient> client = client_;
  std::shared_ptr<bool> alive = alive_;
  Status queued = QueuePoolWork(
      loop_,
      [exchange, client] {
        exchange->response =
            client->Post(kBatchPath, exchange->batch.frame, "application/x-protobuf",
                         {{"Content-Encoding", "zstd"}});
      },
      [this, exchange, alive](Status status) {
        if (!*alive) return;
        in_flight_ = false;
        if (!status.ok()) return Retry(status.ToString());
        Finish(*exchange);
      });
  if (!queued.ok()) {
    in_flight_ = false;
    Retry(queued.ToString());
  }
}

void Uploader::Finish(const Exchange& exchange) {
  const SealedBatch& batch = exchange.batch;
  std::string what = "batch " + std::to_string(batch.sequence);
  if (!exchange.response.ok()) return Retry(what + ": " + exchange.response.status().ToString());
  const HttpResponseData& response = *exchange.response;
  if (response.status != 200) {
    std::string body = response.body.substr(0, 200);
    return Retry(what + ": aggregator answered " + std::to_string(response.status) + ": " + body);
  }
  Result<Ack> ack = DecodeAck(response.body);
  if (!ack.ok()) return Retry(what + ": " + ack.status().ToString());
  if (ack->sequence != batch.sequence || ack->outbox_id != outbox_->outbox_id()) {
    return Retry(what + ": ack names another batch (" + std::to_string(ack->sequence) + ")");
  }
  Status deleted = outbox_->Acknowledge(batch.sequence);
  if (!deleted.ok()) return Retry(deleted.ToString());
  backoff_.Reset();
  ++counters_.batches_sent;
  counters_.samples_sent += static_cast<uint64_t>(batch.sample_count);
  if (ack->duplicate) ++counters_.duplicate_acks;
  counters_.last_server_time_ms = ack->server_time_ms;
  SendNext();
}

void Uploader::Retry(const std::string& why) {
  ++counters_.send_errors;
  int64_t delay = backoff_.NextDelayMs();
  if (error_log_.Allow(clock_->NowMonotonicMs())) {
    std::string line = why + "; retrying in " + std::to_string(delay) + " ms";
    if (error_log_.suppressed() > 0) {
      line += " (" + std::to_string(error_log_.suppressed()) + " similar lines held back)";
    }
    LogWarning("upload", line);
  }
  (void)retry_timer_.Start(delay, 0, [this] { SendNext(); });
}

}  // namespace wattline::agent
