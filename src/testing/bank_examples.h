// Test support: request bodies built from the Alliance Bank's documented
// examples (docs.merchant.alb.ua, "Creating an order"), so that every test
// that creates an order sends what a real client must send.
#ifndef TOKENWARDEN_TESTING_BANK_EXAMPLES_H_
#define TOKENWARDEN_TESTING_BANK_EXAMPLES_H_

#include <nlohmann/json.hpp>
#include <string>

namespace tokenwarden::testing {

// The documented create-order example, every mandatory field filled with
// the page's own example values, `merchant_request_id` and `coin_amount`
// (kopecks) as given.
inline nlohmann::json ExampleOrder(const std::string& merchant_request_id = "137d9304-0368-11ed-b939-0242ac120002",
                                   long long coin_amount = 2000) {
  return {{"merchantRequestId", merchant_request_id},
          {"merchantId", "137d9304-0368-11ed-b939-0242ac120002"},
          {"hppPayType", "PURCHASE"},
          {"coinAmount", coin_amount},
          {"paymentMethods", {"CARD"}},
          {"language", "uk"},
          {"notificationUrl", "https://merchant.notification_url"},
          {"successUrl", "https://example.com/success"},
          {"failUrl", "https://example.com/fail"},
          {"statusPageType", "STATUS_TIMER_PAGE"},
          {"purpose", "For goods"},
          {"merchantComment", "merchant Comment id 1258728c1"},
          {"customerData", {{"senderCustomerId", "1258728c1"}}}};
}

inline std::string ExampleOrderBody(const std::string& merchant_request_id = "137d9304-0368-11ed-b939-0242ac120002",
                                    long long coin_amount = 2000) {
  return ExampleOrder(merchant_request_id, coin_amount).dump();
}

// The documented REFUND example ("REFUND", docs.merchant.alb.ua): coinAmount
// is a string there, and date looks like "{{currentdateT}}.00+03:00".
inline nlohmann::json ExampleRefund(const std::string& operation_id, long long coin_amount,
                                    const std::string& date = "2025-02-27T14:12:34.00+02:00") {
  return {{"merchantRequestId", "137d9304-0368-11ed-b939-0242ac120002"},
          {"merchantId", "137d9304-0368-11ed-b939-0242ac120002"},
          {"operationId", operation_id},
          {"coinAmount", std::to_string(coin_amount)},
          {"date", date},
          {"merchantComment", "merchant Comment id 1258728c1"}};
}

}  // namespace tokenwarden::testing

#endif  // TOKENWARDEN_TESTING_BANK_EXAMPLES_H_
