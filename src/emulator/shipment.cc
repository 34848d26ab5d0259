#include "emulator/shipment.h"

#include <string_view>

#include "util/time_format.h"

namespace tokenwarden::emulator {
namespace {

// BasicTracking's code list, for the codes of the emulator's route.
std::string_view CodeName(int code) {
  switch (code) {
    case 1: return "Ready to send";
    case 4: return "Accepted for sending";
    case 5: return "Sent from the Sender's Division";
    case 6: return "Arrived in the city of the Recipient";
    case 7: return "Arrived (at the Division)";
    case 9: return "Closed";
    case 101: return "Uploaded to the courier for delivery to the address";
    default: return "Undetermined";  // 999
  }
}

// Until the shipment leaves the sender's division its statuses are set in
// the sender's country, from its arrival in the recipient's city on in the
// recipient's.
bool AtRecipient(int code) { return code == 6 || code == 7 || code == 9 || code == 101; }

std::string StringOr(const nlohmann::json& o, const char* name, std::string fallback) {
  auto it = o.find(name);
  return it != o.end() && it->is_string() ? it->get<std::string>() : fallback;
}

// The list's sender or recipient: the example's fields the request gave.
// The list example spells the address's postal code post_code (the create
// schema postCode) and the division id as a string.
nlohmann::json PartyJson(const nlohmann::json& party) {
  nlohmann::json out = {{"companyTin", StringOr(party, "companyTin", "")},
                        {"companyName", party.value("companyName", nlohmann::json())},
                        {"phone", party.value("phone", "")},
                        {"email", party.value("email", "")},
                        {"name", party.value("name", "")},
                        {"countryCode", party.value("countryCode", "")},
                        {"divisionId", StringOr(party, "divisionId", "")}};
  if (auto a = party.find("addressParts"); a != party.end() && !a->empty()) {
    nlohmann::json parts = nlohmann::json::object();
    for (const char* name : {"city", "region", "street", "building", "flat", "block", "note"}) {
      parts[name] = StringOr(*a, name, "");
    }
    parts["post_code"] = StringOr(*a, "postCode", "");
    out["addressParts"] = parts;
  }
  return out;
}

nlohmann::json ParcelsJson(const Shipment& s) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& p : s.request["parcels"]) {
    out.push_back({{"number", s.number},
                   {"row_number", p["rowNumber"]},
                   {"parcel_description", p["parcelDescription"]},
                   {"insurance_cost", p["insuranceCost"]},
                   {"length", p["length"]},
                   {"width", p["width"]},
                   {"height", p["height"]},
                   {"actual_weight", p["actualWeight"]}});
  }
  return out;
}

}  // namespace

int NextTrackingCode(int code, bool to_address) {
  switch (code) {
    case 1: return 4;
    case 4: return 5;
    case 5: return 6;
    case 6: return to_address ? 101 : 7;
    case 7:
    case 101: return 9;
    default: return 0;
  }
}

std::string DocumentStatus(const Shipment& s) {
  int code = s.history.back().code;
  return code == 1 ? "ReadyToShip" : code == 9 ? "Issued" : "Accepted";
}

nlohmann::json CreatedJson(const Shipment& s) {
  return {{"id", s.id},
          {"number", s.number},
          {"scheduledDeliveryDate", nullptr},
          {"status", DocumentStatus(s)},
          {"cost", 0},
          {"parcelsAmount", s.request["parcels"].size()},
          {"createdAt", FormatNovaPostUtc(s.created)},
          {"updatedAt", FormatNovaPostUtc(s.updated)},
          {"deletedAt", nullptr}};
}

nlohmann::json ListItemJson(const Shipment& s) {
  const TrackingEvent& last = s.history.back();
  const nlohmann::json& r = s.request;
  return {{"id", std::to_string(s.id)},
          {"version", s.version},
          {"number", s.number},
          {"dateTime", FormatNovaPostUtc(s.created)},
          {"scheduledDeliveryDate", nullptr},
          {"closingDate", last.code == 9 ? nlohmann::json(FormatNovaPostUtc(last.date)) : nlohmann::json()},
          {"createdAt", FormatNovaPostUtc(s.created)},
          {"updatedAt", FormatNovaPostUtc(s.updated)},
          {"deletedAt", nullptr},
          {"status", DocumentStatus(s)},
          {"parcelsAmount", r["parcels"].size()},
          {"note", r.value("note", "")},
          {"payerType", r["payerType"]},
          {"payerContractNumber", r.value("payerContractNumber", nlohmann::json())},
          {"sender", PartyJson(r["sender"])},
          {"recipient", PartyJson(r["recipient"])},
          {"parcels", ParcelsJson(s)}};
}

nlohmann::json TrackingJson(const Shipment& s, bool extended) {
  nlohmann::json history = nlohmann::json::array();
  for (const auto& e : s.history) {
    const nlohmann::json& party = s.request[AtRecipient(e.code) ? "recipient" : "sender"];
    std::string city = party.contains("addressParts") ? StringOr(party["addressParts"], "city", "") : "";
    history.push_back({{"code", std::to_string(e.code)},
                       {"code_name", CodeName(e.code)},
                       {"country_code", party["countryCode"]},
                       {"settlement", city},
                       {"date", FormatNovaPostUtc(e.date)}});
  }
  nlohmann::json out = {{"id", std::to_string(s.id)}, {"number", s.number}, {"history_tracking", history}};
  if (extended) out["related_numbers"] = nlohmann::json::array();  // the emulator makes no related shipments
  return out;
}

}  // namespace tokenwarden::emulator
