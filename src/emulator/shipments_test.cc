// POST and GET /v.1.0/shipments against "Create Shipment" and "Find
// Shipments List" (api-portal.novapost.com/metodi-1/methods/shipments).
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "emulator/shipments_test_util.h"

namespace tokenwarden::emulator {
namespace {

using NovaPostShipments = ShipmentsFixture;

// The documented 201 example: the same fields, of the same types.
TEST_F(NovaPostShipments, CreateAnswersTheDocumentedExampleFields) {
  const auto example = nlohmann::json::parse(R"({"id": 113677, "number": "SHLT4009860665",
      "scheduledDeliveryDate": "2023-04-14T09:00:00.000000Z", "status": "ReadyToShip", "cost": 31,
      "parcelsAmount": 1, "createdAt": "2023-04-11T10:42:05.543380Z",
      "updatedAt": "2023-04-11T10:42:05.543380Z", "deletedAt": null})");
  auto s = Create(ExampleEuEu());
  EXPECT_EQ(Keys(s), Keys(example));
  EXPECT_TRUE(s["id"].is_number_integer() && s["id"] >= 1);
  EXPECT_TRUE(std::regex_match(s["number"].get<std::string>(), std::regex("SHCZ\\d{10}"))) << s;  // sender in CZ
  EXPECT_EQ(s["status"], "ReadyToShip");
  EXPECT_TRUE(s["cost"].is_number());
  EXPECT_EQ(s["parcelsAmount"], 2);
  EXPECT_EQ(s["createdAt"], "2025-02-27T12:12:34.000000Z");  // the fixture's clock, in the example's shape
  EXPECT_EQ(s["updatedAt"], s["createdAt"]);
  EXPECT_TRUE(s["deletedAt"].is_null());
  EXPECT_TRUE(s["scheduledDeliveryDate"].is_null());  // nullable: the emulator plans no route
}

TEST_F(NovaPostShipments, EveryDocumentedRequestExampleIsAccepted) {
  auto ua_eu = Create(ExampleUaEu());
  EXPECT_EQ(ua_eu["number"].get<std::string>().substr(0, 4), "SHUA");
  auto ua_ua = Create(ExampleUaUa());
  EXPECT_EQ(ua_ua["id"], ua_eu["id"].get<int>() + 1);
  EXPECT_NE(ua_ua["number"], ua_eu["number"]);
}

// Each documented rule, broken once: a 422 "Validation error" whose errors
// name the field.
TEST_F(NovaPostShipments, MissingOrWrongFieldsAreNamed) {
  struct Case {
    const char* pointer;    // JSON pointer into the EU-EU example
    nlohmann::json value;   // nullptr with remove: the field is left out
    bool remove;
    const char* field;
  };
  const std::vector<Case> cases = {
      {"/payerType", nullptr, true, "payerType"},
      {"/payerType", "Nobody", false, "payerType"},
      {"/payerType", "ThirdPerson", false, "payerContractNumber"},
      {"/status", "Draft", false, "status"},
      {"/note", std::string(256, 'n'), false, "note"},
      {"/clientOrder", 7, false, "clientOrder"},
      {"/parcels", nullptr, true, "parcels"},
      {"/parcels", nlohmann::json::array(), false, "parcels"},
      {"/parcels/0", "box", false, "parcels[0]"},
      {"/parcels/1/width", nullptr, true, "parcels[1].width"},
      {"/parcels/0/width", "200", false, "parcels[0].width"},
      {"/parcels/0/height", 0, false, "parcels[0].height"},
      {"/parcels/0/actualWeight", 2000.5, false, "parcels[0].actualWeight"},
      {"/parcels/0/rowNumber", nullptr, true, "parcels[0].rowNumber"},
      {"/parcels/0/insuranceCost", "100", false, "parcels[0].insuranceCost"},
      {"/parcels/0/cargoCategory", "cargo", false, "parcels[0].cargoCategory"},
      {"/parcels/0/parcelDescription", "", false, "parcels[0].parcelDescription"},
      {"/sender", nullptr, true, "sender"},
      {"/sender", "CZ", false, "sender"},
      {"/sender/phone", nullptr, true, "sender.phone"},
      {"/sender/phone", 380989058454LL, false, "sender.phone"},
      {"/sender/name", nullptr, true, "sender.name"},
      {"/sender/countryCode", "cz", false, "sender.countryCode"},
      {"/sender/divisionId", -1, false, "sender.divisionId"},
      {"/recipient", nullptr, true, "recipient"},
      {"/recipient/divisionId", nullptr, true, "recipient.addressParts"},
      {"/recipient/countryCode", nullptr, true, "recipient.countryCode"},
  };
  for (const auto& c : cases) {
    auto body = ExampleEuEu();
    nlohmann::json::json_pointer at(c.pointer);
    if (c.remove) {
      body[at.parent_pointer()].erase(at.back());
    } else {
      body[at] = c.value;
    }
    auto r = Post(body);
    ASSERT_EQ(r.status, 422) << c.pointer << " " << r.body;
    EXPECT_EQ(r.json()["message"], "Validation error");
    ASSERT_TRUE(r.json()["errors"].contains(c.field)) << c.pointer << " " << r.body;
    EXPECT_NE(r.json()["errors"][c.field].get<std::string>().find(c.field), std::string::npos) << r.body;
  }
}

TEST_F(NovaPostShipments, AnAddressNeedsItsDocumentedParts) {
  auto body = ExampleUaEu();
  body["recipient"]["addressParts"].erase("city");
  auto r = Post(body);
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_TRUE(r.json()["errors"].contains("recipient.addressParts.city")) << r.body;
  body = ExampleUaEu();
  body["recipient"]["addressParts"]["postCode"] = "LT-09303-0000";  // at most 10
  EXPECT_TRUE(Post(body).json()["errors"].contains("recipient.addressParts.postCode"));
}

TEST_F(NovaPostShipments, BadBodiesAreRefusedNotCrashedOn) {
  for (const char* body : {"", "{", "not json", "[1,2]", "\"ReadyToShip\"", "null", "{\"parcels\": {}}"}) {
    auto r = PostRaw(body);
    EXPECT_EQ(r.status, 422) << body << " " << r.body;
    EXPECT_TRUE(r.json().contains("errors")) << body;
  }
  EXPECT_TRUE(PostRaw("[]").json()["errors"].contains("body"));
  auto deep = std::string(5000, '[') + std::string(5000, ']');
  EXPECT_EQ(PostRaw(deep).status, 422);
  auto many = ExampleEuEu();
  for (int i = 0; i < 101; ++i) many["parcels"].push_back(many["parcels"][0]);
  EXPECT_TRUE(Post(many).json()["errors"].contains("parcels"));
  // Past the server's body limit (64 KiB here): 413, and the emulator still answers.
  EXPECT_EQ(PostRaw(std::string(70 * 1024, ' ')).status, 413);
  EXPECT_EQ(Post(ExampleEuEu()).status, 201);
}

TEST_F(NovaPostShipments, EveryCallNeedsALiveToken) {
  const std::string body = ExampleEuEu().dump();
  for (auto [method, target] : {std::pair{"POST", "/v.1.0/shipments"}, std::pair{"GET", "/v.1.0/shipments"},
                                std::pair{"GET", "/v.1.0/shipments/tracking/history?numbers[]=SHPL0000000001"}}) {
    EXPECT_EQ(Call(method, target, {}, body).status, 401) << target;
    EXPECT_EQ(Call(method, target, {{"Authorization", jwt_ + "x"}}, body).status, 401) << target;
  }
  Advance(3600);  // the token's hour is over
  EXPECT_EQ(Post(ExampleEuEu()).status, 401);
  EXPECT_EQ(Get("/v.1.0/shipments").status, 401);
  EXPECT_EQ(Stats()["novapost"]["np-key-1"]["shipments"], 0);
}

// The list's documented example envelope and item fields.
TEST_F(NovaPostShipments, ListAnswersTheDocumentedEnvelopeAndItemFields) {
  const std::set<std::string> envelope = {"current_page", "last_page", "per_page", "total", "from", "to", "items"};
  const std::set<std::string> item_fields = {
      "id", "version", "number", "dateTime", "scheduledDeliveryDate", "closingDate", "createdAt", "updatedAt",
      "deletedAt", "userCreate", "status", "gtid", "paymentStatus", "currencyCode", "parcelsAmount", "note",
      "payerType", "payerContractId", "payerContractNumber", "postomatCellReservation", "postomatOrderRef",
      "firstDayStorage", "cargoAutoReturnDate", "marketplacePartner", "registerNumber", "customerNote",
      "creationDateNote", "sender", "recipient", "parcels", "services", "onlineTracking", "tracking", "totalWeight",
      "totalInsuranceCost", "totalCost"};
  auto created = Create(ExampleUaEu());
  auto list = Get("/v.1.0/shipments?numbers%5B%5D=" + created["number"].get<std::string>());
  ASSERT_EQ(list.status, 200) << list.body;
  auto j = list.json();
  EXPECT_EQ(Keys(j), envelope);
  ASSERT_EQ(j["items"].size(), 1u);
  auto item = j["items"][0];
  for (const auto& k : Keys(item)) EXPECT_TRUE(item_fields.count(k)) << "undocumented field " << k;
  EXPECT_EQ(item["id"], std::to_string(created["id"].get<long long>()));  // a string in the list example
  EXPECT_EQ(item["number"], created["number"]);
  EXPECT_EQ(item["status"], "ReadyToShip");
  EXPECT_EQ(item["version"], 1);
  EXPECT_EQ(item["dateTime"], created["createdAt"]);
  EXPECT_TRUE(item["closingDate"].is_null());
  EXPECT_EQ(item["payerType"], "Sender");
  EXPECT_EQ(item["note"], "string");
  EXPECT_EQ(item["sender"]["countryCode"], "UA");
  EXPECT_EQ(item["sender"]["divisionId"], "");
  EXPECT_EQ(item["recipient"]["addressParts"]["post_code"], "LT-09303");  // the list example's spelling
  EXPECT_EQ(item["recipient"]["addressParts"]["city"], "Vilnius");
  ASSERT_EQ(item["parcels"].size(), 1u);
  EXPECT_EQ(item["parcels"][0]["number"], created["number"]);
  EXPECT_EQ(item["parcels"][0]["row_number"], 1);
  EXPECT_EQ(item["parcels"][0]["actual_weight"], 2000);
  EXPECT_EQ(item["parcels"][0]["parcel_description"], "Clothes");
}

TEST_F(NovaPostShipments, ListPagesAndFilters) {
  std::vector<nlohmann::json> made;
  for (int i = 0; i < 5; ++i) made.push_back(Create(i % 2 ? ExampleUaUa() : ExampleEuEu()));
  auto page = [&](const std::string& query) {
    auto r = Get("/v.1.0/shipments" + query);
    EXPECT_EQ(r.status, 200) << query << r.body;
    return r.json();
  };
  auto all = page("");
  EXPECT_EQ(all["total"], 5);
  EXPECT_EQ(all["per_page"], 15);  // the documented default
  EXPECT_EQ(all["last_page"], 1);
  auto p2 = page("?limit=2&page=2");
  EXPECT_EQ(p2["current_page"], 2);
  EXPECT_EQ(p2["last_page"], 3);
  EXPECT_EQ(p2["per_page"], 2);
  EXPECT_EQ(p2["total"], 5);
  EXPECT_EQ(p2["from"], 3);
  EXPECT_EQ(p2["to"], 4);
  ASSERT_EQ(p2["items"].size(), 2u);
  EXPECT_EQ(p2["items"][0]["number"], made[2]["number"]);  // oldest first
  auto p3 = page("?limit=2&page=3");
  EXPECT_EQ(p3["items"].size(), 1u);
  auto beyond = page("?limit=2&page=9");
  EXPECT_TRUE(beyond["items"].empty());
  EXPECT_TRUE(beyond["from"].is_null() && beyond["to"].is_null());
  auto two = page("?numbers[]=" + made[0]["number"].get<std::string>() + "&numbers[]=" +
                  made[4]["number"].get<std::string>());
  EXPECT_EQ(two["total"], 2);
  auto by_id = page("?ids%5B%5D=" + std::to_string(made[1]["id"].get<long long>()));
  ASSERT_EQ(by_id["total"], 1);
  EXPECT_EQ(by_id["items"][0]["number"], made[1]["number"]);
  for (const char* bad : {"?limit=0", "?limit=x", "?limit=1001", "?page=0", "?ids[]=abc"}) {
    auto r = Get(std::string("/v.1.0/shipments") + bad);
    EXPECT_EQ(r.status, 422) << bad;
  }
  auto unknown = Get("/v.1.0/shipments?numbers[]=SHPL0000000000");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.json()["message"], "The specified resource was not found");
  EXPECT_TRUE(unknown.json()["errors"].contains("numbers[]"));
}

