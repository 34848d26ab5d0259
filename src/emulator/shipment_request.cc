#include "emulator/shipment_request.h"

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <tuple>

#include "emulator/request_fields.h"

namespace tokenwarden::emulator {
namespace {

constexpr int64_t kMostInt = 2147483647;  // the schema's maximum for actualWeight

struct Failure {
  std::string field;  // "sender.phone"
  std::string why;    // "sender.phone is required"
};
using Check = std::optional<Failure>;

// The reasons of request_fields start with the field's name; `prefix`
// ("parcels[0].") makes that the field's whole path.
Check Fail(const std::string& prefix, const char* name, const std::string& why) {
  return Failure{prefix + name, prefix + why};
}

// A string field, copied into `out` when present.
Check Text(const nlohmann::json& in, const std::string& prefix, const char* name, size_t most, bool required,
           nlohmann::json& out) {
  std::string v;
  if (std::string why = StringField(in, name, most, required, &v); !why.empty()) return Fail(prefix, name, why);
  if (in.contains(name) && !in[name].is_null()) out[name] = v;
  return std::nullopt;
}

Check Whole(const nlohmann::json& in, const std::string& prefix, const char* name, int64_t lo, int64_t hi,
            nlohmann::json& out) {
  auto n = IntField(in, name, lo, hi, std::nullopt);
  if (!n.ok()) return Fail(prefix, name, n.error().message);
  out[name] = *n;
  return std::nullopt;
}

// One of `allowed`; absent is fine unless `required`.
Check OneOf(const nlohmann::json& in, const std::string& prefix, const char* name,
            std::initializer_list<const char*> allowed, bool required, nlohmann::json& out) {
  auto it = in.find(name);
  if (it == in.end() || it->is_null()) {
    return required ? Fail(prefix, name, std::string(name) + " is required") : std::nullopt;
  }
  for (const char* v : allowed) {
    if (it->is_string() && *it == v) {
      out[name] = v;
      return std::nullopt;
    }
  }
  std::string list;
  for (const char* v : allowed) list += (list.empty() ? "" : ", ") + std::string(v);
  return Fail(prefix, name, std::string(name) + " must be one of " + list);
}

bool IsCountryCode(const std::string& s) {
  return s.size() == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z';
}

// The division id: an integer in the schema (spelled divisionID), a number
// or a string of digits in the examples (spelled divisionId). Copied as the
// examples spell it, as a string (the list's shape). Absent: "".
Check DivisionId(const nlohmann::json& in, const std::string& prefix, nlohmann::json& out) {
  for (const char* name : {"divisionId", "divisionID"}) {
    auto it = in.find(name);
    if (it == in.end() || it->is_null()) continue;
    const std::string text = it->is_string() ? it->get<std::string>() : "";
    bool digits = !text.empty() && text.size() <= 18 && text.find_first_not_of("0123456789") == std::string::npos;
    bool positive = it->is_number_integer() && *it >= 1 && *it <= INT64_MAX;
    if (!digits && !positive) return Fail(prefix, name, std::string(name) + " must be a whole number from 1");
    out["divisionId"] = digits ? text : std::to_string(it->get<int64_t>());
    return std::nullopt;
  }
  return std::nullopt;
}

// The address a party sends from or receives at, when it names no division:
// city, street, postCode and building are then required.
Check AddressParts(const nlohmann::json& in, const std::string& prefix, bool required, nlohmann::json& out) {
  auto it = in.find("addressParts");
  bool given = it != in.end() && !it->is_null() && !(it->is_object() && it->empty());
  if (!given) {
    return required ? Fail(prefix, "addressParts",
                           "addressParts is required when neither divisionId nor divisionNumber is given")
                    : std::nullopt;
  }
  if (!it->is_object()) return Fail(prefix, "addressParts", "addressParts must be an object");
  std::string inner = prefix + "addressParts.";
  nlohmann::json parts = nlohmann::json::object();
  for (auto [name, most, needed] : {std::tuple{"city", 100, true}, std::tuple{"street", 100, true},
                                    std::tuple{"postCode", 10, true}, std::tuple{"building", 100, true},
                                    std::tuple{"region", 100, false}, std::tuple{"flat", 10, false},
                                    std::tuple{"block", 100, false}, std::tuple{"note", 100, false}}) {
    if (auto f = Text(*it, inner, name, static_cast<size_t>(most), needed, parts)) return f;
  }
  out["addressParts"] = parts;
  return std::nullopt;
}

// The sender or the recipient (`name` "sender" or "recipient").
Check Party(const nlohmann::json& body, const char* name, nlohmann::json& out) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return Fail("", name, std::string(name) + " is required");
  if (!it->is_object()) return Fail("", name, std::string(name) + " must be an object");
  const nlohmann::json& in = *it;
  std::string prefix = std::string(name) + ".";
  nlohmann::json party = nlohmann::json::object();
  if (auto f = Text(in, prefix, "phone", 15, true, party)) return f;
  if (party["phone"].get_ref<const std::string&>().size() < 8) {
    return Fail(prefix, "phone", "phone must be 8 to 15 characters (international format)");
  }
  if (auto f = Text(in, prefix, "name", 100, true, party)) return f;
  if (auto f = Text(in, prefix, "countryCode", 2, true, party)) return f;
  if (!IsCountryCode(party["countryCode"])) {
    return Fail(prefix, "countryCode", "countryCode must be two capital letters (ISO 3166-1 Alpha-2)");
  }
  if (auto f = Text(in, prefix, "email", 255, false, party)) return f;
  if (auto f = Text(in, prefix, "companyTin", 20, false, party)) return f;
  if (auto f = Text(in, prefix, "companyName", 100, false, party)) return f;
  if (auto f = DivisionId(in, prefix, party)) return f;
  if (auto f = Text(in, prefix, "divisionNumber", 100, false, party)) return f;
  bool division = party.contains("divisionId") || !party.value("divisionNumber", "").empty();
  if (auto f = AddressParts(in, prefix, !division, party)) return f;
  out[name] = party;
  return std::nullopt;
}

Check Parcels(const nlohmann::json& body, nlohmann::json& out) {
  auto it = body.find("parcels");
  if (it == body.end() || it->is_null()) return Fail("", "parcels", "parcels is required");
  if (!it->is_array() || it->empty() || it->size() > kMostParcels) {
    return Fail("", "parcels", "parcels must be an array of 1 to " + std::to_string(kMostParcels) + " parcels");
  }
  nlohmann::json parcels = nlohmann::json::array();
  for (size_t i = 0; i < it->size(); ++i) {
    const nlohmann::json& in = (*it)[i];
    std::string prefix = "parcels[" + std::to_string(i) + "].";
    if (!in.is_object()) {
      std::string field = "parcels[" + std::to_string(i) + "]";
      return Failure{field, field + " must be an object"};
    }
    nlohmann::json p = nlohmann::json::object();
    if (auto f = OneOf(in, prefix, "cargoCategory", {"parcel", "documents"}, true, p)) return f;
    if (auto f = Text(in, prefix, "parcelDescription", 255, true, p)) return f;
    auto cost = in.find("insuranceCost");
    if (cost == in.end() || !cost->is_number() || !(cost->get<double>() >= 0)) {
      return Fail(prefix, "insuranceCost", "insuranceCost must be a number, 0 or more");
    }
    p["insuranceCost"] = *cost;
    for (const char* name : {"rowNumber", "width", "length", "height", "actualWeight"}) {
      if (auto f = Whole(in, prefix, name, 1, kMostInt, p)) return f;
    }
    parcels.push_back(std::move(p));
  }
  out["parcels"] = std::move(parcels);
  return std::nullopt;
}

Check Read(const nlohmann::json& body, nlohmann::json& out) {
  if (auto f = OneOf(body, "", "status", {"ReadyToShip"}, false, out)) return f;
  out["clientOrder"] = "";
  out["note"] = "";
  if (auto f = Text(body, "", "clientOrder", 50, false, out)) return f;
  if (auto f = Text(body, "", "note", 255, false, out)) return f;
  if (auto f = OneOf(body, "", "payerType", {"Sender", "Recipient", "ThirdPerson"}, true, out)) return f;
  out["payerContractNumber"] = nullptr;
  if (auto f = Text(body, "", "payerContractNumber", 20, out["payerType"] == "ThirdPerson", out)) return f;
  if (out["payerContractNumber"].is_string() && out["payerContractNumber"].get_ref<const std::string&>().size() < 2) {
    return Fail("", "payerContractNumber", "payerContractNumber must be 2 to 20 characters");
  }
  if (auto f = Parcels(body, out)) return f;
  if (auto f = Party(body, "sender", out)) return f;
  return Party(body, "recipient", out);
}

}  // namespace

ShipmentRequest ReadShipmentRequest(const nlohmann::json& body) {
  ShipmentRequest r;
  r.fields = nlohmann::json::object();
  if (auto f = Read(body, r.fields)) {
    r.fields = nlohmann::json();
    r.error_field = std::move(f->field);
    r.error = std::move(f->why);
  }
  return r;
}

}  // namespace tokenwarden::emulator
