// Reading a Nova Post "Create Shipment" request (POST /v.1.0/shipments) the
// way its schema marks the fields: payerType, parcels (every field of each),
// sender and recipient (phone, name, countryCode, and a division or an
// address) are required; the optional ones are checked when present.
#ifndef TOKENWARDEN_EMULATOR_SHIPMENT_REQUEST_H_
#define TOKENWARDEN_EMULATOR_SHIPMENT_REQUEST_H_

#include <nlohmann/json.hpp>
#include <string>

namespace tokenwarden::emulator {

// A shipment holds at most this many parcels: no page gives a limit; the
// emulator's own, so that max_shipments bounds its memory.
inline constexpr size_t kMostParcels = 100;

struct ShipmentRequest {
  // When the request is good: its documented fields, copied (note,
  // clientOrder, payerType, payerContractNumber, sender, recipient,
  // parcels), nothing else of the body.
  nlohmann::json fields;
  // Else the first field that breaks a rule ("parcels[0].width",
  // "sender.phone") and why, naming it.
  std::string error_field;
  std::string error;
};

// REQUIRES: `body` is a JSON object.
ShipmentRequest ReadShipmentRequest(const nlohmann::json& body);

}  // namespace tokenwarden::emulator

#endif  // TOKENWARDEN_EMULATOR_SHIPMENT_REQUEST_H_
