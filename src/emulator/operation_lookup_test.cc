// Contract tests of "Getting data" by OPERATION_ID and by merchantRequestId
// (ecomalb/ecom-docs, platizhni-metodi-h2h/otrimannya-danikh/), built from
// the pages' own request examples and output tables.
#include <gtest/gtest.h>

#include <regex>

#include "emulator/emulator_test_util.h"
#include "util/time_format.h"

namespace tokenwarden::emulator {
namespace {

constexpr const char* kById = "/ecom/execute_request/payments/v1/operations";
constexpr const char* kByRequestId = "/ecom/execute_request/payments/v1/operation/by_merchant_request_id";
// The merchantRequestId of the pages' output table.
constexpr const char* kDocRequestId = "72837906-f526-4aef-8d11-58d80b44cb75";

class OperationLookup : public EmulatorFixture {
 protected:
  testing::HttpReply ById(const nlohmann::json& s, const std::string& id) {
    return CallBank(s, kById, true, nlohmann::json{{"id", id}}.dump());  // the page's request example's form
  }
  testing::HttpReply ByRequestId(const nlohmann::json& s, const std::string& id) {
    return CallBank(s, kByRequestId, true, nlohmann::json{{"merchantRequestId", id}}.dump());
  }
  // A paid order made with `request_id`, read back by hppOrderId.
  nlohmann::json PaidOrder(const nlohmann::json& s, const std::string& request_id = kDocRequestId) {
    auto o = CreateOrder(s, testing::ExampleOrder(request_id, 2000));
    EXPECT_EQ(Payer("pay", o["hppOrderId"]).status, 200);
    return ReadOrder(s, o["hppOrderId"]).json();
  }
};

TEST_F(OperationLookup, ByIdAnswersThePurchaseWithTheDocumentedFields) {
  auto s = Authorize();
  auto order = PaidOrder(s);
  nlohmann::json in_order = order["operations"][0];
  auto r = ById(s, in_order["operationId"]);
  ASSERT_EQ(r.status, 200) << r.body;
  auto op = r.json();
  // The operation itself, not wrapped in its order.
  EXPECT_FALSE(op.contains("operations"));
  EXPECT_EQ(op["type"], "PURCHASE");
  EXPECT_EQ(op["status"], "SUCCESS");
  EXPECT_TRUE(op["coinAmount"].is_number_integer());  // "int" in the table, 444 in the example
  EXPECT_EQ(op["coinAmount"], 2000);
  EXPECT_EQ(op["merchantRequestId"], kDocRequestId);
  EXPECT_EQ(op["transactionCurrency"], "980");
  EXPECT_EQ(op["hppOrderId"], order["hppOrderId"]);  // as in the PURCHASE example
  // The same operation as "Receiving order data" lists, field by field,
  // but for the dates, which the lookup pages write in their own shape.
  for (const char* f : {"type", "rrn", "coinAmount", "merchantId", "operationId", "ecomOperationId", "merchantName",
                        "approvalCode", "status", "transactionType", "merchantRequestId", "transactionCurrency",
                        "merchantCommission", "purpose", "comment"}) {
    EXPECT_EQ(op[f], in_order[f]) << f;
  }
  const std::regex kLookupDate(R"(\d{4}\.\d\d\.\d\d \d\d:\d\d:\d\d\.\d{3})");  // "2024.09.19 15:29:25.675"
  for (const char* f : {"createDateTime", "modificationDateTime"}) {
    ASSERT_TRUE(op[f].is_string() && std::regex_match(op[f].get<std::string>(), kLookupDate)) << f << " " << op[f];
    EXPECT_EQ(ToUnixSeconds(*ParseTimestamp(op[f].get<std::string>())), 1740658354) << f;  // Kyiv local, read back
  }
  EXPECT_FALSE(op.contains("originalOperationId"));  // a refund's field only
}

TEST_F(OperationLookup, ARefundReadByIdNamesThePurchaseItReturns) {
  auto s = Authorize();
  auto order = PaidOrder(s);
  std::string purchase = order["operations"][0]["operationId"];
  auto [reply, refund] = Refund(s, testing::ExampleRefund(purchase, 500));
  ASSERT_EQ(reply.status, 200) << reply.body;
  auto r = ById(s, refund["operationId"]);
  ASSERT_EQ(r.status, 200) << r.body;
  auto op = r.json();
  EXPECT_EQ(op["type"], "REFUND");
  EXPECT_EQ(op["coinAmount"], 500);
  EXPECT_EQ(op["ecomOperationId"], refund["ecomOperationId"]);
  EXPECT_EQ(op["originalOperationId"], purchase);
  EXPECT_EQ(op["originalCoinAmount"], 2000);
  EXPECT_EQ(op["hppOrderId"], order["hppOrderId"]);
  // The purchase still reads as it was.
  EXPECT_EQ(ById(s, purchase).json()["type"], "PURCHASE");
}

TEST_F(OperationLookup, ByMerchantRequestIdFindsTheOperationMadeWithIt) {
  auto s = Authorize();
  CreateOrder(s, testing::ExampleOrder("not-paid-yet", 2000));
  auto r = ByRequestId(s, "not-paid-yet");  // an order alone is no operation
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.json()["msgCode"], "payment_operation_not_found");

