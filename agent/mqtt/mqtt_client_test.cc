#include "agent/mqtt/mqtt_client.h"

#include <gtest/gtest.h>
#include <uv.h>

#include <chrono>
#include <csignal>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "tests/support/mosquitto_broker.h"

namespace wattline::agent {
namespace {

using testing::MosquittoBroker;
using testing::MosquittoBrokerOptions;

#define SKIP_WITHOUT_BROKER(options)                                      \
  do {                                                                    \
    std::string missing = MosquittoBroker::Missing(options);              \
    if (!missing.empty()) GTEST_SKIP() << "needs mosquitto: " << missing; \
  } while (false)

// Subscribed by every client the fixture makes. Its filter sorts after every
// other filter in these tests, and the client subscribes in sorted order, so
// once a message on it arrives the broker has every subscription in place.
constexpr const char* kSyncFilter = "~sync/#";

struct Received {
  std::string topic;
  std::string payload;
  bool retained;
};

class MqttClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::signal(SIGPIPE, SIG_IGN);  // as agent/main.cc does; see mqtt_client.h
    ASSERT_EQ(uv_loop_init(&loop_), 0);
    // Wakes the loop every 10 ms so RunUntil() can check its deadline.
    uv_timer_init(&loop_, &tick_);
    uv_timer_start(
        &tick_, [](uv_timer_t*) {}, 10, 10);
  }

  void TearDown() override {
    client_.reset();
    CloseLoop();
  }

  // Every test ends here: the loop must close with nothing left open.
  void CloseLoop() {
    if (loop_closed_) return;
    uv_close(reinterpret_cast<uv_handle_t*>(&tick_), nullptr);
    // A connection attempt still on the thread pool keeps the loop busy
    // briefly; on loopback it finishes at once.
    for (int i = 0; i < 500 && uv_run(&loop_, UV_RUN_NOWAIT) != 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_EQ(uv_loop_close(&loop_), 0) << "handles or requests left open";
    loop_closed_ = true;
  }

  bool RunUntil(const std::function<bool()>& done, int timeout_ms) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      uv_run(&loop_, UV_RUN_ONCE);
    }
    return true;
  }

  static MqttOptions OptionsFor(const MosquittoBroker& broker) {
    MqttOptions options;
    options.host = broker.host();
    options.port = broker.port();
    options.keepalive_ms = 5000;
    options.reconnect = {50, 400};
    return options;
  }

  // Makes client_, subscribed to kSyncFilter and recording connection changes.
  void MakeClient(const MqttOptions& options) {
    Result<std::unique_ptr<MqttClient>> made = MqttClient::Create(&loop_, options, &clock_);
    ASSERT_TRUE(made.ok()) << made.status().ToString();
    client_ = std::move(*made);
    client_->Subscribe(kSyncFilter,
                       [this](const MqttMessage& message) { last_sync_ = message.payload; });
    client_->OnConnectionChange([this](bool up) { changes_.push_back(up); });
  }

  // Publishes on the sync topic until the client has it: afterwards every
  // subscription of the client is in place at the broker.
  void Sync(MosquittoBroker& broker) {
    std::string token = "sync-" + std::to_string(++syncs_);
    for (int attempt = 0; attempt < 50; ++attempt) {
      ASSERT_TRUE(broker.Publish("~sync/x", token).ok());
      if (RunUntil([&] { return last_sync_ == token; }, 200)) return;
    }
    FAIL() << "the client never received the sync message; broker log:\n" << broker.Log();
  }

  uv_loop_t loop_{};
  uv_timer_t tick_{};
  bool loop_closed_ = false;
  SystemClock clock_;
  std::unique_ptr<MqttClient> client_;
  std::string last_sync_;
  int syncs_ = 0;
  std::vector<bool> changes_;
};

