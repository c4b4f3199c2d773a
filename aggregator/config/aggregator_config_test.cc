#include "aggregator/config/aggregator_config.h"

#include <gtest/gtest.h>

namespace wattline::aggregator {
namespace {

TEST(AggregatorConfig, EmptyConfigGivesDocumentedDefaults) {
  auto config = ParseAggregatorConfig("", "a.yaml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->api_listen.host, "127.0.0.1");
  EXPECT_EQ(config->api_listen.port, 9780);
  EXPECT_EQ(config->ingest_listen.port, 9781);
  EXPECT_EQ(config->data_dir, "/var/lib/wattline-aggregator");
  EXPECT_EQ(config->max_upload_bytes, 4 << 20);
  EXPECT_EQ(config->max_future_ms, 10 * 60 * 1000);
}

TEST(AggregatorConfig, ReadsIngestLimits) {
  auto config = ParseAggregatorConfig(
      "ingest:\n  max_upload_bytes: 1024\n  max_future: 1h\n", "a.yaml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->max_upload_bytes, 1024);
  EXPECT_EQ(config->max_future_ms, 3'600'000);
  EXPECT_FALSE(ParseAggregatorConfig("ingest:\n  max_batch_bytes: 1024\n", "a.yaml").ok())
      << "the old name is gone, not silently ignored";
}

TEST(AggregatorConfig, ReadsSections) {
  auto config = ParseAggregatorConfig(
      "data_dir: /tmp/x\ningest:\n  listen: \"[::1]:0\"\n  pki_dir: /p\napi:\n  listen: 0.0.0.0:1\n",
      "a.yaml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->data_dir, "/tmp/x");
  EXPECT_EQ(config->ingest_listen.host, "::1");
  EXPECT_EQ(config->ingest_listen.port, 0);
  EXPECT_EQ(config->pki_dir, "/p");
  EXPECT_EQ(config->api_listen.port, 1);
}

TEST(AggregatorConfig, RefusesUnknownOptionsAndBadPorts) {
  EXPECT_FALSE(ParseAggregatorConfig("datadir: /x\n", "a.yaml").ok());
  EXPECT_FALSE(ParseAggregatorConfig("api:\n  listen: host:99999\n", "a.yaml").ok());
  EXPECT_FALSE(ParseAggregatorConfig("api:\n  listen: nohost\n", "a.yaml").ok());
  EXPECT_FALSE(ParseAggregatorConfig("log_level: verbose\n", "a.yaml").ok());
}

TEST(AggregatorConfig, ReferenceParsesBack) {
  EXPECT_TRUE(ParseAggregatorConfig(AggregatorConfigReference(), "ref.yaml").ok());
}

}  // namespace
}  // namespace wattline::aggregator
