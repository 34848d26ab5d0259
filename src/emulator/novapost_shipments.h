// The shipment calls of the fake Nova Post API v1.0 (api-portal.novapost.com
// "Shipments" and "Tracking shipment"): create, the list, BasicTracking, and
// the courier of the control API that moves a shipment along its tracking
// statuses. A key sees only the shipments its tokens created.
#ifndef TOKENWARDEN_EMULATOR_NOVAPOST_SHIPMENTS_H_
#define TOKENWARDEN_EMULATOR_NOVAPOST_SHIPMENTS_H_

#include <string>

#include "emulator/state.h"
#include "http/message.h"
#include "tokenwarden/result.h"

namespace tokenwarden::emulator {

// POST /v.1.0/shipments: checks the documented required fields (a 422
// names the first field that breaks a rule), stores the shipment and
// answers 201 with it. REQUIRES: state.mu held; `api_key`'s token checked.
http::Response CreateShipment(State& state, const std::string& api_key, const http::Request& request);

// GET /v.1.0/shipments?numbers[]=&ids[]=&limit=&page=: the key's shipments
// (those named, when numbers[] or ids[] are given), oldest first, in the
// documented page envelope. REQUIRES: as CreateShipment.
http::Response FindShipments(State& state, const std::string& api_key, const http::Request& request);

// GET /v.1.0/shipments/tracking/history?numbers[]=&extended=: BasicTracking,
// the status history of each named shipment. REQUIRES: as CreateShipment.
http::Response TrackShipments(State& state, const std::string& api_key, const http::Request& request);

// The courier: moves the shipment `number` to its next tracking status and
// returns its BasicTracking item. Errors: kNotFound, kFailedPrecondition
// (already closed). REQUIRES: state.mu held.
Result<nlohmann::json> AdvanceShipment(State& state, const std::string& number);

// Forgets shipments past Settings::shipment_retention and, so that `adding`
// more fit within Settings::max_shipments, the oldest. REQUIRES: state.mu held.
void SweepShipments(State& state, size_t adding = 0);

}  // namespace tokenwarden::emulator

#endif  // TOKENWARDEN_EMULATOR_NOVAPOST_SHIPMENTS_H_
