#include "agent/config/agent_config.h"

#include <gtest/gtest.h>

namespace wattline::agent {
namespace {

constexpr const char* kMinimal = R"(
upload:
  url: https://server:9781
  ca: /etc/ca.pem
  cert: /etc/cert.pem
  key: /etc/key.pem
sources:
  - type: shelly_gen2_http
    device: panel
    url: http://192.0.2.10
)";

TEST(AgentConfig, MinimalConfigGetsDocumentedDefaults) {
  auto config = ParseAgentConfig(kMinimal, "agent.yaml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->seal_interval_ms, 5000);
  EXPECT_EQ(config->data_dir, "/var/lib/wattline-agent");
  EXPECT_EQ(config->upload.backoff.max_ms, 15'000);
  EXPECT_EQ(config->upload.max_request_bytes, 256 << 10);
  EXPECT_EQ(config->upload.max_bytes_per_second, 0);
  EXPECT_EQ(config->outbox.max_bytes, 256 << 20);
  EXPECT_EQ(config->outbox.max_age_ms, 30LL * 24 * 3600 * 1000);
  EXPECT_EQ(config->outbox.persist, OutboxOptions::Persist::kAlways);
  EXPECT_EQ(config->clock_sync, ClockSync::kKernel);
  EXPECT_EQ(config->health_interval_ms, 30'000);
  EXPECT_EQ(config->profile_dir, "/etc/wattline/profiles");
  ASSERT_EQ(config->sources.size(), 1u);
  EXPECT_EQ(config->sources[0].type, "shelly_gen2_http");
  EXPECT_EQ(config->sources[0].where, "agent.yaml:8:5");
  EXPECT_EQ(config->sources[0].devices, std::vector<std::string>{"panel"});
}

TEST(AgentConfig, RefusesPlainHttpUpload) {
  std::string yaml = kMinimal;
  yaml.replace(yaml.find("https://"), 8, "http://");
  auto config = ParseAgentConfig(yaml, "agent.yaml");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("https"), std::string::npos);
}

TEST(AgentConfig, UnknownSourceTypeSaysWhere) {
  std::string yaml = kMinimal;
  yaml.replace(yaml.find("shelly_gen2_http"), 16, "shelly_gen9");
  auto config = ParseAgentConfig(yaml, "agent.yaml");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("agent.yaml:8:"), std::string::npos)
      << config.status().message();
}

TEST(AgentConfig, RefusesAnUnknownLogLevel) {
  std::string yaml = std::string(kMinimal) + "agent:\n  log_level: verbose\n";
  auto config = ParseAgentConfig(yaml, "agent.yaml");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("agent.log_level"), std::string::npos)
      << config.status().message();
}

TEST(AgentConfig, RefusesTheSameDeviceTwiceNamingBothPlaces) {
  std::string yaml = std::string(kMinimal) +
                     "  - type: shelly_gen2_http\n    device: panel\n    url: http://192.0.2.11\n";
  auto config = ParseAgentConfig(yaml, "agent.yaml");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("agent.yaml:11:5: device \"panel\" is already "
                                           "configured at agent.yaml:8:5"),
            std::string::npos)
      << config.status().message();
}

TEST(AgentConfig, ReadsOutboxClockAndUploadLimits) {
  std::string yaml = std::string(kMinimal) +
                     "outbox:\n  max_bytes: 2097152\n  max_age: 2d\n  persist: unacked\n"
                     "  persist_delay: 3s\nclock:\n  sync: aggregator\n";
  yaml.replace(yaml.find("  key: /etc/key.pem\n"), 0,
               "  max_request_bytes: 65536\n  max_bytes_per_second: 20000\n");
  auto config = ParseAgentConfig(yaml, "agent.yaml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->outbox.max_bytes, 2 << 20);
  EXPECT_EQ(config->outbox.max_age_ms, 2 * 24 * 3600 * 1000);
  EXPECT_EQ(config->outbox.persist, OutboxOptions::Persist::kUnacked);
  EXPECT_EQ(config->outbox.persist_delay_ms, 3000);
  EXPECT_EQ(config->clock_sync, ClockSync::kAggregator);
  EXPECT_EQ(config->upload.max_request_bytes, 65536);
  EXPECT_EQ(config->upload.max_bytes_per_second, 20000);
}

TEST(AgentConfig, RefusesAnUnknownPersistModeAndClockSync) {
  auto persist = ParseAgentConfig(std::string(kMinimal) + "outbox:\n  persist: sometimes\n",
                                  "agent.yaml");
  ASSERT_FALSE(persist.ok());
  EXPECT_NE(persist.status().message().find("sometimes"), std::string::npos);
  auto sync = ParseAgentConfig(std::string(kMinimal) + "clock:\n  sync: ntp\n", "agent.yaml");
  ASSERT_FALSE(sync.ok());
  EXPECT_NE(sync.status().message().find("ntp"), std::string::npos);
}

TEST(AgentConfig, ReferenceParsesBackAsAValidConfig) {
  auto config = ParseAgentConfig(AgentConfigReference(), "reference.yaml");
  ASSERT_TRUE(config.ok()) << config.status().ToString() << "\n" << AgentConfigReference();
  // One example entry per source type.
  EXPECT_EQ(config->sources.size(), SourceTypes().size());
}

}  // namespace
}  // namespace wattline::agent
