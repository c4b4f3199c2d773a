// The agents' listener against clients that should not get in, and against
// bad input from clients that may: each case runs the real aggregator over
// real mutual TLS.
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "aggregator/ingest/ingest_handler.h"
#include "aggregator/pki/pki.h"
#include "common/batch_codec.h"
#include "common/clock.h"
#include "tests/support/system_stack.h"

namespace wattline::testing {
namespace {

using aggregator::PkiLayout;

constexpr uint64_t kOutbox = 99;

// Two samples of power_watts{device="probe"}, taken a few seconds ago so the
// queries' one-hour window sees them.
std::string ValidFrame(uint64_t sequence) {
  static const int64_t now_ms = SystemClock().NowUnixMs();
  Batch batch;
  batch.outbox_id = kOutbox;
  batch.sequence = sequence;
  batch.series.push_back(SeriesSamples{{{"__name__", "power_watts"}, {"device", "probe"}},
                                       {now_ms - 2000, now_ms - 1000},
                                       {10.5, 11.5}});
  return *EncodeBatch(batch);
}

// An upload body carrying `frames` of outbox kOutbox.
std::string UploadOf(std::vector<std::string> frames) {
  Upload upload{kOutbox, 0, {}};
  for (std::string& frame : frames) upload.batches.push_back(UploadBatch{std::move(frame), 0});
  return *EncodeUpload(upload);
}

// The outcome of the upload's only batch; fails the test unless the
// response is a 200 with a one-batch ack.
BatchOutcome OnlyOutcome(const httplib::Result& result) {
  EXPECT_TRUE(result) << (result ? "" : httplib::to_string(result.error()));
  if (!result) return BatchOutcome::kRefused;
  EXPECT_EQ(result->status, 200) << result->body;
  Result<UploadAck> ack = DecodeUploadAck(result->body);
  EXPECT_TRUE(ack.ok() && ack->batches.size() == 1) << result->body;
  return ack.ok() && ack->batches.size() == 1 ? ack->batches[0].outcome : BatchOutcome::kRefused;
}

class IngestSecurity : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(stack_.StartAggregator().ok()) << stack_.Logs(); }

  // A client of the ingest listener that trusts the aggregator's CA and
  // presents the certificate of `agent` from the PKI in `pki_dir`.
  std::unique_ptr<httplib::Client> ClientFor(const std::string& pki_dir, const std::string& agent) {
    aggregator::AgentIssueOptions issue;
    issue.dir = pki_dir;
    issue.name = agent;
    issue.force = true;
    EXPECT_TRUE(aggregator::IssueAgent(issue).ok());
    auto client = std::make_unique<httplib::Client>(
        "https://localhost:" + std::to_string(stack_.ingest_port()),
        PkiLayout::AgentCert(pki_dir, agent), PkiLayout::AgentKey(pki_dir, agent));
    client->set_ca_cert_path(PkiLayout::CaCert(stack_.pki_dir()).c_str());
    client->enable_server_certificate_verification(true);
    client->set_connection_timeout(std::chrono::seconds(5));
    return client;
  }

  httplib::Result Post(httplib::Client& client, const std::string& body) {
    return client.Post(aggregator::kAgentUploadPath, body, "application/x-protobuf");
  }

  // How many power_watts samples of device "probe" are stored.
  size_t StoredProbeSamples() {
    auto samples = stack_.RawSamples("power_watts{device=\"probe\"}");
    EXPECT_TRUE(samples.ok()) << samples.status().ToString();
    return samples.ok() ? samples->size() : 0;
  }

  SystemStack stack_;
};

TEST_F(IngestSecurity, AgentWithCertificateFromAnotherCaIsRefused) {
  std::string other_pki = stack_.dir().File("other-pki");
  aggregator::PkiInitOptions init;
  init.dir = other_pki;
  ASSERT_TRUE(aggregator::InitPki(init).ok());
  auto intruder = ClientFor(other_pki, "intruder");
  auto result = Post(*intruder, UploadOf({ValidFrame(1)}));
  EXPECT_FALSE(result) << "the TLS handshake must fail, got HTTP " << (result ? result->status : 0);
  EXPECT_EQ(StoredProbeSamples(), 0u);
}

TEST_F(IngestSecurity, ClientWithoutCertificateIsRefused) {
  httplib::Client anonymous("https://localhost:" + std::to_string(stack_.ingest_port()));
  anonymous.set_ca_cert_path(PkiLayout::CaCert(stack_.pki_dir()).c_str());
  anonymous.enable_server_certificate_verification(true);
  auto result = Post(anonymous, UploadOf({ValidFrame(1)}));
  EXPECT_FALSE(result) << "the TLS handshake must fail, got HTTP " << (result ? result->status : 0);
  EXPECT_EQ(StoredProbeSamples(), 0u);
}

