// A Nova Post shipment (transportation document) as the emulator keeps it,
// its tracking route, and the three documented views of it: the answer of
// "Create Shipment", an item of "Find Shipments List" and an item of
// "BasicTracking" (api-portal.novapost.com/metodi-1/methods/shipments).
#ifndef TOKENWARDEN_EMULATOR_SHIPMENT_H_
#define TOKENWARDEN_EMULATOR_SHIPMENT_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tokenwarden/clock.h"

namespace tokenwarden::emulator {

// One status of a shipment's tracking history: a code of BasicTracking's
// list ("1" Ready to send, "4" Accepted for sending, ...) and when it was set.
struct TrackingEvent {
  int code = 1;
  TimePoint date{};
};

struct Shipment {
  long long id = 0;      // the create answer's integer "id"
  std::string number;    // "SH" + sender countryCode + 10 digits: ^[A-Z]{4}\d{10}$
  std::string api_key;   // the key whose token created it: only it finds and tracks it
  // The documented request fields, as ReadShipmentRequest copied them:
  // note, clientOrder, payerType, payerContractNumber, sender, recipient, parcels.
  nlohmann::json request;
  std::vector<TrackingEvent> history;  // oldest first; never empty
  TimePoint created{};
  TimePoint updated{};
  int version = 1;  // "each change of the document is +1"
};

// The tracking code after `code` on the emulator's route (1, 4, 5, 6, then
// 7 at a division or 101 on the courier to an address, then 9), or 0 when
// `code` is the last (9, closed).
int NextTrackingCode(int code, bool to_address);

// The document "status" that goes with the latest tracking code:
// ReadyToShip (1), Accepted (4 to 101), Issued (9).
std::string DocumentStatus(const Shipment& s);

// 201 answer of POST /shipments: id, number, scheduledDeliveryDate, status,
// cost, parcelsAmount, createdAt, updatedAt, deletedAt.
nlohmann::json CreatedJson(const Shipment& s);

// An item of GET /shipments (the list example's fields the emulator knows).
nlohmann::json ListItemJson(const Shipment& s);

// An item of GET /shipments/tracking/history: id, number, history_tracking
// and, when `extended`, related_numbers.
nlohmann::json TrackingJson(const Shipment& s, bool extended);

}  // namespace tokenwarden::emulator

#endif  // TOKENWARDEN_EMULATOR_SHIPMENT_H_
