#include "redis/redis_store.h"

#include "redis/client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "testing/redis_server.h"

namespace tokenwarden::redis {
namespace {

using namespace std::chrono_literals;

// A stand-in codec that keeps what these tests look at (the generation and
// the support message); the real, encrypting codec has its own tests.
RecordCodec TestCodec() {
  return RecordCodec{
      [](std::string_view, const AccountRecord& r) -> Result<std::string> {
        return std::to_string(r.session ? r.session->generation : 0) + "|" + r.support_message;
      },
      [](std::string_view, std::string_view blob) -> Result<AccountRecord> {
        size_t bar = blob.find('|');
        if (bar == std::string_view::npos) return MakeError(ErrorCode::kDataLoss, "bad blob");
        AccountRecord r;
        r.session = Session{};
        r.session->generation = std::stoull(std::string(blob.substr(0, bar)));
        r.support_message = std::string(blob.substr(bar + 1));
        return r;
      }};
}

AccountRecord WithGeneration(uint64_t g, std::string note = "") {
  AccountRecord r;
  r.session = Session{};
  r.session->generation = g;
  r.support_message = std::move(note);
  return r;
}

std::unique_ptr<SessionStore> Open(const testing::RedisServer& server,
                                   std::function<void(const std::string&)> on_change = nullptr) {
  RedisStoreOptions o;
  o.url = *ParseRedisUrl(server.url());
  o.codec = TestCodec();
  o.on_change = std::move(on_change);
  auto store = MakeRedisStore(std::move(o));
  EXPECT_TRUE(store.ok()) << store.error().message;
  return store.ok() ? std::move(*store) : nullptr;
}

TEST(RedisStore, CompareAndSwapSaves) {
  testing::RedisServer server;
  ASSERT_TRUE(server.ok());
  auto a = Open(server);
  auto b = Open(server);
  auto empty = a->Load("shop");
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(empty->has_value());

  auto v1 = a->Save("shop", WithGeneration(1), 0);
  ASSERT_TRUE(v1.ok()) << v1.error().message;
  EXPECT_EQ(*v1, 1u);
  auto lost = b->Save("shop", WithGeneration(1, "b"), 0);  // b did not see v1
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.error().code, ErrorCode::kAborted);

  auto seen = b->Load("shop");
  ASSERT_TRUE(seen.ok() && seen->has_value());
  EXPECT_EQ((*seen)->version, 1u);
  EXPECT_EQ((*seen)->record.session->generation, 1u);
  EXPECT_TRUE(b->Save("shop", WithGeneration(2), 1).ok());
}

TEST(RedisStore, GenerationNeverGoesBackwards) {
  testing::RedisServer server;
  ASSERT_TRUE(server.ok());
  auto s = Open(server);
  ASSERT_TRUE(s->Save("shop", WithGeneration(5), 0).ok());
  auto stale = s->Save("shop", WithGeneration(4), 1);
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, ErrorCode::kAborted);
  EXPECT_TRUE(s->Save("shop", WithGeneration(5, "same session, new note"), 1).ok());
}

TEST(RedisStore, OneLeaseHolderAtATimeAndExpiry) {
  testing::RedisServer server;
  ASSERT_TRUE(server.ok());
  auto s = Open(server);
  EXPECT_TRUE(*s->TryLease("shop", "agent-a", 300ms));
  EXPECT_FALSE(*s->TryLease("shop", "agent-b", 300ms));
  EXPECT_TRUE(*s->TryLease("shop", "agent-a", 300ms));  // renew
  ASSERT_TRUE(s->ReleaseLease("shop", "agent-b").ok());  // not b's: no effect
  EXPECT_FALSE(*s->TryLease("shop", "agent-b", 300ms));
  ASSERT_TRUE(s->ReleaseLease("shop", "agent-a").ok());
  EXPECT_TRUE(*s->TryLease("shop", "agent-b", 200ms));
  std::this_thread::sleep_for(400ms);  // b dies without releasing
  EXPECT_TRUE(*s->TryLease("shop", "agent-c", 200ms));
}

TEST(RedisStore, ConcurrentLeaseAttemptsHaveExactlyOneWinner) {
  testing::RedisServer server;
  ASSERT_TRUE(server.ok());
  std::vector<std::unique_ptr<SessionStore>> agents;
  for (int i = 0; i < 8; ++i) agents.push_back(Open(server));
  std::atomic<int> winners{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      auto got = agents[i]->TryLease("shop", "agent-" + std::to_string(i), 5s);
      if (got.ok() && *got) ++winners;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(winners.load(), 1);
}

TEST(RedisStore, OtherAgentsHearOfSaves) {
  testing::RedisServer server;
  ASSERT_TRUE(server.ok());
  std::mutex mu;
  std::vector<std::string> heard;
  auto listener = Open(server, [&](const std::string& account) {
    std::lock_guard<std::mutex> lock(mu);
    heard.push_back(account);
  });
  auto writer = Open(server);
  auto heard_shop = [&] {
    std::lock_guard<std::mutex> lock(mu);
    return std::count(heard.begin(), heard.end(), "shop") > 0;
  };
  // The first callback ("") says the subscription is live.
  for (int i = 0; i < 300; ++i) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (!heard.empty()) break;
    }
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_TRUE(writer->Save("shop", WithGeneration(1), 0).ok());
  for (int i = 0; i < 300 && !heard_shop(); ++i) std::this_thread::sleep_for(10ms);
  EXPECT_TRUE(heard_shop());
}

TEST(RedisStore, SealsRecordsWithTheFileStoresCipher) {
  testing::RedisServer server;
  ASSERT_TRUE(server.ok());
  auto cipher = store::RecordCipher::Create(Secret(std::string(32, 'm')));
  ASSERT_TRUE(cipher.ok());
  RedisStoreOptions o;
  o.url = *ParseRedisUrl(server.url());
  o.codec = SealingCodec(*cipher);
  auto s = *MakeRedisStore(std::move(o));
  AccountRecord r = WithGeneration(3);
  r.session->headers.push_back({"x-refresh_token", Secret("refresh-secret-value")});
  ASSERT_TRUE(s->Save("shop", r, 0).ok());
  auto loaded = s->Load("shop");
  ASSERT_TRUE(loaded.ok() && loaded->has_value()) << (loaded.ok() ? "" : loaded.error().message);
  EXPECT_EQ((*loaded)->record.session->headers[0].value.reveal(), "refresh-secret-value");
  // Redis itself holds only ciphertext.
  Client raw(*ParseRedisUrl(server.url()), 1s);
  auto blob = raw.Command({"HGET", "tw:{shop}", "blob"});
  ASSERT_TRUE(blob.ok());
  EXPECT_EQ(blob->str.find("refresh-secret-value"), std::string::npos);
  EXPECT_EQ(blob->str.substr(0, 4), "TWR1");
}

TEST(RedisStore, UnreachableRedisIsUnavailableNotFatal) {
  int port = testing::FreeLoopbackPort();
  RedisStoreOptions o;
  o.url = *ParseRedisUrl("redis://127.0.0.1:" + std::to_string(port));
  o.codec = TestCodec();
  o.timeout = 300ms;
  auto store = MakeRedisStore(std::move(o));
  ASSERT_TRUE(store.ok());
  auto load = (*store)->Load("shop");
  ASSERT_FALSE(load.ok());
  EXPECT_EQ(load.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace tokenwarden::redis
