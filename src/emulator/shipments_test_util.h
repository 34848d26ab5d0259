// Test fixture for the Nova Post shipment calls: a token of np-key-1, the
// documentation's own "Create Shipment" request examples, and the calls.
#ifndef TOKENWARDEN_EMULATOR_SHIPMENTS_TEST_UTIL_H_
#define TOKENWARDEN_EMULATOR_SHIPMENTS_TEST_UTIL_H_

#include <set>
#include <string>

#include "emulator/emulator_test_util.h"

namespace tokenwarden::emulator {

// "Example for shipments within Europe (EU-EU)" (example1 of POST /shipments).
inline nlohmann::json ExampleEuEu() {
  return nlohmann::json::parse(R"({
    "status": "ReadyToShip", "clientOrder": "", "note": "", "payerType": "Sender", "invoice": null, "services": [],
    "parcels": [
      {"cargoCategory": "parcel", "number": null, "parcelDescription": "parcel for redirect test",
       "insuranceCost": 100.00, "rowNumber": 1, "width": 200, "length": 350, "height": 100, "actualWeight": 2000,
       "volumetricWeight": 2000},
      {"cargoCategory": "parcel", "number": null, "parcelDescription": "parcel for redirect test",
       "insuranceCost": 100.00, "rowNumber": 2, "width": 200, "length": 350, "height": 100, "actualWeight": 2000,
       "volumetricWeight": 2000}],
    "sender": {"companyTin": "", "companyName": "", "phone": "380989058454", "email": "sender@test.com",
               "name": "Maks Tester", "countryCode": "CZ", "divisionId": 1834581, "addressParts": {}, "ioss": null},
    "recipient": {"companyTin": "", "companyName": "", "phone": "380954891992", "email": "recipient@test.com",
                  "name": "Chuck Norris", "countryCode": "PL", "divisionId": 27255, "addressParts": {}}})");
}

// "Example for shipments from Ukraine to Europe (UA-EU)" (example4): the
// recipient at an address, the sender at a division named by number.
inline nlohmann::json ExampleUaEu() {
  return nlohmann::json::parse(R"({
    "status": "ReadyToShip", "clientOrder": "string", "note": "string", "payerType": "Sender",
    "payerContractNumber": null,
    "invoice": {"incoterm": "DAP", "currencyCode": "EUR", "exportReason": "Selling", "totalCost": 20,
                "totalCostEur": 4.36, "totalCostUsd": 4.81,
                "items": [{"name": "Обладнання та електрика/Складське обладнання: Калькулятори",
                           "nameEng": "Hardware and Electrical/Storage Equipment: Calculators", "measurementCode": "pieces",
                           "hsCode": "84701000", "producerAndModel": "Casio JR15", "amount": 1, "cost": 20,
                           "currency": "UAH", "costUsd": 4.81, "costEur": 4.36}]},
    "parcels": [{"cargoCategory": "parcel", "parcelDescription": "Clothes", "insuranceCost": 1.5, "rowNumber": 1,
                 "width": 200, "length": 350, "height": 100, "actualWeight": 2000}],
    "recipient": {"companyTin": "", "companyName": "", "eoriCode": "LT123456789", "phone": "37061234567",
                  "email": "example@mail.lt", "name": "Surname Name", "countryCode": "LT", "divisionNumber": null,
                  "addressParts": {"city": "Vilnius", "region": "Vilniaus apskritis", "street": "Žalgirio g",
                                   "postCode": "LT-09303", "building": "92", "flat": "", "block": "", "note": ""},
                  "registrationAddressRecipient": {"city": "", "street": "", "zipCode": "", "building": "",
                                                   "apartment": "", "state": ""}},
    "sender": {"companyTin": "", "companyName": "", "eoriCode": "DE123456789", "phone": "380991234567",
               "email": "example@mail.com", "name": "Surname Name", "countryCode": "UA", "divisionNumber": "32521/1",
               "addressParts": {}, "ioss": null}})");
}

// "Example for shipments within Ukraine (UA-UA)" (example5): division ids
// written as strings.
inline nlohmann::json ExampleUaUa() {
  return nlohmann::json::parse(R"({
    "number": "",
    "parcels": [{"cargoCategory": "parcel", "number": "", "parcelDescription": "Побутовий пил", "insuranceCost": 500,
                 "rowNumber": 1, "width": 200, "length": 300, "height": 100, "actualWeight": 2000,
                 "volumetricWeight": 1500}],
    "payerType": "Recipient",
    "recipient": {"countryCode": "UA", "divisionId": "12011", "name": "Тестова Інна", "phone": "380977977973"},
    "sender": {"countryCode": "UA", "divisionId": "11759", "name": "Тестова Тетяна", "phone": "380637971797"},
    "services": [], "status": "ReadyToShip"})");
}

// The names of an object's fields, to hold against a documented example's.
inline std::set<std::string> Keys(const nlohmann::json& o) {
  std::set<std::string> out;
  for (const auto& [k, v] : o.items()) out.insert(k);
  return out;
}

class ShipmentsFixture : public EmulatorFixture {
 protected:
  void SetUp() override {
    EmulatorFixture::SetUp();
    jwt_ = Call("GET", "/v.1.0/clients/authorization?apiKey=np-key-1").json().value("jwt", "");
  }

  testing::HttpReply Post(const nlohmann::json& body) { return PostRaw(body.dump()); }
  testing::HttpReply PostRaw(const std::string& body) {
    return Call("POST", "/v.1.0/shipments", {{"Authorization", jwt_}, {"content-type", "application/json"}}, body);
  }
  testing::HttpReply Get(const std::string& target) { return Call("GET", target, {{"Authorization", jwt_}}); }

  // Creates `body` (the EU-EU example by default); the 201 answer.
  nlohmann::json Create(const nlohmann::json& body = ExampleEuEu()) {
    auto r = Post(body);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json();
  }

  // The control API's courier: the shipment's next tracking status.
  testing::HttpReply Courier(const std::string& number) {
    return Call("POST", "/_emulator/novapost/shipments/advance", {}, nlohmann::json{{"number", number}}.dump());
  }

  // BasicTracking of one number; the reply.
  testing::HttpReply Track(const std::string& number, const std::string& more = "") {
    return Get("/v.1.0/shipments/tracking/history?numbers%5B%5D=" + number + more);
  }

  std::string jwt_;
};

}  // namespace tokenwarden::emulator

#endif  // TOKENWARDEN_EMULATOR_SHIPMENTS_TEST_UTIL_H_
