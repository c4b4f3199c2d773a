#include "aggregator/notify/notification_queue.h"

#include <gtest/gtest.h>

#include "common/testing/temp_dir.h"

namespace wattline::aggregator {
namespace {

std::vector<std::string> BodiesOf(const std::vector<QueuedNotification>& items) {
  std::vector<std::string> bodies;
  for (const QueuedNotification& item : items) bodies.push_back(item.body);
  return bodies;
}

TEST(NotificationQueue, AFailedNotificationWaitsForItsRetryAndSurvivesAReopen) {
  testing::TempDir dir;
  {
    auto queue = NotificationQueue::Open(dir.File("n.db"));
    ASSERT_TRUE(queue.ok()) << queue.status().ToString();
    ASSERT_TRUE((*queue)->Enqueue("am", {"a", "b"}, 1000).ok());
    ASSERT_TRUE((*queue)->Enqueue("hook", {"c"}, 1000).ok());
    auto due = (*queue)->Due("am", 1000, 10);
    ASSERT_TRUE(due.ok());
    EXPECT_EQ(BodiesOf(*due), (std::vector<std::string>{"a", "b"}));
    ASSERT_TRUE((*queue)->Failed({(*due)[0].id, (*due)[1].id}, 5000).ok());
    EXPECT_TRUE((*queue)->Due("am", 4999, 10)->empty()) << "not before its retry";
    EXPECT_EQ((*queue)->Counts().retried, 2u);
  }
  auto queue = NotificationQueue::Open(dir.File("n.db"));
  ASSERT_TRUE(queue.ok()) << queue.status().ToString();
  EXPECT_EQ(*(*queue)->Pending(), 3);
  auto due = (*queue)->Due("am", 5000, 10);
  ASSERT_EQ(due->size(), 2u);
  EXPECT_EQ((*due)[0].attempts, 1);
  ASSERT_TRUE((*queue)->Delivered({(*due)[0].id, (*due)[1].id}).ok());
  EXPECT_EQ(*(*queue)->Pending(), 1);
  EXPECT_EQ(BodiesOf(*(*queue)->Due("hook", 5000, 10)), std::vector<std::string>{"c"});
}

TEST(NotificationQueue, PastItsBoundTheOldestAreDroppedAndCounted) {
  testing::TempDir dir;
  auto queue = NotificationQueue::Open(dir.File("n.db"), 3);
  ASSERT_TRUE(queue.ok()) << queue.status().ToString();
  ASSERT_TRUE((*queue)->Enqueue("am", {"1", "2"}, 0).ok());
  ASSERT_TRUE((*queue)->Enqueue("am", {"3", "4", "5"}, 0).ok());
  EXPECT_EQ(BodiesOf(*(*queue)->Due("am", 0, 10)), (std::vector<std::string>{"3", "4", "5"}));
  EXPECT_EQ((*queue)->Counts().dropped, 2u);
  EXPECT_EQ((*queue)->Counts().queued, 5u);
}

}  // namespace
}  // namespace wattline::aggregator
