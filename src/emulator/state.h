// Everything the emulator remembers: registered merchants and API keys,
// their sessions, counters, settings and injected faults. One mutex guards
// it all: this is a test double, correct first, and fast enough for
// thousands of requests a second.
#ifndef TOKENWARDEN_EMULATOR_STATE_H_
#define TOKENWARDEN_EMULATOR_STATE_H_

#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "emulator/age_index.h"
#include "emulator/order.h"
#include "emulator/shipment.h"
#include "jose/jwk.h"
#include "tokenwarden/clock.h"
#include "tokenwarden/secret.h"

namespace tokenwarden::emulator {

struct Merchant {
  jose::EcKey client_public;
  std::string merchant_id;   // checked on create-order and refund only when set
  std::string merchant_name = "tokenwarden emulator";  // the operations' merchantName
  TimePoint last_used{};     // authorizations and API calls count as use
  bool closed = false;       // closed for inactivity until reopened
  uint64_t authorizations = 0;
  uint64_t api_calls = 0;
  std::map<std::string, uint64_t> rejected;  // by msgCode
  uint64_t callbacks_delivered = 0;
  uint64_t callback_failures = 0;   // attempts answered other than 200, or not answered
  uint64_t callbacks_refused = 0;   // notificationUrl not on loopback: never sent
  uint64_t callbacks_dropped = 0;   // the queue was full (Settings::max_pending_callbacks)
  // The last kRecentCallbacks attempts, oldest first: {"url","attempt","status","delivered","at"}.
  std::deque<nlohmann::json> recent_callbacks;
  static constexpr size_t kRecentCallbacks = 20;
};

struct AllianceSession {
  std::string service_code;
  std::string refresh_token;
  TimePoint expires_at{};
  bool killed = false;
  std::optional<jose::EcKey> server_key;  // the private half of serverPublic: decrypts refunds
};

// One callback to deliver: the body is fixed when the status changes, as
// the bank sends the state of that moment.
struct Callback {
  std::string service_code;
  std::string url;        // http://127.x.y.z:port/path
  std::string body;
  int attempts = 0;
  TimePoint due{};        // emulator time of the next attempt
};

struct NovaPostToken {
  std::string ref;
  TimePoint expires_at{};
};

// Who issued a Nova Post token, kept past its eviction so that a call with
// it is counted against its key (`rejected`).
struct NovaPostRef {
  std::string api_key;
  TimePoint expires_at{};
};

struct NovaPostKey {
  std::deque<NovaPostToken> live;  // oldest first; evicted past the limit
  uint64_t authorizations = 0;
  uint64_t api_calls = 0;
  uint64_t rejected = 0;
};

struct Settings {
  Duration alliance_lifetime = std::chrono::hours(24);
  Duration novapost_lifetime = std::chrono::hours(1);
  int novapost_session_limit = 3;
  bool session_code_with_s = false;  // "b_session_doesnt_exists"
  Duration inactivity_limit = std::chrono::hours(24 * 200);
  // Orders are forgotten this long after they were created, and the oldest
  // go first past max_orders, so that a long run holds bounded state.
  Duration order_retention = std::chrono::hours(24 * 7);
  size_t max_orders = 10000;
  // Callbacks waiting for an attempt, at most; past it a new one is dropped
  // (and counted), so an endpoint that never answers cannot grow the queue.
  size_t max_pending_callbacks = 10000;
  // An Alliance session or a Nova Post token's ref is remembered this long
  // after it expires (so that a late call still gets b_expired_token, or is
  // counted as rejected), then forgotten; past max_sessions of each, those
  // that expire first go first. A forgotten Alliance session answers
  // b_unknown_device, which a client handles like expiry: it authorizes.
  Duration session_retention = std::chrono::hours(24);
  size_t max_sessions = 10000;
  // Nova Post shipments are forgotten this long after they were created,
  // and the oldest go first past max_shipments.
  Duration shipment_retention = std::chrono::hours(24 * 30);
  size_t max_shipments = 10000;
};

// An injected fault: applies to requests whose path starts with
// `path_prefix`, for the next `count` of them or until `until`.
struct Fault {
  std::string kind;  // error, status, delay, drop, malformed, truncate, wrong_key_jwe, large, large_header, cut
  std::string path_prefix = "/";
  int remaining = -1;              // -1: no count limit
  std::optional<TimePoint> until;  // emulator time
  std::string msg_code;            // kind error
  int status = 0;                  // kind error/status: 0 = the documented one
  int delay_ms = 0;                // kind delay
  size_t bytes = 0;                // kind large (and cut): the answer padded to this
                                   // size; large_header: the size of a header added
};

struct State {
  std::mutex mu;
  std::shared_ptr<OffsetClock> clock;
  Secret jwt_secret;  // signs Nova Post tokens
  Settings settings;
  std::map<std::string, Merchant> merchants;          // by serviceCode
  std::map<std::string, AllianceSession> sessions;    // by deviceId
  AgeIndex session_expiries;                          // sessions by expires_at
  std::map<std::string, NovaPostKey> novapost_keys;   // by apiKey
  std::map<std::string, NovaPostRef> novapost_ref_owner;  // token ref -> its apiKey, for rejected counts
  AgeIndex ref_expiries;                              // novapost_ref_owner by expires_at
  std::deque<Fault> faults;
  std::map<std::string, Order> orders;                // by hppOrderId
  AgeIndex order_ages;                                // orders by created
  AgeIndex pending_orders;                            // the PENDING orders by expires
  std::deque<Callback> callbacks;                     // waiting for their next attempt
  std::map<std::string, Shipment> shipments;          // Nova Post, by number
  long long last_shipment_id = 0;                     // ids count up from 1

  // The first live fault for `path`, consuming one use of it. REQUIRES: mu held.
  std::optional<Fault> TakeFault(std::string_view path);

  // Forgets Alliance sessions and Nova Post token refs past
  // Settings::session_retention after their expiry and, so that `adding`
  // more of each fit within Settings::max_sessions, those that expire
  // first. REQUIRES: mu held.
  void SweepSessions(size_t adding = 0);

  // Forgets every merchant, key, session, order, shipment, fault and
  // callback, and restores the default settings. REQUIRES: mu held.
  void Reset();
};

// While `map` holds more than `most` elements, erases the one whose
// `age(value)` is smallest: the bound on the shipments, whose creation is
// rare enough that a scan per call costs nothing measurable.
template <typename Map, typename Age>
void EraseOldestPast(Map& map, size_t most, Age age) {
  while (map.size() > most) {
    map.erase(std::min_element(map.begin(), map.end(),
                               [&](const auto& a, const auto& b) { return age(a.second) < age(b.second); }));
  }
}

// A random UUID v4 and random hex, for session identifiers.
std::string RandomUuid();
std::string RandomHex(size_t bytes);

}  // namespace tokenwarden::emulator

#endif  // TOKENWARDEN_EMULATOR_STATE_H_
