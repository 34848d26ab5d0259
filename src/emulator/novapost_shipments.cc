#include "emulator/novapost_shipments.h"

#include <algorithm>
#include <set>
#include <vector>

#include "emulator/novapost_query.h"
#include "emulator/shipment_request.h"

namespace tokenwarden::emulator {
namespace {

// The list's page size: the documented default 15; at most 1000, as the
// emulator's division directory (no page gives a maximum).
constexpr long long kDefaultLimit = 15;
constexpr long long kMostLimit = 1000;

// "SH" and the sender's country, then 10 digits: the examples' shape
// (SHPL9719840000 for a sender in PL; the pattern ^[A-Z]{4}\d{10}$).
std::string NewNumber(const State& state, const std::string& country) {
  std::string number;
  do {
    number = "SH" + country + RandomDigits(10);
  } while (state.shipments.count(number) != 0);
  return number;
}

// A recipient without a division receives at an address, by courier.
bool ToAddress(const Shipment& s) {
  const nlohmann::json& r = s.request["recipient"];
  return !r.contains("divisionId") && r.value("divisionNumber", "").empty();
}

}  // namespace

http::Response CreateShipment(State& state, const std::string& api_key, const http::Request& request) {
  auto body = nlohmann::json::parse(request.body, nullptr, false);
  if (body.is_discarded()) return NovaPostInvalid("body", "the body is not JSON");
  if (!body.is_object()) return NovaPostInvalid("body", "the body must be a JSON object");
  ShipmentRequest checked = ReadShipmentRequest(body);
  if (!checked.error.empty()) return NovaPostInvalid(checked.error_field, checked.error);
  SweepShipments(state, /*adding=*/1);
  TimePoint now = state.clock->Now();
  Shipment s;
  s.id = ++state.last_shipment_id;
  s.number = NewNumber(state, checked.fields["sender"]["countryCode"].get<std::string>());
  s.api_key = api_key;
  s.request = std::move(checked.fields);
  s.history.push_back({1, now});
  s.created = s.updated = now;
  auto [it, inserted] = state.shipments.emplace(s.number, std::move(s));
  return http::Response::Json(201, CreatedJson(it->second));
}

http::Response FindShipments(State& state, const std::string& api_key, const http::Request& request) {
  long long limit = PositiveParam(request.query_param("limit"), kMostLimit, kDefaultLimit);
  if (limit < 0) return NovaPostInvalid("limit", "limit must be a whole number from 1 to 1000");
  long long page = PositiveParam(request.query_param("page"), 1'000'000, 1);
  if (page < 0) return NovaPostInvalid("page", "page must be a whole number from 1 to 1000000");
  auto number_list = QueryValues(request.query(), "numbers[]");
  std::set<std::string> numbers(number_list.begin(), number_list.end());
  std::set<long long> ids;
  for (const auto& id : QueryValues(request.query(), "ids[]")) {
    long long n = PositiveParam(id, 999'999'999, -1);
    if (n < 0) return NovaPostInvalid("ids[]", "ids[] must be whole numbers from 1");
    ids.insert(n);
  }
  SweepShipments(state);
  bool filtered = !numbers.empty() || !ids.empty();
  std::vector<const Shipment*> found;
  for (const auto& [number, s] : state.shipments) {
    if (s.api_key != api_key) continue;
    if (!filtered || numbers.count(number) != 0 || ids.count(s.id) != 0) found.push_back(&s);
  }
  if (filtered && found.empty()) {
    return NovaPostNotFound(numbers.empty() ? "ids[]" : "numbers[]", "no shipment of this key has them");
  }
  std::sort(found.begin(), found.end(), [](const Shipment* a, const Shipment* b) { return a->id < b->id; });
  return NovaPostPage(found, page, limit, ListItemJson);
}

http::Response TrackShipments(State& state, const std::string& api_key, const http::Request& request) {
  auto numbers = QueryValues(request.query(), "numbers[]");
  if (numbers.empty()) return NovaPostInvalid("numbers[]", "numbers[] is required: one shipment number or more");
  bool extended = request.query_param("extended").value_or("0") == "1";
  SweepShipments(state);
  nlohmann::json items = nlohmann::json::array();
  std::set<std::string> seen;
  for (const auto& number : numbers) {
    auto it = state.shipments.find(number);
    if (it == state.shipments.end() || it->second.api_key != api_key || !seen.insert(number).second) continue;
    items.push_back(TrackingJson(it->second, extended));
  }
  if (items.empty()) return NovaPostNotFound("numbers[]", "no shipment of this key has these numbers");
  return http::Response::Json(200, {{"items", items}});
}

Result<nlohmann::json> AdvanceShipment(State& state, const std::string& number) {
  SweepShipments(state);
  auto it = state.shipments.find(number);
  if (it == state.shipments.end()) return MakeError(ErrorCode::kNotFound, "no shipment with this number");
  Shipment& s = it->second;
  int next = NextTrackingCode(s.history.back().code, ToAddress(s));
  if (next == 0) return MakeError(ErrorCode::kFailedPrecondition, "the shipment is closed (tracking code 9)");
  TimePoint now = state.clock->Now();
  s.history.push_back({next, now});
  s.updated = now;
  ++s.version;
  return TrackingJson(s, /*extended=*/false);
}

void SweepShipments(State& state, size_t adding) {
  TimePoint now = state.clock->Now();
  const Duration keep = state.settings.shipment_retention;
  std::erase_if(state.shipments, [&](const auto& kv) { return now - kv.second.created > keep; });
  const size_t most = state.settings.max_shipments > adding ? state.settings.max_shipments - adding : 0;
  // Ids count up, so the smallest is the oldest even when many share a time.
  EraseOldestPast(state.shipments, most, [](const Shipment& s) { return s.id; });
}

}  // namespace tokenwarden::emulator