TEST_F(MqttClientTest, ReceivesRetainedMessagePublishedBeforeSubscribing) {
  SKIP_WITHOUT_BROKER(MosquittoBrokerOptions{});
  MosquittoBroker broker;
  ASSERT_TRUE(broker.Start().ok());
  ASSERT_TRUE(broker.Publish("home/meter/power", "1234.5", /*retained=*/true).ok());
  MakeClient(OptionsFor(broker));
  std::vector<Received> received;
  client_->Subscribe("home/meter/power", [&](const MqttMessage& message) {
    received.push_back(
        {std::string(message.topic), std::string(message.payload), message.retained});
  });
  ASSERT_TRUE(client_->Start().ok());
  ASSERT_TRUE(RunUntil([&] { return !received.empty(); }, 10'000)) << broker.Log();
  EXPECT_EQ(received[0].topic, "home/meter/power");
  EXPECT_EQ(received[0].payload, "1234.5");
  EXPECT_TRUE(received[0].retained);
  EXPECT_TRUE(client_->connected());
  EXPECT_EQ(client_->counters().connects, 1u);
  EXPECT_EQ(changes_, std::vector<bool>{true});
}

TEST_F(MqttClientTest, WildcardFiltersRouteAndAMessageMatchingTwoFiltersReachesBoth) {
  SKIP_WITHOUT_BROKER(MosquittoBrokerOptions{});
  MosquittoBroker broker;
  ASSERT_TRUE(broker.Start().ok());
  MakeClient(OptionsFor(broker));
  std::vector<std::string> plus, hash, other;
  client_->Subscribe("a/+/power", [&](const MqttMessage& m) { plus.emplace_back(m.topic); });
  client_->Subscribe("a/#", [&](const MqttMessage& m) { hash.emplace_back(m.topic); });
  client_->Subscribe("b/#", [&](const MqttMessage& m) { other.emplace_back(m.topic); });
  ASSERT_TRUE(client_->Start().ok());
  Sync(broker);
  for (const char* topic : {"a/x/power", "a/x/energy", "a", "b/y/z", "c/x/power", "a/x/y/power"}) {
    ASSERT_TRUE(broker.Publish(topic, "1").ok());
  }
  Sync(broker);  // the broker delivers in order: everything above has arrived
  EXPECT_EQ(plus, (std::vector<std::string>{"a/x/power"}));
  // "a/#" also matches "a" itself (MQTT 3.1.1, 4.7.1.2).
  EXPECT_EQ(hash, (std::vector<std::string>{"a/x/power", "a/x/energy", "a", "a/x/y/power"}));
  EXPECT_EQ(other, (std::vector<std::string>{"b/y/z"}));
}

TEST_F(MqttClientTest, HandlerMaySubscribe) {
  SKIP_WITHOUT_BROKER(MosquittoBrokerOptions{});
  MosquittoBroker broker;
  ASSERT_TRUE(broker.Start().ok());
  MakeClient(OptionsFor(broker));
  std::string later;
  client_->Subscribe("dyn/start", [&](const MqttMessage&) {
    client_->Subscribe("dyn/later", [&](const MqttMessage& m) { later = m.payload; });
  });
  ASSERT_TRUE(client_->Start().ok());
  ASSERT_TRUE(broker.Publish("dyn/start", "go", /*retained=*/true).ok());
  // Retained, so it is there however the subscription races the publish.
  ASSERT_TRUE(broker.Publish("dyn/later", "hello", /*retained=*/true).ok());
  EXPECT_TRUE(RunUntil([&] { return later == "hello"; }, 10'000)) << broker.Log();
}

TEST_F(MqttClientTest, ReconnectsAfterBrokerRestartAndResubscribes) {
  SKIP_WITHOUT_BROKER(MosquittoBrokerOptions{});
  MosquittoBroker broker;
  ASSERT_TRUE(broker.Start().ok());
  MakeClient(OptionsFor(broker));
  std::vector<std::string> readings;
  client_->Subscribe("meter/power",
                     [&](const MqttMessage& m) { readings.emplace_back(m.payload); });
  ASSERT_TRUE(client_->Start().ok());
  Sync(broker);

  broker.Stop();
  ASSERT_TRUE(RunUntil([&] { return !client_->connected(); }, 10'000));
  // While the broker is down, attempts fail and are counted.
  ASSERT_TRUE(RunUntil([&] { return client_->counters().connect_errors >= 2; }, 10'000));
  ASSERT_TRUE(broker.Restart().ok());
  ASSERT_TRUE(RunUntil([&] { return client_->connected(); }, 10'000)) << broker.Log();
  Sync(broker);  // proves the subscriptions were sent again
  ASSERT_TRUE(broker.Publish("meter/power", "after-restart").ok());
  ASSERT_TRUE(RunUntil([&] { return !readings.empty(); }, 10'000));
  EXPECT_EQ(readings, std::vector<std::string>{"after-restart"});
  EXPECT_EQ(client_->counters().connects, 2u);
  EXPECT_EQ(client_->counters().disconnects, 1u);
  EXPECT_EQ(changes_, (std::vector<bool>{true, false, true}));
}

// Keep-alive runs from the loop's misc timer: a broker that stops answering
// (no FIN, no RST) is noticed after one unanswered ping, within two
// keep-alive periods, and the client reconnects once it answers again.
TEST_F(MqttClientTest, NoticesABrokerThatStopsAnsweringAndReconnects) {
  SKIP_WITHOUT_BROKER(MosquittoBrokerOptions{});
  MosquittoBroker broker;
  ASSERT_TRUE(broker.Start().ok());
  MqttOptions options = OptionsFor(broker);  // keep-alive 5 s, the least libmosquitto allows
  MakeClient(options);
  ASSERT_TRUE(client_->Start().ok());
  Sync(broker);
  ASSERT_TRUE(broker.Pause().ok());
  auto paused_at = std::chrono::steady_clock::now();
  ASSERT_TRUE(RunUntil([&] { return !client_->connected(); }, 15'000));
  auto noticed_after = std::chrono::steady_clock::now() - paused_at;
  EXPECT_GE(noticed_after, std::chrono::seconds(4));
  ASSERT_TRUE(broker.Resume().ok());
  ASSERT_TRUE(RunUntil([&] { return client_->connected(); }, 15'000)) << broker.Log();
  EXPECT_EQ(client_->counters().disconnects, 1u);
  EXPECT_EQ(changes_, (std::vector<bool>{true, false, true}));
}

TEST_F(MqttClientTest, UsernameAndPasswordAreAccepted) {
  MosquittoBrokerOptions broker_options{"wattline", "s3cret-pass", false};
  SKIP_WITHOUT_BROKER(broker_options);
  MosquittoBroker broker(broker_options);
  ASSERT_TRUE(broker.Start().ok());
  MqttOptions options = OptionsFor(broker);
  options.username = "wattline";
  options.password = "s3cret-pass";
  MakeClient(options);
  ASSERT_TRUE(client_->Start().ok());
  Sync(broker);
  EXPECT_EQ(client_->counters().connect_errors, 0u);
}

TEST_F(MqttClientTest, WrongPasswordIsCountedAndRetriedWithoutConnecting) {
  MosquittoBrokerOptions broker_options{"wattline", "s3cret-pass", false};
  SKIP_WITHOUT_BROKER(broker_options);
  MosquittoBroker broker(broker_options);
  ASSERT_TRUE(broker.Start().ok());
  MqttOptions options = OptionsFor(broker);
  options.username = "wattline";
  options.password = "wrong";
  MakeClient(options);
  ASSERT_TRUE(client_->Start().ok());
  EXPECT_TRUE(RunUntil([&] { return client_->counters().connect_errors >= 3; }, 10'000))
      << broker.Log();
  EXPECT_FALSE(client_->connected());
  EXPECT_EQ(client_->counters().connects, 0u);
  EXPECT_TRUE(changes_.empty());
}

TEST_F(MqttClientTest, NothingListeningIsCountedAndRetried) {
  SKIP_WITHOUT_BROKER(MosquittoBrokerOptions{});
  MosquittoBroker broker;
  ASSERT_TRUE(broker.Start().ok());
  MqttOptions options = OptionsFor(broker);
  broker.Stop();  // its port is now free, and nothing listens there
  MakeClient(options);
  ASSERT_TRUE(client_->Start().ok());
  EXPECT_TRUE(RunUntil([&] { return client_->counters().connect_errors >= 3; }, 10'000));
  EXPECT_EQ(client_->counters().connects, 0u);
}

TEST_F(MqttClientTest, TlsWithTheBrokersCaConnects) {
  MosquittoBrokerOptions broker_options;
  broker_options.tls = true;
  SKIP_WITHOUT_BROKER(broker_options);
  MosquittoBroker broker(broker_options);
  ASSERT_TRUE(broker.Start().ok());
  ASSERT_TRUE(broker.Publish("tls/state", "on", /*retained=*/true).ok());
  MqttOptions options = OptionsFor(broker);
  options.port = broker.tls_port();
  options.tls = true;
  options.ca_file = broker.ca_file();
  MakeClient(options);
  std::string state;
  client_->Subscribe("tls/state", [&](const MqttMessage& m) { state = m.payload; });
  ASSERT_TRUE(client_->Start().ok());
  EXPECT_TRUE(RunUntil([&] { return state == "on"; }, 10'000)) << broker.Log();
  EXPECT_EQ(client_->counters().connect_errors, 0u);
}

TEST_F(MqttClientTest, TlsWithAnotherCaFailsAndKeepsRetrying) {
  MosquittoBrokerOptions broker_options;
  broker_options.tls = true;
  SKIP_WITHOUT_BROKER(broker_options);
  MosquittoBroker broker(broker_options);
  ASSERT_TRUE(broker.Start().ok());
  MqttOptions options = OptionsFor(broker);
  options.port = broker.tls_port();
  options.tls = true;
  options.ca_file = broker.other_ca_file();
  MakeClient(options);
  ASSERT_TRUE(client_->Start().ok());
  EXPECT_TRUE(RunUntil([&] { return client_->counters().connect_errors >= 2; }, 10'000));
  EXPECT_EQ(client_->counters().connects, 0u);
  EXPECT_FALSE(client_->connected());
}

TEST_F(MqttClientTest, TlsCaFileThatCannotBeReadFailsCreate) {
  MqttOptions options;
  options.tls = true;
  options.ca_file = "/nonexistent/ca.pem";
  Result<std::unique_ptr<MqttClient>> made = MqttClient::Create(&loop_, options, &clock_);
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(made.status().message().find("/nonexistent/ca.pem"), std::string::npos);
}

// Zigbee2MQTT's retained bridge/devices on a network of a few hundred
// devices is megabytes, and must arrive. The test broker, like mosquitto by
// default (message_size_limit 0), passes any size, so the limit seen here is
// the client's own.
TEST_F(MqttClientTest, LargeDeviceListArrivesAndOversizedMessageIsDroppedAndCounted) {
  SKIP_WITHOUT_BROKER(MosquittoBrokerOptions{});
  MosquittoBroker broker;
  ASSERT_TRUE(broker.Start().ok());
  MakeClient(OptionsFor(broker));
  std::vector<std::pair<std::string, size_t>> received;
  client_->Subscribe("big/#", [&](const MqttMessage& m) {
    received.emplace_back(std::string(m.topic), m.payload.size());
  });
  ASSERT_TRUE(client_->Start().ok());
  Sync(broker);
  // Some 350 devices at about 6 KiB each.
  constexpr size_t kDeviceListBytes = 2 * 1024 * 1024;
  ASSERT_TRUE(broker.Publish("big/bridge/devices", std::string(kDeviceListBytes, 'x')).ok());
  ASSERT_TRUE(broker.Publish("big/at-limit", std::string(MqttClient::kMaxMessageBytes, 'x')).ok());
  ASSERT_TRUE(
      broker.Publish("big/over-limit", std::string(MqttClient::kMaxMessageBytes + 1, 'x')).ok());
  ASSERT_TRUE(broker.Publish("big/small", "1").ok());
  ASSERT_TRUE(RunUntil([&] { return received.size() >= 3; }, 10'000));
  Sync(broker);
  using Entry = std::pair<std::string, size_t>;
  EXPECT_EQ(received, (std::vector<Entry>{{"big/bridge/devices", kDeviceListBytes},
                                          {"big/at-limit", MqttClient::kMaxMessageBytes},
                                          {"big/small", 1}}));
  EXPECT_EQ(client_->counters().oversized, 1u);
  EXPECT_TRUE(client_->connected());
}

TEST_F(MqttClientTest, BrokerIsHostAndPortWithIpv6InBrackets) {
  MqttOptions options;
  options.host = "broker.lan";
  options.port = 1883;
  Result<std::unique_ptr<MqttClient>> named = MqttClient::Create(&loop_, options, &clock_);
  ASSERT_TRUE(named.ok()) << named.status().ToString();
  EXPECT_EQ((*named)->broker(), "broker.lan:1883");
  options.host = "fd00::10";
  options.port = 8883;
  Result<std::unique_ptr<MqttClient>> ipv6 = MqttClient::Create(&loop_, options, &clock_);
  ASSERT_TRUE(ipv6.ok()) << ipv6.status().ToString();
  EXPECT_EQ((*ipv6)->broker(), "[fd00::10]:8883");
}

TEST_F(MqttClientTest, StopDisconnectsCleanlyAndLeavesNoOpenHandles) {
  SKIP_WITHOUT_BROKER(MosquittoBrokerOptions{});
  MosquittoBroker broker;
  ASSERT_TRUE(broker.Start().ok());
  MakeClient(OptionsFor(broker));
  ASSERT_TRUE(client_->Start().ok());
  Sync(broker);
  client_->Stop();
  EXPECT_FALSE(client_->connected());
  EXPECT_EQ(changes_, std::vector<bool>{true});  // Stop() calls no callback
  CloseLoop();  // with the client still alive: Stop() alone closed its handles
  // mosquitto logs "disconnected" for a DISCONNECT, "closed its connection"
  // for a dropped socket.
  std::string line = "Client " + client_->client_id() + " disconnected.";
  EXPECT_TRUE(testing::WaitFor([&] { return broker.Log().find(line) != std::string::npos; }, 5000))
      << broker.Log();
}

TEST_F(MqttClientTest, DestroyedWhileConnectingLeavesNoOpenHandles) {
  SKIP_WITHOUT_BROKER(MosquittoBrokerOptions{});
  MosquittoBroker broker;
  ASSERT_TRUE(broker.Start().ok());
  MakeClient(OptionsFor(broker));
  ASSERT_TRUE(client_->Start().ok());  // the connect is now on the thread pool
  client_.reset();
  CloseLoop();
}

TEST_F(MqttClientTest, StopFromAHandlerSkipsTheRemainingHandlers) {
  SKIP_WITHOUT_BROKER(MosquittoBrokerOptions{});
  MosquittoBroker broker;
  ASSERT_TRUE(broker.Start().ok());
  ASSERT_TRUE(broker.Publish("stop/now", "1", /*retained=*/true).ok());
  MakeClient(OptionsFor(broker));
  int first = 0, second = 0;
  client_->Subscribe("stop/#", [&](const MqttMessage&) {
    ++first;
    client_->Stop();
  });
  client_->Subscribe("stop/now", [&](const MqttMessage&) { ++second; });
  ASSERT_TRUE(client_->Start().ok());
  ASSERT_TRUE(RunUntil([&] { return first > 0; }, 10'000)) << broker.Log();
  RunUntil([] { return false; }, 100);
  EXPECT_EQ(first, 1);
  EXPECT_EQ(second, 0);
  EXPECT_FALSE(client_->connected());
  CloseLoop();
}

TEST(MqttTopicFilter, ChecksWildcardPlacement) {
  EXPECT_TRUE(CheckMqttTopicFilter("shellies/+/emeter/#").ok());
  EXPECT_TRUE(CheckMqttTopicFilter("#").ok());
  EXPECT_TRUE(CheckMqttTopicFilter("zigbee2mqtt/kitchen/floor light").ok());
  EXPECT_FALSE(CheckMqttTopicFilter("").ok());
  EXPECT_FALSE(CheckMqttTopicFilter("a/#/b").ok());
  EXPECT_FALSE(CheckMqttTopicFilter("a/b#").ok());
  EXPECT_FALSE(CheckMqttTopicFilter("a+/b").ok());
  EXPECT_FALSE(CheckMqttTopicFilter(std::string("a\0b", 3)).ok());
  EXPECT_FALSE(CheckMqttTopicFilter("\xff\xfe").ok());
}

}  // namespace
}  // namespace wattline::agent
