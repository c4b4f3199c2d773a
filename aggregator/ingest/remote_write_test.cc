#include "aggregator/ingest/remote_write.h"

#include <gtest/gtest.h>
#include <snappy.h>

#include <bit>
#include <cstdint>

namespace wattline::aggregator {
namespace {

constexpr size_t kLimit = 1 << 20;

std::vector<SeriesSamples> Decode(const std::string& body) {
  Result<std::vector<SeriesSamples>> series = DecodeRemoteWrite(body, kLimit);
  EXPECT_TRUE(series.ok()) << series.status().ToString();
  return series.ok() ? *series : std::vector<SeriesSamples>{};
}

Status ErrorOf(const std::string& body, size_t limit = kLimit) {
  Result<std::vector<SeriesSamples>> series = DecodeRemoteWrite(body, limit);
  EXPECT_FALSE(series.ok());
  return series.ok() ? Status::Ok() : series.status();
}

TEST(RemoteWrite, DecodesSeriesWithTheMetricNameAsALabel) {
  auto series =
      Decode(EncodeRemoteWrite({{{{"job", "node"}, {"__name__", "up"}, {"instance", "pi:9100"}},
                                 {{1'700'000'000'000, 1}, {1'700'000'015'000, 0}}}}));
  ASSERT_EQ(series.size(), 1u);
  EXPECT_EQ(series[0].labels,
            (Labels{{"__name__", "up"}, {"instance", "pi:9100"}, {"job", "node"}}));
  EXPECT_EQ(series[0].timestamps_ms, (std::vector<int64_t>{1'700'000'000'000, 1'700'000'015'000}));
  EXPECT_EQ(series[0].values, (std::vector<double>{1, 0}));
}

TEST(RemoteWrite, KeepsTheStaleMarkersNanBits) {
  // Prometheus's staleness marker (value.StaleNaN).
  const uint64_t stale_bits = 0x7ff0000000000002;
  auto series = Decode(EncodeRemoteWrite(
      {{{{"__name__", "up"}}, {{1'700'000'000'000, std::bit_cast<double>(stale_bits)}}}}));
  ASSERT_EQ(series.size(), 1u);
  ASSERT_EQ(series[0].values.size(), 1u);
  EXPECT_EQ(std::bit_cast<uint64_t>(series[0].values[0]), stale_bits);
}

TEST(RemoteWrite, MergesASeriesSentTwiceSortedWithTheLastDuplicateWinning) {
  auto series = Decode(EncodeRemoteWrite({
      {{{"__name__", "m"}, {"a", "1"}}, {{3000, 3}, {1000, 1}}},
      {{{"__name__", "m"}, {"a", "2"}}, {{1000, 9}}},
      {{{"a", "1"}, {"__name__", "m"}}, {{2000, 2}, {1000, 11}}},
  }));
  ASSERT_EQ(series.size(), 2u);
  EXPECT_EQ(series[0].labels, (Labels{{"__name__", "m"}, {"a", "1"}}));
  EXPECT_EQ(series[0].timestamps_ms, (std::vector<int64_t>{1000, 2000, 3000}));
  EXPECT_EQ(series[0].values, (std::vector<double>{11, 2, 3}));
}

TEST(RemoteWrite, DropsEmptyLabelValuesAndSeriesWithoutSamples) {
  auto series = Decode(EncodeRemoteWrite({
      {{{"__name__", "m"}, {"empty", ""}}, {{1000, 1}}},
      {{{"__name__", "metadata_only"}}, {}},
  }));
  ASSERT_EQ(series.size(), 1u);
  EXPECT_EQ(series[0].labels, (Labels{{"__name__", "m"}}));
}

TEST(RemoteWrite, RefusesASeriesWithoutMetricName) {
  Status error = ErrorOf(
      EncodeRemoteWrite({{{{"__name__", "ok"}}, {{1000, 1}}}, {{{"job", "x"}}, {{1000, 1}}}}));
  EXPECT_EQ(error.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(error.message().find("time series 1"), std::string::npos) << error.message();
  EXPECT_NE(error.message().find("no metric name"), std::string::npos) << error.message();
}

TEST(RemoteWrite, RefusesRepeatedAndInvalidLabelNames) {
  Status repeated =
      ErrorOf(EncodeRemoteWrite({{{{"__name__", "m"}, {"a", "1"}, {"a", "2"}}, {{1000, 1}}}}));
  EXPECT_NE(repeated.message().find("repeated label name"), std::string::npos)
      << repeated.message();
  Status invalid = ErrorOf(EncodeRemoteWrite({{{{"__name__", "m"}, {"a-b", "1"}}, {{1000, 1}}}}));
  EXPECT_NE(invalid.message().find("invalid label name"), std::string::npos) << invalid.message();
}

TEST(RemoteWrite, RefusesABodyThatIsNotSnappy) {
  EXPECT_EQ(ErrorOf("").code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(ErrorOf("\xff\xff\xff\xff\xff\xff").code(), Status::Code::kInvalidArgument);
}

TEST(RemoteWrite, RefusesTheFramedSnappyFormat) {
  // A stream identifier chunk, then a compressed-data chunk: what
  // snappy's framing would send. Remote write is the block format.
  std::string framed("\xff\x06\x00\x00sNaPpY", 10);
  framed += std::string("\x00\x05\x00\x00", 4) + "abcde";
  EXPECT_EQ(ErrorOf(framed).code(), Status::Code::kInvalidArgument);
}

TEST(RemoteWrite, RefusesSnappyOfSomethingElseThanAWriteRequest) {
  std::string compressed;
  std::string garbage = "\x0a\xff\xff\xff\xff\x0f not a protobuf";
  snappy::Compress(garbage.data(), garbage.size(), &compressed);
  Status error = ErrorOf(compressed);
  EXPECT_EQ(error.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(error.message().find("not a protobuf WriteRequest"), std::string::npos);
}

TEST(RemoteWrite, RefusesADeclaredSizeOverTheLimitBeforeDecompressing) {
  // A 6-byte body declaring 3.75 GiB: refused from the varint alone.
  std::string bomb("\x80\x80\x80\x80\x0f", 5);
  bomb += '\0';
  Status error = ErrorOf(bomb);
  EXPECT_EQ(error.code(), Status::Code::kResourceExhausted);
  EXPECT_NE(error.message().find("4026531840 bytes"), std::string::npos) << error.message();

  std::string body = EncodeRemoteWrite({{{{"__name__", "m"}}, {{1000, 1}, {2000, 2}}}});
  size_t length = 0;
  ASSERT_TRUE(snappy::GetUncompressedLength(body.data(), body.size(), &length));
  EXPECT_EQ(ErrorOf(body, length - 1).code(), Status::Code::kResourceExhausted);
  EXPECT_TRUE(DecodeRemoteWrite(body, length).ok());
}

TEST(RemoteWrite, AnEmptyRequestHasNoSeries) { EXPECT_TRUE(Decode(EncodeRemoteWrite({})).empty()); }

}  // namespace
}  // namespace wattline::aggregator