TEST_F(NovaPostShipments, AKeySeesOnlyItsOwnShipments) {
  auto mine = Create();
  ASSERT_EQ(Call("POST", "/_emulator/novapost/keys", {}, R"({"apiKey":"np-key-2"})").status, 201);
  jwt_ = Call("GET", "/v.1.0/clients/authorization?apiKey=np-key-2").json()["jwt"];
  EXPECT_EQ(Get("/v.1.0/shipments").json()["total"], 0);
  EXPECT_EQ(Get("/v.1.0/shipments?numbers[]=" + mine["number"].get<std::string>()).status, 404);
  EXPECT_EQ(Track(mine["number"]).status, 404);
  EXPECT_EQ(Stats()["novapost"]["np-key-1"]["shipments"], 1);
}

TEST_F(NovaPostShipments, StateIsBoundedByCountAndAge) {
  ASSERT_EQ(Call("POST", "/_emulator/settings", {}, R"({"max_shipments": 2})").status, 200);
  auto first = Create();
  Create();
  Create();
  EXPECT_EQ(Stats()["novapost"]["np-key-1"]["shipments"], 2);
  EXPECT_EQ(Track(first["number"]).status, 404);  // the oldest went first
  ASSERT_EQ(Call("POST", "/_emulator/settings", {}, R"({"shipment_retention_seconds": 60})").status, 200);
  Advance(61);
  jwt_ = Call("GET", "/v.1.0/clients/authorization?apiKey=np-key-1").json()["jwt"];
  EXPECT_EQ(Get("/v.1.0/shipments").json()["total"], 0);
  EXPECT_EQ(Call("POST", "/_emulator/settings", {}, R"({"max_shipments": 0})").status, 400);
}

}  // namespace
}  // namespace tokenwarden::emulator
