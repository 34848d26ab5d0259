#include "redis/client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "testing/redis_server.h"

namespace tokenwarden::redis {
namespace {

using namespace std::chrono_literals;

TEST(RedisUrl, ParsesAllPartsAndNeverPrintsThePassword) {
  auto u = ParseRedisUrl("redis://agent:s3cret@10.0.0.5:6380/2");
  ASSERT_TRUE(u.ok()) << u.error().message;
  EXPECT_EQ(u->host, "10.0.0.5");
  EXPECT_EQ(u->port, 6380);
  EXPECT_EQ(u->user, "agent");
  EXPECT_EQ(u->password.reveal(), "s3cret");
  EXPECT_EQ(u->db, 2);
  EXPECT_EQ(u->ToString(), "redis://agent@10.0.0.5:6380/2");
  auto plain = ParseRedisUrl("redis://localhost");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->port, 6379);
  EXPECT_EQ(plain->db, 0);
  EXPECT_TRUE(plain->password.empty());
  for (const char* bad : {"http://x", "redis://", "redis://h:0", "redis://h:99999", "redis://h:1/x"}) {
    EXPECT_FALSE(ParseRedisUrl(bad).ok()) << bad;
  }
  auto tls = ParseRedisUrl("rediss://h:1");
  ASSERT_FALSE(tls.ok());
  EXPECT_EQ(tls.error().code, ErrorCode::kUnsupported);
  auto bad = ParseRedisUrl("redis://u:topsecret@h:0");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message.find("topsecret"), std::string::npos);
}

TEST(RedisClient, CommandsAgainstARealServer) {
  testing::RedisServer server;
  ASSERT_TRUE(server.ok());
  Client client(*ParseRedisUrl(server.url()), 2s);
  auto set = client.Command({"SET", "k", std::string("v\0x", 3), "NX", "PX", "60000"});
  ASSERT_TRUE(set.ok()) << set.error().message;
  EXPECT_EQ(set->str, "OK");
  auto again = client.Command({"SET", "k", "other", "NX", "PX", "60000"});
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->is_nil());  // NX: already held
  auto get = client.Command({"GET", "k"});
  ASSERT_TRUE(get.ok());
  EXPECT_EQ(get->str, std::string("v\0x", 3));  // binary-safe
  auto err = client.Command({"INCR", "k"});
  ASSERT_FALSE(err.ok());
  EXPECT_EQ(err.error().code, ErrorCode::kFailedPrecondition);
}

TEST(RedisClient, PasswordIsRequiredAndChecked) {
  testing::RedisServer server("pw-0123456789");
  ASSERT_TRUE(server.ok());
  Client good(*ParseRedisUrl(server.url()), 2s);
  EXPECT_TRUE(good.Command({"PING"}).ok());
  Client wrong(*ParseRedisUrl("redis://:nope@127.0.0.1:" + std::to_string(server.port())), 2s);
  auto r = wrong.Command({"PING"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(r.error().message.find("nope"), std::string::npos);
}

TEST(RedisClient, ReconnectsAfterTheServerRestarts) {
  testing::RedisServer server;
  ASSERT_TRUE(server.ok());
  Client client(*ParseRedisUrl(server.url()), 1s);
  ASSERT_TRUE(client.Command({"SET", "a", "1"}).ok());
  server.Stop();
  auto down = client.Command({"GET", "a"});
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.error().code, ErrorCode::kUnavailable);
  ASSERT_TRUE(server.Start());
  auto up = client.Command({"PING"});
  ASSERT_TRUE(up.ok()) << up.error().message;
  EXPECT_EQ(up->str, "PONG");
}

TEST(RedisSubscriber, DeliversMessagesAndResubscribesAfterRestart) {
  testing::RedisServer server;
  ASSERT_TRUE(server.ok());
  std::atomic<int> received{0};
  std::atomic<int> subscriptions{0};
  std::string last;
  std::mutex mu;
  Subscriber sub(*ParseRedisUrl(server.url()), "tw:sessions",
                 [&](const std::string& m) {
                   std::lock_guard<std::mutex> lock(mu);
                   last = m;
                   ++received;
                 },
                 [&] { ++subscriptions; });
  Client pub(*ParseRedisUrl(server.url()), 1s);
  auto wait_for = [](auto pred) {
    for (int i = 0; i < 500 && !pred(); ++i) std::this_thread::sleep_for(10ms);
    return pred();
  };
  ASSERT_TRUE(wait_for([&] { return sub.subscribed(); }));
  ASSERT_TRUE(pub.Command({"PUBLISH", "tw:sessions", "shop:7"}).ok());
  ASSERT_TRUE(wait_for([&] { return received.load() == 1; }));
  {
    std::lock_guard<std::mutex> lock(mu);
    EXPECT_EQ(last, "shop:7");
  }
  server.Stop();
  ASSERT_TRUE(server.Start());
  ASSERT_TRUE(wait_for([&] { return subscriptions.load() >= 2 && sub.subscribed(); }));
  ASSERT_TRUE(pub.Command({"PUBLISH", "tw:sessions", "shop:8"}).ok());
  ASSERT_TRUE(wait_for([&] { return received.load() == 2; }));
}

}  // namespace
}  // namespace tokenwarden::redis
