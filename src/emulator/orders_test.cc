// Contract tests of create-order and "Receiving order data", built from the
// examples on docs.merchant.alb.ua.
#include <gtest/gtest.h>

#include <regex>

#include "emulator/emulator_test_util.h"
#include "util/time_format.h"

namespace tokenwarden::emulator {
namespace {

using Orders = EmulatorFixture;

const std::regex kHppId(R"(\d{13}[A-Za-z0-9_-]{11})");
const std::regex kUuid(R"([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})");
// "2024-10-23 11:55:36.41+03:00"
const std::regex kOrderDate(R"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d\d\+0[23]:00)");

bool Matches(const nlohmann::json& v, const std::regex& re) {
  return v.is_string() && std::regex_match(v.get<std::string>(), re);
}

// No field the bank gives a value is ever sent as "".
void ExpectNoEmptyString(const nlohmann::json& j, const std::string& where = "") {
  for (auto it = j.begin(); it != j.end(); ++it) {
    std::string name = where + (j.is_object() ? "." + it.key() : "[]");
    if (it->is_string()) {
      EXPECT_FALSE(it->get<std::string>().empty()) << name;
    }
    if (it->is_structured()) ExpectNoEmptyString(*it, name);
  }
}

TEST_F(Orders, CreateOrderAnswersEveryDocumentedFieldWithItsType) {
  auto s = Authorize();
  nlohmann::json in = testing::ExampleOrder();
  auto o = CreateOrder(s, in);
  EXPECT_TRUE(Matches(o["hppOrderId"], kHppId)) << o["hppOrderId"];
  EXPECT_TRUE(Matches(o["ecomOrderId"], kUuid)) << o["ecomOrderId"];
  EXPECT_TRUE(o["coinAmount"].is_number_integer());
  EXPECT_EQ(o["coinAmount"], 2000);
  std::string id = o["hppOrderId"];
  EXPECT_TRUE(o["redirectUrl"].get<std::string>().ends_with("/?hpp_id=" + id)) << o["redirectUrl"];
  EXPECT_TRUE(o["statusUrl"].get<std::string>().ends_with("/?hpp_id=" + id)) << o["statusUrl"];
  EXPECT_NE(o["redirectUrl"], o["statusUrl"]);
  // The echoed fields.
  EXPECT_EQ(o["merchantId"], in["merchantId"]);
  EXPECT_EQ(o["merchantRequestId"], in["merchantRequestId"]);
  EXPECT_EQ(o["hppPayType"], "PURCHASE");
  EXPECT_EQ(o["paymentMethods"], nlohmann::json::array({"CARD"}));
  EXPECT_EQ(o["notificationUrl"], in["notificationUrl"]);
  EXPECT_EQ(o["orderStatus"], "PENDING");
  EXPECT_EQ(o["operations"], nlohmann::json::array());
  // Both dates in the example's shape, 15 minutes apart as in the examples.
  ASSERT_TRUE(Matches(o["createDate"], kOrderDate)) << o["createDate"];
  ASSERT_TRUE(Matches(o["expiredOrderDate"], kOrderDate)) << o["expiredOrderDate"];
  EXPECT_EQ(ToUnixSeconds(*ParseTimestamp(o["createDate"].get<std::string>())), 1740658354);
  EXPECT_EQ(ToUnixSeconds(*ParseTimestamp(o["expiredOrderDate"].get<std::string>())), 1740658354 + 15 * 60);
  ExpectNoEmptyString(o);
}

TEST_F(Orders, ReadingTheOrderBackAnswersTheSameOrder) {
  auto s = Authorize();
  auto o = CreateOrder(s);
  auto r = ReadOrder(s, o["hppOrderId"]);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json(), o);
}

TEST_F(Orders, EveryMissingMandatoryFieldIsNamed) {
  auto s = Authorize();
  for (const char* field : {"merchantRequestId", "merchantId", "hppPayType", "coinAmount", "paymentMethods",
                            "successUrl", "failUrl", "statusPageType", "customerData"}) {
    nlohmann::json order = testing::ExampleOrder();
    order.erase(field);
    auto r = CallBank(s, "/ecom/execute_request/hpp/v1/create-order", true, order.dump());
    EXPECT_EQ(r.status, 400) << field;
    EXPECT_EQ(r.json()["msgCode"], "b_request_is_not_correct") << field;
    EXPECT_NE(r.json()["msgText"].get<std::string>().find(field), std::string::npos) << r.body;
  }
  nlohmann::json order = testing::ExampleOrder();
  order["customerData"].erase("senderCustomerId");
  auto r = CallBank(s, "/ecom/execute_request/hpp/v1/create-order", true, order.dump());
  EXPECT_NE(r.json()["msgText"].get<std::string>().find("customerData.senderCustomerId"), std::string::npos) << r.body;
}

TEST_F(Orders, WrongTypesAndValuesAreRefusedByName) {
  auto s = Authorize();
  std::vector<std::pair<std::string, nlohmann::json>> bad = {
      {"coinAmount", "2000"},          {"coinAmount", 0},         {"coinAmount", 20.5},
      {"hppPayType", "REFUND"},        {"paymentMethods", "CASH"}, {"paymentMethods", nlohmann::json::array()},
      {"statusPageType", "NONE"},      {"merchantRequestId", std::string(37, 'x')},
      {"notificationUrl", 5},          {"expirationTimeMinutes", 0}, {"notificationEncryption", "yes"},
      {"directType", "POPUP"}};
  for (const auto& [field, value] : bad) {
    nlohmann::json order = testing::ExampleOrder();
    order[field] = value;
    auto r = CallBank(s, "/ecom/execute_request/hpp/v1/create-order", true, order.dump());
    EXPECT_EQ(r.status, 400) << field << "=" << value.dump();
    EXPECT_NE(r.json().value("msgText", "").find(field), std::string::npos) << r.body;
  }
  EXPECT_EQ(Stats()["alliance"][kCode]["api_calls"], 0);
}

TEST_F(Orders, TheDocumentedAlternativeFormsAreRead) {
  auto s = Authorize();
  nlohmann::json order = testing::ExampleOrder();
  order["paymentMethods"] = "APPLE_PAY";      // "enum" in the table
  order["statusPageType"] = "statusPage";     // the older page's value
  order["notificationEncryption"] = "false";
  order["expirationTimeMinutes"] = 1440;      // the documented example
  order["directType"] = "BANK_LINK";
  auto o = CreateOrder(s, order);
  EXPECT_EQ(o["paymentMethods"], nlohmann::json::array({"APPLE_PAY"}));
  EXPECT_EQ(ToUnixSeconds(*ParseTimestamp(o["expiredOrderDate"].get<std::string>())), 1740658354 + 86400);
  order.erase("notificationUrl");
  EXPECT_FALSE(CreateOrder(s, order).contains("notificationUrl"));  // left out, not ""
}

TEST_F(Orders, TheRegisteredMerchantIdIsEnforced) {
  ASSERT_EQ(Call("POST", "/_emulator/alliance/merchants", {},
                 nlohmann::json{{"serviceCode", kCode}, {"clientPublicJwk", merchant_key_.PublicJwk()},
                                {"merchantId", "137d9304-0368-11ed-b939-0242ac120002"}}.dump()).status, 201);
  auto s = Authorize();
  CreateOrder(s);
  nlohmann::json other = testing::ExampleOrder();
  other["merchantId"] = "00000000-0000-4000-8000-000000000000";
  auto r = CallBank(s, "/ecom/execute_request/hpp/v1/create-order", true, other.dump());
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.json()["msgCode"], "b_user_merchant_request_mismatch");
  EXPECT_NE(r.json()["msgText"].get<std::string>().find("merchantId"), std::string::npos);
}

