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
  TimePoint now = clock->Now();
  const Duration keep = settings.session_retention;
  std::erase_if(sessions, [&](const auto& kv) { return now - kv.second.expires_at > keep; });
  std::erase_if(novapost_ref_owner, [&](const auto& kv) { return now - kv.second.expires_at > keep; });
  const size_t most = settings.max_sessions > adding ? settings.max_sessions - adding : 0;
  EraseOldestPast(sessions, most, [](const AllianceSession& s) { return s.expires_at; });
  EraseOldestPast(novapost_ref_owner, most, [](const NovaPostRef& r) { return r.expires_at; });
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
