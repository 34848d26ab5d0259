#include "emulator/state.h"

#include <openssl/rand.h>

#include <cstdio>

namespace tokenwarden::emulator {

std::optional<Fault> State::TakeFault(std::string_view path) {
  TimePoint now = clock->Now();
  for (auto it = faults.begin(); it != faults.end();) {
    bool expired = (it->until && now >= *it->until) || it->remaining == 0;
    if (expired) {
      it = faults.erase(it);
      continue;
    }
    if (path.substr(0, it->path_prefix.size()) == it->path_prefix) {
      Fault f = *it;
      if (it->remaining > 0 && --it->remaining == 0) faults.erase(it);
      return f;
    }
    ++it;
  }
  return std::nullopt;
}

void State::SweepSessions(size_t adding) {
  const TimePoint cutoff = clock->Now() - settings.session_retention;
  const size_t most = settings.max_sessions > adding ? settings.max_sessions - adding : 0;
  session_expiries.Trim(sessions, cutoff, most);
  ref_expiries.Trim(novapost_ref_owner, cutoff, most);
}

void State::Reset() {
  merchants.clear();
  sessions.clear();
  session_expiries.clear();
  novapost_keys.clear();
  novapost_ref_owner.clear();
  ref_expiries.clear();
  faults.clear();
  orders.clear();
  order_ages.clear();
  pending_orders.clear();
  callbacks.clear();
  shipments.clear();
  last_shipment_id = 0;
  settings = Settings{};
}

std::string RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes));
  std::string out;
  char buf[3];
  for (unsigned char c : raw) {
    std::snprintf(buf, sizeof buf, "%02x", c);
    out += buf;
  }
  return out;
}

std::string RandomUuid() {
  std::string h = RandomHex(16);
  h[12] = '4';                                    // version 4
  h[16] = "89ab"[std::stoi(h.substr(16, 1), nullptr, 16) & 3];  // RFC 4122 variant
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" +
         h.substr(20, 12);
}

}  // namespace tokenwarden::emulator
