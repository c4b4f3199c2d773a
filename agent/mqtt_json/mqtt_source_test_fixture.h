// A fixture for tests of MQTT sources against a real broker: a uv loop, a
// mosquitto on a run-time port (tests/support/mosquitto_broker.h), the
// agent's MqttClient on it, and a sink that collects samples. Used by the
// mqtt_json and zigbee2mqtt source tests.
//
// Tests are skipped when mosquitto is not installed. Every wait is bounded.
#ifndef WATTLINE_AGENT_MQTT_JSON_MQTT_SOURCE_TEST_FIXTURE_H_
#define WATTLINE_AGENT_MQTT_JSON_MQTT_SOURCE_TEST_FIXTURE_H_

#include <gtest/gtest.h>
#include <uv.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "agent/mqtt/mqtt_client.h"
#include "agent/sources/sample.h"
#include "agent/sources/source.h"
#include "common/clock.h"
#include "tests/support/mosquitto_broker.h"

namespace wattline::agent::testing {

class MqttSourceTest : public ::testing::Test {
 protected:
  // Its filter sorts after every filter the tests use, and the client
  // subscribes in sorted order: once a message on it arrives, the broker has
  // every subscription in place.
  static constexpr const char* kSyncFilter = "~sync/#";

  void SetUp() override {
    ASSERT_EQ(uv_loop_init(&loop_), 0);
    // Wakes the loop every 10 ms so RunUntil() can check its deadline.
    uv_timer_init(&loop_, &tick_);
    uv_timer_start(
        &tick_, [](uv_timer_t*) {}, 10, 10);
    std::string missing = wattline::testing::MosquittoBroker::Missing({});
    if (!missing.empty()) GTEST_SKIP() << "needs mosquitto: " << missing;
    broker_ = std::make_unique<wattline::testing::MosquittoBroker>();
    Status started = broker_->Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
    MqttOptions options;
    options.host = broker_->host();
    options.port = broker_->port();
    options.keepalive_ms = 5000;
    options.reconnect = {50, 400};
    Result<std::unique_ptr<MqttClient>> made = MqttClient::Create(&loop_, options, &system_clock_);
    ASSERT_TRUE(made.ok()) << made.status().ToString();
    client_ = std::move(*made);
    client_->Subscribe(kSyncFilter,
                       [this](const MqttMessage& message) { last_sync_ = message.payload; });
  }

  void TearDown() override {
    source_.reset();
    client_.reset();
    uv_close(reinterpret_cast<uv_handle_t*>(&tick_), nullptr);
    for (int i = 0; i < 500 && uv_run(&loop_, UV_RUN_NOWAIT) != 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_EQ(uv_loop_close(&loop_), 0) << "handles or requests left open";
  }

  SampleSink Sink() {
    return [this](Samples&& samples) {
      for (Sample& sample : samples) received_.push_back(std::move(sample));
    };
  }

  // Starts the source and the client, and waits until the subscriptions
  // are in place.
  void StartAndSync() {
    ASSERT_TRUE(source_->Start().ok());
    ASSERT_TRUE(client_->Start().ok());
    Sync();
  }

  // Publishes on the sync topic until the client has it: the broker has then
  // delivered everything published before (one connection, in order).
  void Sync() {
    std::string token = "sync-" + std::to_string(++syncs_);
    for (int attempt = 0; attempt < 50; ++attempt) {
      ASSERT_TRUE(broker_->Publish("~sync/x", token).ok());
      if (RunUntil([&] { return last_sync_ == token; }, 200)) return;
    }
    FAIL() << "the client never received the sync message; broker log:\n" << broker_->Log();
  }

  void Publish(const std::string& topic, std::string_view payload, bool retained = false) {
    Status published = broker_->Publish(topic, payload, retained);
    ASSERT_TRUE(published.ok()) << published.ToString();
  }

  bool RunUntil(const std::function<bool()>& done, int timeout_ms) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      uv_run(&loop_, UV_RUN_ONCE);
    }
    return true;
  }

  const DeviceHealth* Health(const std::string& device) {
    health_.clear();
    source_->AppendHealth(&health_);
    for (const DeviceHealth& health : health_) {
      if (health.device == device) return &health;
    }
    return nullptr;
  }

  uv_loop_t loop_{};
  uv_timer_t tick_{};
  SystemClock system_clock_;
  // The sources' clock: samples carry exactly its time.
  FakeClock clock_{1'700'000'000'000};
  std::unique_ptr<wattline::testing::MosquittoBroker> broker_;
  std::unique_ptr<MqttClient> client_;
  std::unique_ptr<Source> source_;
  Samples received_;
  std::vector<DeviceHealth> health_;
  std::string last_sync_;
  int syncs_ = 0;
};

}  // namespace wattline::agent::testing

#endif  // WATTLINE_AGENT_MQTT_JSON_MQTT_SOURCE_TEST_FIXTURE_H_
