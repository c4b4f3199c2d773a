#include "aggregator/ingest/write_handler.h"

#include <gtest/gtest.h>

#include <bit>
#include <climits>

#include "aggregator/ingest/remote_write.h"
#include "common/testing/temp_dir.h"

namespace wattline::aggregator {
namespace {

constexpr int64_t kNowMs = 1'700'000'000'000;
constexpr const char* kToken = "s3cret";

class WriteHandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = SampleStore::Open(dir_.File("s.db"), &clock_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    MakeHandler(kToken, 1 << 20);
  }

  void MakeHandler(std::string token, size_t max_write_bytes) {
    WriteOptions options;
    options.token = std::move(token);
    options.max_write_bytes = max_write_bytes;
    options.max_future_ms = 10 * 60 * 1000;
    handler_ = std::make_unique<WriteHandler>(store_.get(), &clock_, options, &counters_);
  }

  static HttpRequest Request(const char* path, std::string body) {
    HttpRequest request;
    request.method = "POST";
    request.path = path;
    request.headers["authorization"] = std::string("Bearer ") + kToken;
    request.body = std::move(body);
    return request;
  }

  static HttpRequest RemoteWrite(const std::vector<RemoteWriteSeries>& series) {
    HttpRequest request = Request(kRemoteWritePath, EncodeRemoteWrite(series));
    request.headers["content-type"] = "application/x-protobuf";
    request.headers["content-encoding"] = "snappy";
    return request;
  }

  static HttpRequest TextImport(std::string text) {
    return Request(kTextImportPath, std::move(text));
  }

  // The samples of the one series `name` names, or none.
  std::vector<SamplePoint> Stored(const std::string& name) {
    auto series =
        store_->Select({*LabelMatcher::Make(LabelMatcher::Type::kEqual, "__name__", name)});
    EXPECT_TRUE(series.ok());
    if (!series.ok() || series->empty()) return {};
    EXPECT_EQ(series->size(), 1u);
    return *store_->ReadSamples((*series)[0].id, INT64_MIN, INT64_MAX);
  }

  size_t StoredSeries() {
    auto series =
        store_->Select({*LabelMatcher::Make(LabelMatcher::Type::kRegexMatch, "__name__", ".+")});
    return series.ok() ? series->size() : 0;
  }

  static uint64_t Answers(const WritePathCounters& counters, int status) {
    for (size_t i = 0; i < std::size(WritePathCounters::kWriteStatusCodes); ++i) {
      if (WritePathCounters::kWriteStatusCodes[i] == status) return counters.requests[i].load();
    }
    return counters.requests[WritePathCounters::kCodeSlots - 1].load();
  }

  testing::TempDir dir_;
  FakeClock clock_{kNowMs};
  WriteCounters counters_;
  std::unique_ptr<SampleStore> store_;
  std::unique_ptr<WriteHandler> handler_;
};

TEST_F(WriteHandlerTest, RemoteWriteIsStoredAndReadableWith204) {
  const uint64_t stale = 0x7ff0000000000002;
  HttpResponse response = handler_->HandleRemoteWrite(
      RemoteWrite({{{{"__name__", "up"}, {"job", "node"}},
                    {{kNowMs - 2000, 1}, {kNowMs - 1000, std::bit_cast<double>(stale)}}}}));
  EXPECT_EQ(response.status, 204) << response.body;
  EXPECT_TRUE(response.body.empty());
  std::vector<SamplePoint> points = Stored("up");
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[0], (SamplePoint{kNowMs - 2000, 1}));
  EXPECT_EQ(points[1].timestamp_ms, kNowMs - 1000);
  EXPECT_EQ(std::bit_cast<uint64_t>(points[1].value), stale);
  EXPECT_EQ(counters_.remote_write.samples_stored, 2u);
  EXPECT_EQ(Answers(counters_.remote_write, 204), 1u);
}

