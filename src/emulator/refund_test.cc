// REFUND: a JWE to the session's serverPublic in, a JWE to the merchant's
// key out; partial and full refunds, never beyond what was paid.
#include <gtest/gtest.h>

#include "emulator/emulator_test_util.h"

namespace tokenwarden::emulator {
namespace {

class RefundTest : public EmulatorFixture {
 protected:
  // A paid order of 2000 kopecks (the example); its purchase's operationId.
  std::string Paid(const nlohmann::json& s, nlohmann::json* order = nullptr) {
    auto o = CreateOrder(s);
    EXPECT_EQ(Payer("pay", o["hppOrderId"]).status, 200);
    auto read = ReadOrder(s, o["hppOrderId"]).json();
    if (order != nullptr) *order = read;
    return read["operations"][0].value("operationId", "");
  }
};

TEST_F(RefundTest, APartialRefundAnswersTheDocumentedOperationEncryptedToTheMerchant) {
  auto s = Authorize();
  nlohmann::json order;
  std::string op = Paid(s, &order);
  auto [reply, answer] = Refund(s, testing::ExampleRefund(op, 500));
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(answer["type"], "REFUND");
  EXPECT_EQ(answer["status"], "SUCCESS");
  EXPECT_EQ(answer["coinAmount"], 500);
  EXPECT_TRUE(answer["coinAmount"].is_number_integer());  // "int" in the output table
  EXPECT_EQ(answer["merchantRequestId"], "137d9304-0368-11ed-b939-0242ac120002");
  EXPECT_EQ(answer["comment"], "merchant Comment id 1258728c1");
  EXPECT_EQ(answer["transactionCurrency"], "980");
  for (const char* f : {"rrn", "merchantId", "operationId", "ecomOperationId", "merchantName", "approvalCode",
                        "createDateTime"}) {
    EXPECT_TRUE(answer.contains(f) && !answer[f].get<std::string>().empty()) << f;
  }
  EXPECT_NE(answer["operationId"], op);  // the refund is an operation of its own
  auto read = ReadOrder(s, order["hppOrderId"]).json();
  ASSERT_EQ(read["operations"].size(), 2u);
  EXPECT_EQ(read["operations"][1]["type"], "REFUND");
  EXPECT_EQ(read["operations"][1]["operationId"], answer["operationId"]);
}

TEST_F(RefundTest, RefundsAddUpToThePaymentAndNeverBeyond) {
  auto s = Authorize();
  std::string op = Paid(s);
  EXPECT_EQ(Refund(s, testing::ExampleRefund(op, 600)).first.status, 200);
  auto beyond = Refund(s, testing::ExampleRefund(op, 1401));
  EXPECT_EQ(beyond.first.status, 200);  // the bank's error-code page gives it 200
  EXPECT_EQ(beyond.second["msgCode"], "b_payment_invalid_refund_amount");
  EXPECT_EQ(beyond.second["msgType"], "ERROR");
  EXPECT_EQ(Refund(s, testing::ExampleRefund(op, 1400)).first.status, 200);  // the rest: a full refund
  EXPECT_EQ(Refund(s, testing::ExampleRefund(op, 1)).second["msgCode"], "b_payment_invalid_refund_amount");
  EXPECT_EQ(Stats()["alliance"][kCode]["rejected"]["b_payment_invalid_refund_amount"], 2);
}

TEST_F(RefundTest, OnlyASuccessfulPaymentCanBeRefunded) {
  auto s = Authorize();
  auto o = CreateOrder(s);
  ASSERT_EQ(Payer("fail", o["hppOrderId"]).status, 200);
  std::string failed = ReadOrder(s, o["hppOrderId"]).json()["operations"][0]["operationId"];
  // A known operation that is not a successful payment, then one nobody made.
  auto failed_refund = Refund(s, testing::ExampleRefund(failed, 100));
  EXPECT_EQ(failed_refund.first.status, 200);
  EXPECT_EQ(failed_refund.second["msgCode"], "b_payment_invalid_refund_status");
  auto unknown = Refund(s, testing::ExampleRefund("1712844596346b9F-WwrWZpq", 100));
  EXPECT_EQ(unknown.first.status, 200);
  EXPECT_EQ(unknown.second["msgCode"], "b_operation_not_found");
  EXPECT_EQ(unknown.second["msgText"], "@Operation not found");
  // Another merchant's successful payment is unknown to this one.
  std::string paid = Paid(s);
  auto other = OtherMerchantsSession();
  EXPECT_EQ(Refund(other, testing::ExampleRefund(paid, 100)).second["msgCode"], "b_operation_not_found");
}

TEST_F(RefundTest, AJweThatDoesNotDecryptOrAPlainBodyIsAClearError) {
  auto s = Authorize();
  std::string op = Paid(s);
  const std::string path = "/ecom/execute_request/payments/v3/refund";
  // Encrypted to the merchant's own key instead of serverPublic.
  auto wrong = jose::EncryptCompact(testing::ExampleRefund(op, 100).dump(), merchant_key_.PublicOnly());
  const struct {
    std::string body;
    int status;
    const char* code;
  } cases[] = {
      {nlohmann::json{{"jwe", *wrong}}.dump(), 200, "b_encryptor_failed_decrypt_message"},
      {"a.b.c.d.e", 200, "b_encryptor_failed_decrypt_message"},
      {testing::ExampleRefund(op, 100).dump(), 400, "b_request_is_not_correct"},  // not encrypted
      {R"({"jwe": 5})", 400, "b_request_is_not_correct"},  // the wrong type: not a 500
      {R"({"jwe": null})", 400, "b_request_is_not_correct"},
      {"{not json", 400, "b_error_parse_json"},
      {"", 400, "b_error_parse_json"},
  };
  for (const auto& c : cases) {
    auto r = CallBank(s, path, true, c.body);
    EXPECT_EQ(r.status, c.status) << c.body;
    EXPECT_EQ(r.json()["msgCode"], c.code) << c.body;
    EXPECT_EQ(r.json()["msgType"], "ERROR") << c.body;
  }
  // A serverPublic of an older session no longer decrypts.
  auto newer = Authorize();
  auto stale = Refund(s, testing::ExampleRefund(op, 100));
  EXPECT_EQ(stale.first.status, 200);  // the old session is still live: its key still works
  auto mixed = s;
  mixed["serverPublic"] = newer["serverPublic"];
  EXPECT_EQ(Refund(mixed, testing::ExampleRefund(op, 100)).second["msgCode"], "b_encryptor_failed_decrypt_message");
}

TEST_F(RefundTest, TheBareCompactJweIsReadToo) {
  auto s = Authorize();
  std::string op = Paid(s);
  auto server = *jose::EcKey::FromJwk(s["serverPublic"]);
  auto jwe = *jose::EncryptCompact(testing::ExampleRefund(op, 100).dump(), server);
  auto r = CallBank(s, "/ecom/execute_request/payments/v3/refund", true, jwe);
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(RefundTest, EveryRefundFieldIsCheckedByName) {
  auto s = Authorize();
  std::string op = Paid(s);
  for (const char* field : {"merchantRequestId", "merchantId", "operationId", "coinAmount", "date"}) {
    auto payload = testing::ExampleRefund(op, 100);
    payload.erase(field);
    auto r = Refund(s, payload);
    EXPECT_EQ(r.first.status, 400) << field;
    EXPECT_NE(r.second.value("msgText", "").find(field), std::string::npos) << r.first.body;
  }
  for (const auto& [field, value] : std::vector<std::pair<std::string, nlohmann::json>>{
           {"coinAmount", "-5"}, {"coinAmount", "12.5"}, {"coinAmount", 0}, {"date", "yesterday"}}) {
    auto payload = testing::ExampleRefund(op, 100);
    payload[field] = value;
    EXPECT_NE(Refund(s, payload).second.value("msgText", "").find(field), std::string::npos) << field;
  }
  auto as_number = testing::ExampleRefund(op, 100);
  as_number["coinAmount"] = 100;  // a JSON number is read as well as the documented string
  EXPECT_EQ(Refund(s, as_number).first.status, 200);
}

TEST_F(RefundTest, ARefundNeedsTheSessionLikeEveryCall) {
  auto s = Authorize();
  std::string op = Paid(s);
  Advance(86400);
  auto r = Refund(s, testing::ExampleRefund(op, 100));
  EXPECT_EQ(r.first.status, 401);
  EXPECT_EQ(r.second["msgCode"], "b_expired_token");
}

}  // namespace
}  // namespace tokenwarden::emulator