TEST_F(Orders, TheRegisteredMerchantNameNamesTheOperations) {
  ASSERT_EQ(Call("POST", "/_emulator/alliance/merchants", {},
                 nlohmann::json{{"serviceCode", kCode}, {"clientPublicJwk", merchant_key_.PublicJwk()},
                                {"merchantName", "KB test terminal"}}.dump()).status, 201);
  auto s = Authorize();
  auto o = CreateOrder(s);
  ASSERT_EQ(Payer("pay", o["hppOrderId"]).status, 200);
  EXPECT_EQ(ReadOrder(s, o["hppOrderId"]).json()["operations"][0]["merchantName"], "KB test terminal");
}

TEST_F(Orders, ThePayerPaysFailsOrLetsTheOrderExpire) {
  auto s = Authorize();
  auto paid = CreateOrder(s), failed = CreateOrder(s), expired = CreateOrder(s);
  ASSERT_EQ(Payer("pay", paid["hppOrderId"]).status, 200);
  ASSERT_EQ(Payer("fail", failed["hppOrderId"]).status, 200);
  ASSERT_EQ(Payer("expire", expired["hppOrderId"]).status, 200);

  auto p = ReadOrder(s, paid["hppOrderId"]).json();
  EXPECT_EQ(p["orderStatus"], "SUCCESS");
  ASSERT_EQ(p["operations"].size(), 1u);
  auto op = p["operations"][0];
  EXPECT_EQ(op["type"], "PURCHASE");
  EXPECT_EQ(op["status"], "SUCCESS");
  EXPECT_EQ(op["coinAmount"], 2000);
  EXPECT_TRUE(Matches(op["operationId"], kHppId)) << op;
  EXPECT_TRUE(Matches(op["ecomOperationId"], kUuid)) << op;
  EXPECT_TRUE(Matches(op["rrn"], std::regex(R"(\d{10})"))) << op;
  EXPECT_TRUE(Matches(op["approvalCode"], std::regex(R"(\d{5})"))) << op;
  EXPECT_EQ(op["transactionCurrency"], "980");
  EXPECT_EQ(op["transactionType"], "35");
  EXPECT_EQ(op["merchantRequestId"], paid["merchantRequestId"]);
  EXPECT_EQ(op["purpose"], "For goods");
  ExpectNoEmptyString(p);

  auto f = ReadOrder(s, failed["hppOrderId"]).json();
  EXPECT_EQ(f["orderStatus"], "FAIL");
  EXPECT_EQ(f["operations"][0]["status"], "FAIL");
  EXPECT_FALSE(f["operations"][0].contains("approvalCode"));
  EXPECT_EQ(ReadOrder(s, expired["hppOrderId"]).json()["orderStatus"], "EXPIRED");

  EXPECT_EQ(Payer("pay", paid["hppOrderId"]).status, 409);  // no longer PENDING
  EXPECT_EQ(Payer("pay", "no-such-order").status, 404);
  EXPECT_EQ(Payer("dance", paid["hppOrderId"]).status, 400);
}

