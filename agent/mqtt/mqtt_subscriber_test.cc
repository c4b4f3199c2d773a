#include "agent/mqtt/mqtt_subscriber.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "agent/mqtt_json/mqtt_source_test_fixture.h"

namespace wattline::agent {
namespace {

class MqttSubscriberTest : public testing::MqttSourceTest {
 protected:
  void Make() {
    subscriber_ = std::make_unique<MqttSubscriber>(
        client_.get(), std::vector<std::string>{"meter/a", "meter/b/+"},
        [this](const MqttMessage& message) { topics_.emplace_back(message.topic); });
  }

  // Publishes one message on each filter and waits until the broker has
  // delivered them.
  void PublishBoth() {
    Publish("meter/a", "1");
    Publish("meter/b/power", "2");
    Sync();
  }

  std::unique_ptr<MqttSubscriber> subscriber_;
  std::vector<std::string> topics_;
};

const std::vector<std::string> kBoth = {"meter/a", "meter/b/power"};

TEST_F(MqttSubscriberTest, PassesMessagesOnOnlyWhileStarted) {
  Make();
  EXPECT_FALSE(subscriber_->started());
  subscriber_->Start();
  EXPECT_TRUE(subscriber_->started());
  ASSERT_TRUE(client_->Start().ok());
  Sync();
  PublishBoth();
  EXPECT_EQ(topics_, kBoth);

  topics_.clear();
  subscriber_->Stop();
  EXPECT_FALSE(subscriber_->started());
  PublishBoth();
  EXPECT_TRUE(topics_.empty());
}

// A second Start() must not subscribe again: the client would then hand
// every message to the handler twice.
TEST_F(MqttSubscriberTest, RestartDeliversEachMessageOnce) {
  Make();
  subscriber_->Start();
  ASSERT_TRUE(client_->Start().ok());
  Sync();
  subscriber_->Stop();
  subscriber_->Start();
  subscriber_->Start();
  PublishBoth();
  EXPECT_EQ(topics_, kBoth);
}

// The client keeps its handlers after the subscriber is gone; they must not
// reach it.
TEST_F(MqttSubscriberTest, DestroyedSubscriberGetsNothing) {
  auto topics = std::make_shared<std::vector<std::string>>();
  auto subscriber = std::make_unique<MqttSubscriber>(
      client_.get(), std::vector<std::string>{"meter/a"},
      [topics](const MqttMessage& message) { topics->emplace_back(message.topic); });
  subscriber->Start();
  ASSERT_TRUE(client_->Start().ok());
  Sync();
  Publish("meter/a", "1");
  Sync();
  EXPECT_EQ(*topics, std::vector<std::string>{"meter/a"});
  subscriber.reset();
  Publish("meter/a", "2");
  Sync();
  EXPECT_EQ(*topics, std::vector<std::string>{"meter/a"});
}

}  // namespace
}  // namespace wattline::agent
