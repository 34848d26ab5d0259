// BasicTracking (GET /v.1.0/shipments/tracking/history, api-portal.novapost.com
// "Tracking shipment") and the control API's courier that moves a shipment
// through its tracking statuses.
#include <gtest/gtest.h>

#include <set>

#include "emulator/shipments_test_util.h"

namespace tokenwarden::emulator {
namespace {

using NovaPostTracking = ShipmentsFixture;

std::vector<std::string> Codes(const nlohmann::json& item) {
  std::vector<std::string> out;
  for (const auto& h : item["history_tracking"]) out.push_back(h["code"]);
  return out;
}

// The documented example: {"items": [{"id": "111003", "number": "SHPL1234567890",
// "history_tracking": [{"code": "1", "code_name": ..., "country_code": "PL",
// "settlement": ..., "date": "2023-03-10T05:57:09.626014Z"}], "related_numbers": [...]}]}
TEST_F(NovaPostTracking, ANewShipmentIsReadyToSendInTheDocumentedShape) {
  auto s = Create(ExampleEuEu());
  std::string number = s["number"];
  auto r = Track(number);
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = r.json();
  EXPECT_EQ(Keys(j), (std::set<std::string>{"items"}));
  ASSERT_EQ(j["items"].size(), 1u);
  auto item = j["items"][0];
  EXPECT_EQ(Keys(item), (std::set<std::string>{"id", "number", "history_tracking"}));
  EXPECT_EQ(item["id"], std::to_string(s["id"].get<long long>()));  // a string, as in the example
  EXPECT_EQ(item["number"], number);
  ASSERT_EQ(item["history_tracking"].size(), 1u);
  auto h = item["history_tracking"][0];
  EXPECT_EQ(Keys(h), (std::set<std::string>{"code", "code_name", "country_code", "settlement", "date"}));
  EXPECT_EQ(h["code"], "1");
  EXPECT_EQ(h["code_name"], "Ready to send");
  EXPECT_EQ(h["country_code"], "CZ");  // set where the sender is
  EXPECT_EQ(h["date"], s["createdAt"]);
  // extended=1 adds the related shipments: the emulator makes none.
  auto extended = Track(number, "&extended=1").json()["items"][0];
  ASSERT_TRUE(extended.contains("related_numbers"));
  EXPECT_TRUE(extended["related_numbers"].empty());
}

TEST_F(NovaPostTracking, TheCourierMovesAShipmentToADivisionAndCloses) {
  auto s = Create(ExampleEuEu());
  std::string number = s["number"];
  std::vector<std::string> statuses;
  for (int i = 0; i < 5; ++i) {
    Advance(3600);
    auto r = Courier(number);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json()["number"], number);
    jwt_ = Call("GET", "/v.1.0/clients/authorization?apiKey=np-key-1").json()["jwt"];
    statuses.push_back(Get("/v.1.0/shipments?numbers[]=" + number).json()["items"][0]["status"]);
  }
  auto item = Track(number).json()["items"][0];
  EXPECT_EQ(Codes(item), (std::vector<std::string>{"1", "4", "5", "6", "7", "9"}));
  EXPECT_EQ(item["history_tracking"][4]["code_name"], "Arrived (at the Division)");
  EXPECT_EQ(item["history_tracking"][5]["code_name"], "Closed");
  EXPECT_EQ(item["history_tracking"][2]["country_code"], "CZ");  // sent from the sender's division
  EXPECT_EQ(item["history_tracking"][3]["country_code"], "PL");  // arrived in the recipient's city
  EXPECT_EQ(item["history_tracking"][1]["date"], "2025-02-27T13:12:34.000000Z");
  EXPECT_EQ(statuses, (std::vector<std::string>{"Accepted", "Accepted", "Accepted", "Accepted", "Issued"}));
  auto listed = Get("/v.1.0/shipments?numbers[]=" + number).json()["items"][0];
  EXPECT_EQ(listed["version"], 6);
  EXPECT_EQ(listed["closingDate"], item["history_tracking"][5]["date"]);
  auto closed = Courier(number);
  EXPECT_EQ(closed.status, 409) << closed.body;
}

TEST_F(NovaPostTracking, ToAnAddressTheCourierDelivers) {
  auto s = Create(ExampleUaEu());
  std::string number = s["number"];
  for (int i = 0; i < 5; ++i) ASSERT_EQ(Courier(number).status, 200);
  auto item = Track(number).json()["items"][0];
  EXPECT_EQ(Codes(item), (std::vector<std::string>{"1", "4", "5", "6", "101", "9"}));
  EXPECT_EQ(item["history_tracking"][4]["code_name"], "Uploaded to the courier for delivery to the address");
  EXPECT_EQ(item["history_tracking"][4]["settlement"], "Vilnius");  // the recipient's address
  EXPECT_EQ(item["history_tracking"][0]["settlement"], "");         // a division the emulator cannot name
}

TEST_F(NovaPostTracking, SeveralNumbersOneItemEach) {
  std::string a = Create()["number"], b = Create(ExampleUaUa())["number"];
  auto r = Get("/v.1.0/shipments/tracking/history?numbers[]=" + a + "&numbers[]=" + b + "&numbers[]=" + a +
               "&numbers[]=SHPL0000000000");
  ASSERT_EQ(r.status, 200) << r.body;
  auto items = r.json()["items"];
  ASSERT_EQ(items.size(), 2u);  // the unknown left out, the repeat once
  EXPECT_EQ(items[0]["number"], a);
  EXPECT_EQ(items[1]["number"], b);
}

TEST_F(NovaPostTracking, UnknownNumbersAndBadRequests) {
  auto unknown = Track("SHPL1234567890");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.json()["message"], "The specified resource was not found");
  EXPECT_TRUE(unknown.json()["errors"].contains("numbers[]"));
  auto none = Get("/v.1.0/shipments/tracking/history");
  EXPECT_EQ(none.status, 422);
  EXPECT_TRUE(none.json()["errors"].contains("numbers[]"));
  EXPECT_EQ(Get("/v.1.0/shipments/tracking/history?numbers[]=%00%ff").status, 404);
  EXPECT_EQ(Call("POST", "/v.1.0/shipments/tracking/history", {{"Authorization", jwt_}}).status, 404);
}

TEST_F(NovaPostTracking, TheCourierIsAControlCall) {
  EXPECT_EQ(Courier("SHPL0000000000").status, 404);
  for (const char* body : {"{}", R"({"number": 7})", "[]", "{"}) {
    EXPECT_EQ(Call("POST", "/_emulator/novapost/shipments/advance", {}, body).status, 400) << body;
  }
  std::string number = Create()["number"];
  ASSERT_EQ(Call("POST", "/_emulator/reset").status, 200);
  EXPECT_EQ(Courier(number).status, 404);  // reset forgets shipments
}

}  // namespace
}  // namespace tokenwarden::emulator