TEST_F(WriteHandlerTest, TextImportIsStoredWithTheServersTimeWhenNoneIsGiven) {
  HttpResponse response = handler_->HandleTextImport(
      TextImport("# TYPE temp gauge\ntemp{room=\"attic\"} 21.5\ntemp{room=\"attic\"} 20 " +
                 std::to_string(kNowMs - 60'000) + "\n"));
  EXPECT_EQ(response.status, 204) << response.body;
  EXPECT_EQ(Stored("temp"), (std::vector<SamplePoint>{{kNowMs - 60'000, 20}, {kNowMs, 21.5}}));
  EXPECT_EQ(counters_.text_import.samples_stored, 2u);
  EXPECT_EQ(Answers(counters_.text_import, 204), 1u);
}

TEST_F(WriteHandlerTest, WithoutATokenConfiguredWritesAre403) {
  MakeHandler("", 1 << 20);
  HttpResponse remote =
      handler_->HandleRemoteWrite(RemoteWrite({{{{"__name__", "m"}}, {{kNowMs, 1}}}}));
  HttpResponse text = handler_->HandleTextImport(TextImport("m 1\n"));
  EXPECT_EQ(remote.status, 403);
  EXPECT_EQ(text.status, 403);
  EXPECT_NE(text.body.find("writes are disabled"), std::string::npos) << text.body;
  EXPECT_NE(text.body.find("api.write_token_file"), std::string::npos) << text.body;
  EXPECT_EQ(StoredSeries(), 0u);
  EXPECT_EQ(Answers(counters_.remote_write, 403), 1u);
  EXPECT_EQ(Answers(counters_.text_import, 403), 1u);
}

TEST_F(WriteHandlerTest, MissingOrWrongTokenIs401) {
  HttpRequest missing = TextImport("m 1\n");
  missing.headers.erase("authorization");
  HttpRequest wrong = TextImport("m 1\n");
  wrong.headers["authorization"] = "Bearer s3cres";
  HttpRequest basic = RemoteWrite({{{{"__name__", "m"}}, {{kNowMs, 1}}}});
  basic.headers["authorization"] = std::string("Basic ") + kToken;
  for (const HttpResponse& response :
       {handler_->HandleTextImport(missing), handler_->HandleTextImport(wrong),
        handler_->HandleRemoteWrite(basic)}) {
    EXPECT_EQ(response.status, 401) << response.body;
    ASSERT_EQ(response.headers.size(), 1u);
    EXPECT_EQ(response.headers[0],
              (std::pair<std::string, std::string>{"WWW-Authenticate", "Bearer"}));
  }
  EXPECT_EQ(StoredSeries(), 0u);
  EXPECT_EQ(Answers(counters_.text_import, 401), 2u);
  EXPECT_EQ(Answers(counters_.remote_write, 401), 1u);
}

TEST_F(WriteHandlerTest, RemoteWriteWithWrongTypeOrEncodingIs415) {
  HttpRequest plain = RemoteWrite({{{{"__name__", "m"}}, {{kNowMs, 1}}}});
  plain.headers.erase("content-encoding");
  HttpRequest gzip = plain;
  gzip.headers["content-encoding"] = "gzip";
  HttpRequest json = RemoteWrite({{{{"__name__", "m"}}, {{kNowMs, 1}}}});
  json.headers["content-type"] = "application/json";
  HttpRequest v2 = RemoteWrite({{{{"__name__", "m"}}, {{kNowMs, 1}}}});
  v2.headers["content-type"] = "application/x-protobuf;proto=io.prometheus.write.v2.Request";
  for (const HttpRequest& request : {plain, gzip, json, v2}) {
    EXPECT_EQ(handler_->HandleRemoteWrite(request).status, 415);
  }
  HttpRequest v1_named = RemoteWrite({{{{"__name__", "m"}}, {{kNowMs, 1}}}});
  v1_named.headers["content-type"] = "application/x-protobuf;proto=prometheus.WriteRequest";
  v1_named.headers["content-encoding"] = "Snappy";
  EXPECT_EQ(handler_->HandleRemoteWrite(v1_named).status, 204);
  EXPECT_EQ(Answers(counters_.remote_write, 415), 4u);
}

TEST_F(WriteHandlerTest, TextImportWithAContentEncodingIs415) {
  HttpRequest request = TextImport("m 1\n");
  request.headers["content-encoding"] = "zstd";
  HttpResponse response = handler_->HandleTextImport(request);
  EXPECT_EQ(response.status, 415);
  EXPECT_EQ(StoredSeries(), 0u);
}

TEST_F(WriteHandlerTest, MalformedRemoteWriteIs400AndStoresNothing) {
  HttpRequest request =
      RemoteWrite({{{{"__name__", "ok"}}, {{kNowMs, 1}}}, {{{"job", "nameless"}}, {{kNowMs, 1}}}});
  HttpResponse response = handler_->HandleRemoteWrite(request);
  EXPECT_EQ(response.status, 400);
  EXPECT_NE(response.body.find("no metric name"), std::string::npos) << response.body;
  request.body = "not snappy at all";
  EXPECT_EQ(handler_->HandleRemoteWrite(request).status, 400);
  EXPECT_EQ(StoredSeries(), 0u);
  EXPECT_EQ(Answers(counters_.remote_write, 400), 2u);
}

TEST_F(WriteHandlerTest, MalformedLineIs400NamingItAndNothingOfTheRequestIsStored) {
  HttpResponse response =
      handler_->HandleTextImport(TextImport("good 1\ngood 2\ngood{a=\"x\" 3\n"));
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.body, "line 3, column 12: expected ',' or '}' after the label value\n");
  EXPECT_EQ(StoredSeries(), 0u);
  EXPECT_EQ(Answers(counters_.text_import, 400), 1u);
}

TEST_F(WriteHandlerTest, BodyOverTheLimitIs413) {
  MakeHandler(kToken, 64);
  HttpResponse text = handler_->HandleTextImport(TextImport(std::string(65, '#')));
  EXPECT_EQ(text.status, 413);
  EXPECT_NE(text.body.find("api.max_write_bytes"), std::string::npos) << text.body;
  EXPECT_EQ(handler_->HandleTextImport(TextImport(std::string(64, '#'))).status, 204);
}

TEST_F(WriteHandlerTest, RemoteWriteDecompressingOverTheLimitIs413) {
  // Compresses to a few hundred bytes; 4 KiB once uncompressed.
  HttpRequest request =
      RemoteWrite({{{{"__name__", "m"}, {"long", std::string(4096, 'x')}}, {{kNowMs, 1}}}});
  MakeHandler(kToken, 1024);
  ASSERT_LT(request.body.size(), 1024u);
  HttpResponse response = handler_->HandleRemoteWrite(request);
  EXPECT_EQ(response.status, 413);
  EXPECT_NE(response.body.find("uncompressed"), std::string::npos) << response.body;
  EXPECT_EQ(StoredSeries(), 0u);
  EXPECT_EQ(Answers(counters_.remote_write, 413), 1u);
}

TEST_F(WriteHandlerTest, SamplesWithImpossibleTimesAreRefusedAndCountedTheRestStored) {
  const int64_t future = kNowMs + 10 * 60 * 1000 + 1;
  HttpResponse remote = handler_->HandleRemoteWrite(RemoteWrite(
      {{{{"__name__", "m"}}, {{5000, 1}, {kNowMs - 1, 2}, {future, 3}, {kNowMs + 600'000, 4}}},
       {{{"__name__", "only_old"}}, {{946'684'799'999, 5}}}}));
  EXPECT_EQ(remote.status, 204) << remote.body;
  EXPECT_EQ(Stored("m"), (std::vector<SamplePoint>{{kNowMs - 1, 2}, {kNowMs + 600'000, 4}}));
  EXPECT_TRUE(Stored("only_old").empty());
  EXPECT_EQ(counters_.remote_write.samples_stored, 2u);
  EXPECT_EQ(counters_.remote_write.samples_refused_before_2000, 2u);
  EXPECT_EQ(counters_.remote_write.samples_refused_too_far_in_future, 1u);

  HttpResponse text =
      handler_->HandleTextImport(TextImport("t 1 -1\nt 2 " + std::to_string(future) + "\nt 3\n"));
  EXPECT_EQ(text.status, 204) << text.body;
  EXPECT_EQ(Stored("t"), (std::vector<SamplePoint>{{kNowMs, 3}}));
  EXPECT_EQ(counters_.text_import.samples_refused_before_2000, 1u);
  EXPECT_EQ(counters_.text_import.samples_refused_too_far_in_future, 1u);
}

TEST_F(WriteHandlerTest, AllSamplesRefusedIsStill204) {
  // The sender must not retry data that will never be accepted.
  HttpResponse response = handler_->HandleTextImport(TextImport("m 1 1000\n"));
  EXPECT_EQ(response.status, 204);
  EXPECT_EQ(StoredSeries(), 0u);
  EXPECT_EQ(counters_.text_import.samples_refused_before_2000, 1u);
}

TEST_F(WriteHandlerTest, ALaterWriteReplacesASampleOfTheSameTime) {
  ASSERT_EQ(handler_->HandleTextImport(TextImport("m 1 " + std::to_string(kNowMs) + "\n")).status,
            204);
  ASSERT_EQ(handler_->HandleRemoteWrite(RemoteWrite({{{{"__name__", "m"}}, {{kNowMs, 2}}}})).status,
            204);
  EXPECT_EQ(Stored("m"), (std::vector<SamplePoint>{{kNowMs, 2}}));
}

}  // namespace
}  // namespace wattline::aggregator
