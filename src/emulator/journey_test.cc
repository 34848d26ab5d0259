// The merchant's whole journey against the emulator, and the callbacks it
// receives on the way: authorize, order, pay, callback, read back, partial
// refund, full refund, refund beyond the amount refused.
#include <gtest/gtest.h>

#include <thread>

#include "emulator/emulator_test_util.h"
#include "testing/callback_receiver.h"

namespace tokenwarden::emulator {
namespace {

class Journey : public EmulatorFixture {
 protected:
  // Waits (real time, bounded) until the emulator's callback counter
  // `counter` reaches `n`. The merchant holds a callback before the
  // emulator has read the answer and counted it, so a test reads the
  // counters only after this; and only once a failed attempt is counted is
  // the next one scheduled, so only then may the test move the clock.
  long long WaitForCallbacks(const char* counter, long long n) {
    long long seen = -1;
    for (int i = 0; i < 250; ++i) {
      seen = Stats()["alliance"][kCode]["callbacks"].value(counter, -1LL);
      if (seen >= n) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return seen;
  }
  long long WaitForFailedAttempts(long long n) { return WaitForCallbacks("failed_attempts", n); }
};

TEST_F(Journey, AuthorizeOrderPayCallbackReadRefundPartlyThenFullyThenBeyond) {
  testing::CallbackReceiver merchant;
  auto s = Authorize();
  nlohmann::json order = testing::ExampleOrder("journey-1", 2000);
  order["notificationUrl"] = merchant.url();
  auto o = CreateOrder(s, order);
  EXPECT_EQ(o["orderStatus"], "PENDING");

  ASSERT_EQ(Payer("pay", o["hppOrderId"]).status, 200);
  auto received = merchant.WaitFor(1);
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0]["hppOrderId"], o["hppOrderId"]);
  EXPECT_EQ(received[0]["orderStatus"], "SUCCESS");
  EXPECT_EQ(received[0]["operations"][0]["status"], "SUCCESS");

  auto read = ReadOrder(s, o["hppOrderId"]).json();
  EXPECT_EQ(read, received[0]);  // the callback carries the order as it reads back
  std::string purchase = read["operations"][0]["operationId"];

  auto partial = Refund(s, testing::ExampleRefund(purchase, 700));
  ASSERT_EQ(partial.first.status, 200) << partial.first.body;
  auto full = Refund(s, testing::ExampleRefund(purchase, 1300));
  ASSERT_EQ(full.first.status, 200) << full.first.body;
  auto beyond = Refund(s, testing::ExampleRefund(purchase, 1));
  EXPECT_EQ(beyond.first.status, 200);  // as the bank's error-code page gives it
  EXPECT_EQ(beyond.second["msgCode"], "b_payment_invalid_refund_amount");