TEST_F(Orders, AnUnpaidOrderExpiresAtItsDateOnTheEmulatorClock) {
  auto s = Authorize();
  auto o = CreateOrder(s);
  Advance(14 * 60);
  EXPECT_EQ(ReadOrder(s, o["hppOrderId"]).json()["orderStatus"], "PENDING");
  Advance(60);
  EXPECT_EQ(ReadOrder(s, o["hppOrderId"]).json()["orderStatus"], "EXPIRED");
  EXPECT_EQ(Payer("pay", o["hppOrderId"]).status, 409);
}

TEST_F(Orders, UnknownAndForeignOrdersAreNotFound) {
  auto s = Authorize();
  auto o = CreateOrder(s);
  auto r = ReadOrder(s, "1729673735773zTmfRBLPRgE");
  EXPECT_EQ(r.status, 404);  // as the bank's error-code page gives it
  EXPECT_EQ(r.json()["msgCode"], "b_hpp_order_not_found");
  EXPECT_EQ(r.json()["msgText"], "@The HPP order not found");
  auto session = OtherMerchantsSession();
  EXPECT_EQ(ReadOrder(session, o["hppOrderId"]).json()["msgCode"], "b_hpp_order_not_found");
  auto empty = ReadOrder(s, "");
  EXPECT_EQ(empty.status, 400);
  EXPECT_EQ(empty.json()["msgCode"], "b_request_is_not_correct");
  EXPECT_NE(empty.json()["msgText"].get<std::string>().find("hppOrderId"), std::string::npos) << empty.body;
}