  auto order = PaidOrder(s);
  std::string purchase = order["operations"][0]["operationId"];
  auto found = ByRequestId(s, kDocRequestId);
  ASSERT_EQ(found.status, 200) << found.body;
  EXPECT_EQ(found.json()["operationId"], purchase);
  EXPECT_EQ(found.json(), ById(s, purchase).json());  // both lookups answer the same operation

  nlohmann::json refund = testing::ExampleRefund(purchase, 300);
  refund["merchantRequestId"] = "65d5dd3e-a07e-424f-adde-b608205a82ee";  // the A2C example's, a refund's own
  ASSERT_EQ(Refund(s, refund).first.status, 200);
  auto by_refund = ByRequestId(s, "65d5dd3e-a07e-424f-adde-b608205a82ee").json();
  EXPECT_EQ(by_refund["type"], "REFUND");
  EXPECT_EQ(by_refund["coinAmount"], 300);
  EXPECT_EQ(ByRequestId(s, kDocRequestId).json()["operationId"], purchase);
}

TEST_F(OperationLookup, UnknownForeignAndMalformedIdsAreRefused) {
  auto s = Authorize();
  auto order = PaidOrder(s);
  std::string purchase = order["operations"][0]["operationId"];
  // The id of the page's request example was never issued here.
  auto unknown = ById(s, "16849296265235MUp5dm2pxD");
  EXPECT_EQ(unknown.status, 404);  // as the bank's error-code page gives it
  EXPECT_EQ(unknown.json()["msgCode"], "payment_operation_not_found");
  EXPECT_EQ(unknown.json()["msgText"], "@Payment operation is not found.");
  EXPECT_EQ(unknown.json()["msgType"], "ERROR");
  // The order's hppOrderId is not an operation's id.
  EXPECT_EQ(ById(s, order["hppOrderId"]).json()["msgCode"], "payment_operation_not_found");

  auto foreign = OtherMerchantsSession();
  EXPECT_EQ(ById(foreign, purchase).json()["msgCode"], "payment_operation_not_found");
  EXPECT_EQ(ByRequestId(foreign, kDocRequestId).json()["msgCode"], "payment_operation_not_found");

  for (const auto& [path, field] : {std::pair{kById, "id"}, std::pair{kByRequestId, "merchantRequestId"}}) {
    for (const nlohmann::json& body : {nlohmann::json::object(), nlohmann::json{{field, 17}},
                                       nlohmann::json{{field, ""}}, nlohmann::json{{field, std::string(65, 'x')}}}) {
      auto r = CallBank(s, path, true, body.dump());
      EXPECT_EQ(r.status, 400) << path << " " << body;
      EXPECT_EQ(r.json()["msgCode"], "b_request_is_not_correct") << path << " " << body;
      EXPECT_NE(r.json().value("msgText", "").find(field), std::string::npos) << r.body;
    }
  }
  // The two foreign lookups count against the other merchant.
  EXPECT_EQ(Stats()["alliance"][kCode]["rejected"]["payment_operation_not_found"], 2);
}

}  // namespace
}  // namespace tokenwarden::emulator