  // Each refund is called back to the order's notificationUrl.
  received = merchant.WaitFor(3);
  ASSERT_EQ(received.size(), 3u);
  EXPECT_EQ(received[1]["type"], "REFUND");
  EXPECT_EQ(received[1]["coinAmount"], 700);
  EXPECT_EQ(received[2]["coinAmount"], 1300);
  auto after = ReadOrder(s, o["hppOrderId"]).json();
  EXPECT_EQ(after["operations"].size(), 3u);
  ASSERT_EQ(WaitForCallbacks("delivered", 3), 3);
  auto stats = Stats()["alliance"][kCode];
  EXPECT_EQ(stats["callbacks"]["delivered"], 3);
  EXPECT_EQ(stats["callbacks"]["failed_attempts"], 0);
}

TEST_F(Journey, AFailedCallbackIsResentOnTheDocumentedSchedule) {
  testing::CallbackReceiver merchant(/*fail_first=*/2);
  auto s = Authorize();
  nlohmann::json order = testing::ExampleOrder();
  order["notificationUrl"] = merchant.url();
  auto o = CreateOrder(s, order);
  ASSERT_EQ(Payer("fail", o["hppOrderId"]).status, 200);
  ASSERT_EQ(WaitForFailedAttempts(1), 1);
  Advance(4);  // the resend comes 5 s later, not sooner
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(merchant.attempts(), 1);
  Advance(1);
  ASSERT_EQ(WaitForFailedAttempts(2), 2);
  EXPECT_EQ(merchant.attempts(), 2);
  Advance(29);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(merchant.attempts(), 2);
  Advance(1);  // 30 s after the second attempt
  auto received = merchant.WaitFor(1);
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0]["orderStatus"], "FAIL");
  ASSERT_EQ(WaitForCallbacks("delivered", 1), 1);
  auto callbacks = Stats()["alliance"][kCode]["callbacks"];
  EXPECT_EQ(callbacks["delivered"], 1);
  EXPECT_EQ(callbacks["failed_attempts"], 2);
  EXPECT_EQ(callbacks["pending"], 0);
  // Each attempt is on record, with the emulator time it was made.
  auto recent = callbacks["recent"];
  ASSERT_EQ(recent.size(), 3u) << recent;
  EXPECT_EQ(recent[0]["url"], merchant.url());
  EXPECT_EQ(recent[0]["status"], 500);
  EXPECT_EQ(recent[0]["delivered"], false);
  EXPECT_EQ(recent[1]["attempt"], 2);
  EXPECT_EQ(recent[2]["status"], 200);
  EXPECT_EQ(recent[2]["delivered"], true);
  EXPECT_EQ(recent[0]["at"], "2025-02-27T12:12:34Z");
  EXPECT_EQ(recent[2]["at"], "2025-02-27T12:13:09Z");  // 5 s, then 30 s later
}

TEST_F(Journey, ACallbackThatNeverSucceedsStopsAfterTheLastDocumentedResend) {
  testing::CallbackReceiver merchant(/*fail_first=*/100);
  auto s = Authorize();
  nlohmann::json order = testing::ExampleOrder();
  order["notificationUrl"] = merchant.url();
  ASSERT_EQ(Payer("expire", CreateOrder(s, order)["hppOrderId"]).status, 200);
  for (int attempt = 1; attempt <= 6; ++attempt) {
    ASSERT_EQ(WaitForFailedAttempts(attempt), attempt);
    Advance(3600);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(merchant.attempts(), 6);  // the first try and five resends
  EXPECT_EQ(Stats()["alliance"][kCode]["callbacks"]["pending"], 0);
}

TEST_F(Journey, TheCallbackQueueIsBounded) {
  // An endpoint that refuses everything: every callback stays queued for
  // its resends.
  testing::CallbackReceiver merchant(/*fail_first=*/100);
  ASSERT_EQ(Call("POST", "/_emulator/settings", {}, R"({"max_pending_callbacks": 2})").status, 200);
  auto s = Authorize();
  nlohmann::json order = testing::ExampleOrder();
  order["notificationUrl"] = merchant.url();
  for (int i = 0; i < 4; ++i) ASSERT_EQ(Payer("pay", CreateOrder(s, order)["hppOrderId"]).status, 200);
  // Each callback ends up queued for its resend (the clock stands still) or
  // dropped, a new one or a resend that found the queue full: none vanishes
  // uncounted. Wait (bounded: 30 s) for the ones in flight to land.
  nlohmann::json callbacks;
  for (int i = 0; i < 1500; ++i) {
    callbacks = Stats()["alliance"][kCode]["callbacks"];
    if (callbacks["pending"].get<int>() + callbacks["dropped"].get<int>() == 4) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(callbacks["pending"], 2) << callbacks;
  EXPECT_EQ(callbacks["dropped"], 2) << callbacks;
}

TEST_F(Journey, CallbacksGoToLoopbackOnly) {
  auto s = Authorize();
  auto o = CreateOrder(s);  // the example's https://merchant.notification_url
  ASSERT_EQ(Payer("pay", o["hppOrderId"]).status, 200);
  auto callbacks = Stats()["alliance"][kCode]["callbacks"];
  EXPECT_EQ(callbacks["refused"], 1);
  EXPECT_EQ(callbacks["pending"], 0);
}

}  // namespace
}  // namespace tokenwarden::emulator