TEST_F(Orders, OldOrdersAreForgottenSoTheStateStaysBounded) {
  auto s = Authorize();
  ASSERT_EQ(Call("POST", "/_emulator/settings", {}, R"({"max_orders": 2})").status, 200);
  auto first = CreateOrder(s);
  CreateOrder(s);
  Advance(1);
  CreateOrder(s);
  CreateOrder(s);
  EXPECT_EQ(ReadOrder(s, first["hppOrderId"]).json()["msgCode"], "b_hpp_order_not_found");
  EXPECT_LE(Stats()["alliance"][kCode]["orders"], 2);
  Advance(8 * 86400);  // past the week an order is kept
  EXPECT_EQ(Stats()["alliance"][kCode]["orders"], 0);
}

TEST_F(Orders, EveryJourneyCallNeedsTheSessionAndTakesInjectedErrors) {
  auto s = Authorize();
  for (const char* path : {"/ecom/execute_request/hpp/v1/create-order", "/ecom/execute_request/hpp/v1/operations",
                           "/ecom/execute_request/payments/v3/refund", "/ecom/execute_request/payments/v1/operations",
                           "/ecom/execute_request/payments/v1/operation/by_merchant_request_id"}) {
    auto absent = CallBank(s, path, false);
    EXPECT_EQ(absent.json()["msgCode"], "b_refresh_token_absent") << path;
    auto foreign = s;
    foreign["deviceId"] = "another-merchants-device";
    auto unknown = CallBank(foreign, path);
    EXPECT_EQ(unknown.status, 401) << path;
    EXPECT_EQ(unknown.json()["msgCode"], "b_unknown_device") << path;
    auto used = s;
    used["refreshToken"] = "an-old-token";
    EXPECT_EQ(CallBank(used, path).json()["msgCode"], "b_used_token") << path;
    Fault({{"kind", "error"}, {"msgCode", "b_server_is_overloaded"}, {"path_prefix", path}});
    auto overloaded = CallBank(s, path);
    EXPECT_EQ(overloaded.status, 503) << path;
    EXPECT_EQ(overloaded.json()["msgCode"], "b_server_is_overloaded") << path;
  }
}

TEST_F(Orders, MalformedOrHugeBodiesGetAClearErrorAndTheEmulatorGoesOn) {
  auto s = Authorize();
  for (const char* path : {"/ecom/execute_request/hpp/v1/create-order", "/ecom/execute_request/hpp/v1/operations",
                           "/ecom/execute_request/payments/v3/refund", "/ecom/execute_request/payments/v1/operations",
                           "/ecom/execute_request/payments/v1/operation/by_merchant_request_id"}) {
    for (const std::string& body : {std::string("{not json"), std::string("[1,2]"), std::string("\"str\"")}) {
      auto r = CallBank(s, path, true, body);
      EXPECT_EQ(r.status, 400) << path << " " << body;
      EXPECT_EQ(r.json()["msgCode"], "b_error_parse_json") << path << " " << body;
      EXPECT_EQ(r.json()["msgText"].get<std::string>().rfind("JSON parse error: ", 0), 0u) << r.body;
    }
    auto huge = CallBank(s, path, true, std::string(100 * 1024, 'x'));  // past the 64 KiB the fixture allows
    EXPECT_EQ(huge.status, 413) << path;
    EXPECT_EQ(huge.json()["msgCode"], "b_bad_request") << path;
  }
  EXPECT_EQ(CreateOrder(s)["orderStatus"], "PENDING");  // still serving
}

}  // namespace
}  // namespace tokenwarden::emulator
