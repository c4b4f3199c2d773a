#include "agent/upload/uploader.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <uv.h>

#include <chrono>
#include <deque>
#include <mutex>
#include <set>
#include <thread>

#include "common/batch_codec.h"
#include "common/clock.h"
#include "common/testing/temp_dir.h"

namespace wattline::agent {
namespace {

constexpr int64_t kServerTimeMs = 1'750'000'000'000;
constexpr int kDeadlineMs = 20'000;
constexpr size_t kServer = static_cast<size_t>(UploadError::kServer);
constexpr size_t kTooManyRequests = static_cast<size_t>(UploadError::kTooManyRequests);
constexpr size_t kRefusedRequest = static_cast<size_t>(UploadError::kRefusedRequest);

// What the scripted aggregator answers to one request.
struct Answer {
  int status = 200;
  // For a 200: the outcome of the request's batches by position; batches
  // past the end are stored.
  std::vector<BatchOutcome> outcomes;
  int64_t server_time_ms = kServerTimeMs;
};

// A bare status, for the errors.
Answer Bare(int status) {
  Answer answer;
  answer.status = status;
  return answer;
}

// One request as the aggregator decoded it.
struct Received {
  Upload upload;
  std::vector<uint64_t> sequences;  // of its batches, in request order
  size_t body_bytes = 0;
};

// The aggregator's upload endpoint, answering from a script: an aggregator
// that refuses, throttles or fails on demand. Requests past the script's end
// are acknowledged as stored.
class ScriptedAggregator {
 public:
  ScriptedAggregator() {
    server_.Post(kUploadPath, [this](const httplib::Request& request, httplib::Response& response) {
      Handle(request, response);
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() is a no-op until the server runs.
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~ScriptedAggregator() {
    server_.stop();
    thread_.join();
  }

  std::string origin() const { return "http://127.0.0.1:" + std::to_string(port_); }

  void Script(std::vector<Answer> answers) {
    std::lock_guard lock(mutex_);
    for (Answer& answer : answers) script_.push_back(std::move(answer));
  }
  std::vector<Received> received() const {
    std::lock_guard lock(mutex_);
    return received_;
  }
  size_t requests() const { return received().size(); }
  // Every batch sequence answered 200 with kStored.
  std::multiset<uint64_t> stored() const {
    std::lock_guard lock(mutex_);
    return stored_;
  }

 private:
  void Handle(const httplib::Request& request, httplib::Response& response) {
    Result<Upload> upload = DecodeUpload(request.body);
    if (!upload.ok()) {
      ADD_FAILURE() << "undecodable upload: " << upload.status().ToString();
      response.status = 400;
      return;
    }
    Received got{*upload, {}, request.body.size()};
    for (const UploadBatch& batch : upload->batches) {
      Result<Batch> decoded = DecodeBatch(batch.frame);
      EXPECT_TRUE(decoded.ok()) << decoded.status().ToString();
      got.sequences.push_back(decoded.ok() ? decoded->sequence : 0);
    }
    std::lock_guard lock(mutex_);
    received_.push_back(got);
    Answer answer;
    if (!script_.empty()) {
      answer = script_.front();
      script_.pop_front();
    }
    response.status = answer.status;
    if (answer.status != 200) {
      response.set_content("scripted " + std::to_string(answer.status), "text/plain");
      return;
    }
    UploadAck ack{upload->outbox_id, answer.server_time_ms, {}};
    for (size_t i = 0; i < got.sequences.size(); ++i) {
      BatchAck batch;
      batch.sequence = got.sequences[i];
      batch.outcome = i < answer.outcomes.size() ? answer.outcomes[i] : BatchOutcome::kStored;
      if (batch.outcome == BatchOutcome::kRefused) batch.refusal = "scripted refusal";
      if (batch.outcome == BatchOutcome::kStored) stored_.insert(batch.sequence);
      ack.batches.push_back(batch);
    }
    response.set_content(EncodeUploadAck(ack), "application/x-protobuf");
  }

  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::deque<Answer> script_;
  std::vector<Received> received_;
  std::multiset<uint64_t> stored_;
};

// A batch of one series with `samples` samples ending at `end_ms`: batches
// with the same arguments encode to the same size.
Batch SamplesBatch(int64_t end_ms, int samples = 10) {
  Batch batch;
  batch.agent_id = "test";
  batch.sealed_at_ms = end_ms;
  SeriesSamples series{{{"__name__", "power_watts"}, {"device", "d"}}, {}, {}};
  for (int i = 0; i < samples; ++i) {
    series.timestamps_ms.push_back(end_ms - 1000 * (samples - i));
    series.values.push_back(i * 1.5);
  }
  batch.series.push_back(std::move(series));
  return batch;
}

class UploaderTest : public ::testing::Test {
 protected:
  static constexpr const char* kBoot = "boot-test";

  UploaderTest() {
    EXPECT_EQ(uv_loop_init(&loop_), 0);
    // Wakes the loop so RunUntil() checks its deadline even when idle.
    uv_timer_init(&loop_, &wake_);
    uv_timer_start(
        &wake_, [](uv_timer_t*) {}, 5, 5);
    auto outbox = Outbox::Open(dir_.File("outbox.db"), {}, kBoot);
    EXPECT_TRUE(outbox.ok()) << outbox.status().ToString();
    if (outbox.ok()) outbox_ = std::move(*outbox);
  }
  ~UploaderTest() override {
    uploader_.reset();
    uv_close(reinterpret_cast<uv_handle_t*>(&wake_), nullptr);
    uv_run(&loop_, UV_RUN_DEFAULT);  // the request in flight, the close callbacks
    EXPECT_EQ(uv_loop_close(&loop_), 0) << "a handle was left open";
  }

  // The uploader, with quick back-off; `adjust` changes its options.
  void StartUploader(ClockSync sync = ClockSync::kSystem,
                     const std::function<void(UploaderOptions&)>& adjust = {}) {
    keeper_ = std::make_unique<TimeKeeper>(
        &clock_, sync, [] { return false; }, kBoot, std::nullopt);
    HttpClientOptions http;
    http.origin = aggregator_.origin();
    auto client = HttpClient::Create(http);
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    UploaderOptions options;
    options.backoff = BackoffOptions{.initial_ms = 10, .max_ms = 50};
    options.seed = 1;
    if (adjust) adjust(options);
    uploader_ = std::make_unique<Uploader>(&loop_, outbox_.get(), std::move(*client), keeper_.get(),
                                           options);
    uploader_->Start();
  }

  uint64_t SealTimed() {
    SealTime time;
    time.now_unix_ms = clock_.NowUnixMs();
    time.time_known = true;
    Result<uint64_t> sequence = outbox_->Seal(SamplesBatch(clock_.NowUnixMs()), time);
    EXPECT_TRUE(sequence.ok()) << sequence.status().ToString();
    return sequence.ok() ? *sequence : 0;
  }
  // Seals and tells the running uploader.
  uint64_t SealAndNotify() {
    const uint64_t sequence = SealTimed();
    uploader_->Notify();
    return sequence;
  }

  bool RunUntil(const std::function<bool()>& done, int timeout_ms = kDeadlineMs) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      uv_run(&loop_, UV_RUN_ONCE);
    }
    return true;
  }
  // Runs the loop for a while, for checks that something does not happen.
  void RunFor(int ms) {
    RunUntil([] { return false; }, ms);
  }

  OutboxStats Stats() {
    Result<OutboxStats> stats = outbox_->Stats();
    EXPECT_TRUE(stats.ok()) << stats.status().ToString();
    return stats.ok() ? *stats : OutboxStats{};
  }

  // The size of the newest waiting frame: every batch SealTimed() seals
  // encodes to the same size.
  size_t FrameBytes() {
    Result<UploadPlan> one = outbox_->NextUpload(1);
    EXPECT_TRUE(one.ok() && one->batches.size() == 1u);
    return one.ok() && !one->batches.empty() ? one->batches[0].frame.size() : 0;
  }

  const UploaderCounters& counters() const { return uploader_->counters(); }

  // Declared first: destroyed after the uploader whose request it may answer.
  ScriptedAggregator aggregator_;
  testing::TempDir dir_;
  FakeClock clock_;
  uv_loop_t loop_;
  uv_timer_t wake_;
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<TimeKeeper> keeper_;
  std::unique_ptr<Uploader> uploader_;
};

using Sequences = std::vector<uint64_t>;

TEST_F(UploaderTest, ServerErrorIsRetriedWithTheSameBatch) {
  aggregator_.Script({Bare(503)});
  const uint64_t sequence = SealTimed();
  StartUploader();

  ASSERT_TRUE(RunUntil([&] { return counters().errors[kServer] >= 1; }));
  EXPECT_EQ(counters().errors[kServer], 1u);
  EXPECT_EQ(Stats().batches, 1) << "a 503 deletes nothing";

  ASSERT_TRUE(RunUntil([&] { return counters().batches_sent == 1; }));
  EXPECT_EQ(Stats().batches, 0);
  const std::vector<Received> received = aggregator_.received();
  ASSERT_EQ(received.size(), 2u);
  EXPECT_EQ(received[0].sequences, Sequences{sequence});
  EXPECT_EQ(received[1].sequences, Sequences{sequence});
  EXPECT_EQ(received[1].upload, received[0].upload) << "the retry carries the same bytes";
  EXPECT_EQ(counters().errors[kServer], 1u);
}

TEST_F(UploaderTest, TooManyRequestsIsRetried) {
  aggregator_.Script({Bare(429)});
  const uint64_t sequence = SealTimed();
  StartUploader();

  ASSERT_TRUE(RunUntil([&] { return counters().batches_sent == 1; }));
  EXPECT_EQ(counters().errors[kTooManyRequests], 1u);
  EXPECT_EQ(counters().parked_batches, 0u);
  EXPECT_EQ(aggregator_.stored(), std::multiset<uint64_t>{sequence});
  EXPECT_EQ(Stats().batches, 0);
}

TEST_F(UploaderTest, RefusedRequestParksItsBatches) {
  aggregator_.Script({Bare(400)});
  const uint64_t parked = SealTimed();
  StartUploader();

  ASSERT_TRUE(RunUntil([&] { return counters().parked_batches == 1; }));
  EXPECT_EQ(counters().errors[kRefusedRequest], 1u);
  OutboxStats stats = Stats();
  EXPECT_EQ(stats.parked_batches, 1);
  EXPECT_EQ(stats.batches, 0) << "a parked batch is not waiting";

  const uint64_t later = SealAndNotify();
  ASSERT_TRUE(RunUntil([&] { return counters().batches_sent == 1; }));
  const std::vector<Received> received = aggregator_.received();
  ASSERT_EQ(received.size(), 2u);
  EXPECT_EQ(received[0].sequences, Sequences{parked});
  EXPECT_EQ(received[1].sequences, Sequences{later}) << "the parked batch is never sent again";
  stats = Stats();
  EXPECT_EQ(stats.parked_batches, 1);
  EXPECT_EQ(stats.batches, 0);
}

TEST_F(UploaderTest, RefusedBatchIsParkedAndStoredOneDeleted) {
  aggregator_.Script({Answer{200, {BatchOutcome::kRefused, BatchOutcome::kStored}}});
  SealTimed();
  SealTimed();
  StartUploader();

  ASSERT_TRUE(RunUntil([&] { return counters().requests == 1; }));
  const std::vector<Received> received = aggregator_.received();
  ASSERT_EQ(received.size(), 1u);
  ASSERT_EQ(received[0].sequences.size(), 2u);
  const uint64_t refused = received[0].sequences[0];
  const uint64_t stored = received[0].sequences[1];
  EXPECT_EQ(counters().parked_batches, 1u);
  EXPECT_EQ(counters().batches_sent, 1u);
  EXPECT_EQ(aggregator_.stored(), std::multiset<uint64_t>{stored});
  const OutboxStats stats = Stats();
  EXPECT_EQ(stats.parked_batches, 1);
  EXPECT_EQ(stats.batches, 0) << "the stored batch is deleted";
  // Nothing more is sent: the refused batch stays parked.
  RunFor(200);
  EXPECT_EQ(aggregator_.requests(), 1u);
  EXPECT_NE(refused, stored);
}

TEST_F(UploaderTest, BacklogSendsNewestThenOldest) {
  Sequences sealed;
  for (int i = 0; i < 5; ++i) sealed.push_back(SealTimed());
  const size_t frame_bytes = FrameBytes();
  StartUploader(ClockSync::kSystem, [&](UploaderOptions& options) {
    options.max_request_bytes = 2 * frame_bytes + frame_bytes / 2;
  });

  ASSERT_TRUE(RunUntil([&] { return counters().batches_sent == 5; }));
  const std::vector<Received> received = aggregator_.received();
  ASSERT_EQ(received.size(), 3u);
  EXPECT_EQ(received[0].sequences, (Sequences{sealed[4], sealed[0]}));
  EXPECT_EQ(received[0].upload.floor_sequence, sealed[0]);
  EXPECT_EQ(received[1].sequences, (Sequences{sealed[3], sealed[1]}));
  EXPECT_EQ(received[1].upload.floor_sequence, sealed[1]);
  EXPECT_EQ(received[2].sequences, Sequences{sealed[2]});
  EXPECT_EQ(received[2].upload.floor_sequence, sealed[2]);
  EXPECT_EQ(Stats().batches, 0);
}

TEST_F(UploaderTest, TooLargeHalvesTheRequest) {
  aggregator_.Script({Bare(413)});
  Sequences sealed;
  for (int i = 0; i < 4; ++i) sealed.push_back(SealTimed());
  StartUploader(ClockSync::kSystem, [&](UploaderOptions& options) {
    options.max_request_bytes = 4 * FrameBytes();  // all four, and no more
  });

  ASSERT_TRUE(RunUntil([&] { return counters().batches_sent == 4; }));
  EXPECT_EQ(counters().errors[kRefusedRequest], 1u);
  EXPECT_EQ(counters().parked_batches, 0u) << "a 413 parks nothing while it can split";
  const std::vector<Received> received = aggregator_.received();
  ASSERT_GE(received.size(), 3u);
  EXPECT_EQ(received[0].sequences.size(), 4u);
  EXPECT_LT(received[1].sequences.size(), received[0].sequences.size());
  EXPECT_LE(received[1].body_bytes, received[0].body_bytes / 2 + 64);
  EXPECT_EQ(aggregator_.stored(), std::multiset<uint64_t>(sealed.begin(), sealed.end()))
      << "every batch arrives once";
  EXPECT_EQ(Stats().batches, 0);
}

// docs/durability.md: "a 413 halves the request size": the refused request's,
// not the budget's, which may be far above it (halving the budget would send
// the same request again, refused again, once per halving).
TEST_F(UploaderTest, TooLargeHalvesARequestUnderTheLimit) {
  aggregator_.Script({Bare(413)});
  for (int i = 0; i < 4; ++i) SealTimed();
  StartUploader();  // the default limit, far above four small batches

  ASSERT_TRUE(RunUntil([&] { return counters().batches_sent == 4; }));
  const std::vector<Received> received = aggregator_.received();
  ASSERT_GE(received.size(), 2u);
  EXPECT_EQ(received[0].sequences.size(), 4u);
  EXPECT_LT(received[1].sequences.size(), received[0].sequences.size());
}

TEST_F(UploaderTest, AggregatorTimePlacesProvisionalBatches) {
  clock_.AdvanceMs(60'000);  // a minute after boot
  const int64_t boot_ms = clock_.NowMonotonicMs();
  ASSERT_LT(boot_ms, kProvisionalTimeLimitMs);
  SealTime provisional;
  provisional.provisional_boot = kBoot;
  provisional.now_monotonic_ms = boot_ms;
  Result<uint64_t> sequence = outbox_->Seal(SamplesBatch(boot_ms), provisional);
  ASSERT_TRUE(sequence.ok()) << sequence.status().ToString();
  EXPECT_EQ(Stats().held_batches, 1);
  StartUploader(ClockSync::kAggregator);
  EXPECT_FALSE(keeper_->time_known());

  ASSERT_TRUE(RunUntil([&] { return counters().batches_sent == 1; }));
  const int64_t offset = kServerTimeMs - boot_ms;  // the fake clock stood still
  EXPECT_EQ(keeper_->offset_ms(), offset);
  EXPECT_EQ(counters().last_server_time_ms, kServerTimeMs);
  const std::vector<Received> received = aggregator_.received();
  ASSERT_EQ(received.size(), 2u);
  EXPECT_TRUE(received[0].upload.batches.empty()) << "first, a time request";
  EXPECT_EQ(received[1].sequences, Sequences{*sequence});
  ASSERT_EQ(received[1].upload.batches.size(), 1u);
  EXPECT_EQ(received[1].upload.batches[0].time_shift_ms, offset);
  Result<std::optional<int64_t>> saved = outbox_->ClockOffset(kBoot);
  ASSERT_TRUE(saved.ok()) << saved.status().ToString();
  EXPECT_EQ(*saved, std::optional<int64_t>(offset));
  // Once the time is known and nothing waits, the uploader is quiet.
  RunFor(200);
  EXPECT_EQ(aggregator_.requests(), 2u);
}

TEST_F(UploaderTest, BandwidthCapPacesRequestsOnTheClock) {
  constexpr int64_t kBytesPerSecond = 1000;
  const uint64_t first = SealTimed();
  const uint64_t second = SealTimed();
  StartUploader(ClockSync::kSystem, [](UploaderOptions& options) {
    options.max_request_bytes = 1;  // one batch a request
    options.max_bytes_per_second = kBytesPerSecond;
  });

  ASSERT_TRUE(RunUntil([&] { return counters().requests == 1; }));
  const std::vector<Received> received = aggregator_.received();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].sequences, Sequences{second}) << "newest first";
  const int64_t pace_ms = static_cast<int64_t>(received[0].body_bytes) * 1000 / kBytesPerSecond;
  ASSERT_GT(pace_ms, 1);

  // The cap's delay runs on the uploader's clock: with it standing still
  // nothing more is sent, however long the loop runs.
  RunFor(static_cast<int>(2 * pace_ms + 100));
  EXPECT_EQ(aggregator_.requests(), 1u);
  clock_.AdvanceMs(pace_ms - 1);
  RunFor(static_cast<int>(pace_ms + 100));
  EXPECT_EQ(aggregator_.requests(), 1u) << "released a millisecond early";

  clock_.AdvanceMs(1);
  ASSERT_TRUE(RunUntil([&] { return counters().batches_sent == 2; }));
  const std::vector<Received> all = aggregator_.received();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].sequences, Sequences{first});
}

}  // namespace
}  // namespace wattline::agent