TEST_F(IngestSecurity, ReplayedBatchIsStoredOnce) {
  auto agent = ClientFor(stack_.pki_dir(), "probe-agent");
  auto first = Post(*agent, UploadOf({ValidFrame(1)}));
  ASSERT_TRUE(first) << httplib::to_string(first.error()) << "\n" << stack_.Logs();
  EXPECT_EQ(OnlyOutcome(first), BatchOutcome::kStored);
  EXPECT_EQ(OnlyOutcome(Post(*agent, UploadOf({ValidFrame(1)}))), BatchOutcome::kDuplicate);
  EXPECT_EQ(StoredProbeSamples(), 2u);
  // The agent label comes from the certificate.
  auto body = stack_.ApiGet("/api/v1/query", {{"query", "power_watts{device=\"probe\"}[1h]"}});
  ASSERT_TRUE(body.ok());
  EXPECT_NE(body->find("\"agent\":\"probe-agent\""), std::string::npos) << *body;
}

TEST_F(IngestSecurity, ReplayAfterAggregatorRestartIsStillStoredOnce) {
  auto agent = ClientFor(stack_.pki_dir(), "probe-agent");
  ASSERT_EQ(OnlyOutcome(Post(*agent, UploadOf({ValidFrame(1)}))), BatchOutcome::kStored);
  stack_.StopAggregator();
  ASSERT_TRUE(stack_.StartAggregator().ok()) << stack_.Logs();
  auto again = ClientFor(stack_.pki_dir(), "probe-agent");
  EXPECT_EQ(OnlyOutcome(Post(*again, UploadOf({ValidFrame(1)}))), BatchOutcome::kDuplicate);
  EXPECT_EQ(StoredProbeSamples(), 2u);
}

TEST_F(IngestSecurity, MalformedEnvelopeGets400AndChangesNothing) {
  auto agent = ClientFor(stack_.pki_dir(), "probe-agent");
  auto garbage = Post(*agent, "\xff\xff definitely not an upload");
  ASSERT_TRUE(garbage);
  EXPECT_EQ(garbage->status, 400) << garbage->body;
  EXPECT_EQ(StoredProbeSamples(), 0u);
}

TEST_F(IngestSecurity, DamagedFrameIsRefusedAndTheOthersStored) {
  auto agent = ClientFor(stack_.pki_dir(), "probe-agent");
  std::string damaged = ValidFrame(1);
  damaged[damaged.size() / 2] ^= 0x5a;  // damage the compressed payload
  auto result = Post(*agent, UploadOf({damaged, ValidFrame(2)}));
  ASSERT_TRUE(result);
  ASSERT_EQ(result->status, 200) << result->body;
  Result<UploadAck> ack = DecodeUploadAck(result->body);
  ASSERT_TRUE(ack.ok()) << ack.status().ToString();
  ASSERT_EQ(ack->batches.size(), 2u);
  EXPECT_EQ(ack->batches[0].outcome, BatchOutcome::kRefused);
  EXPECT_EQ(ack->batches[1].outcome, BatchOutcome::kStored);
  EXPECT_EQ(StoredProbeSamples(), 2u);
}

TEST_F(IngestSecurity, CompressedBodyGets415AndChangesNothing) {
  auto agent = ClientFor(stack_.pki_dir(), "probe-agent");
  auto result = agent->Post(aggregator::kAgentUploadPath,
                            httplib::Headers{{"Content-Encoding", "zstd"}},
                            UploadOf({ValidFrame(1)}), "application/x-protobuf");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 415) << result->body;
  // gzip is refused by the listener itself, before the body is read (it
  // would otherwise inflate it); both are counted as malformed.
  auto gzipped = agent->Post(aggregator::kAgentUploadPath,
                             httplib::Headers{{"Content-Encoding", "gzip"}},
                             UploadOf({ValidFrame(1)}), "application/x-protobuf");
  ASSERT_TRUE(gzipped);
  EXPECT_EQ(gzipped->status, 415) << gzipped->body;
  EXPECT_EQ(StoredProbeSamples(), 0u);
  EXPECT_EQ(stack_.AggregatorMetric("wattline_ingest_rejected_malformed_total"), 2);
}

TEST_F(IngestSecurity, OversizedBodyGets413AndChangesNothing) {
  auto agent = ClientFor(stack_.pki_dir(), "probe-agent");
  std::string huge(5 << 20, 'x');  // over the default 4 MiB limit
  auto result = Post(*agent, huge);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 413);
  EXPECT_EQ(StoredProbeSamples(), 0u);
  EXPECT_EQ(stack_.AggregatorMetric("wattline_ingest_rejected_oversized_total"), 1)
      << "refused by the listener from its Content-Length, and counted";
}

}  // namespace
}  // namespace wattline::testing
