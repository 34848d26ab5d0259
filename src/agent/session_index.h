// The sessions the drop-in listener has seen, by the credential a client
// sends back with every call (the bank's x-device_id, Nova Post's JWT), so
// that a client still holding a session a generation old finds its account.
// Keys are SHA-256 digests: the index keeps no credential.
#ifndef TOKENWARDEN_AGENT_SESSION_INDEX_H_
#define TOKENWARDEN_AGENT_SESSION_INDEX_H_

#include <array>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace tokenwarden::agent {

// Thread-safety: every method from any thread.
class SessionIndex {
 public:
  // Past `capacity` credentials the oldest noted is forgotten (a client
  // that held it is then answered as the upstream answers an unknown
  // session, and authorizes again: locally).
  explicit SessionIndex(size_t capacity = 65536) : capacity_(capacity) {}

  // Notes that `credential` belongs to `account` (again: no change).
  void Note(std::string_view credential, const std::string& account);
  // The account `credential` was noted for, or "".
  std::string Find(std::string_view credential) const;
  size_t size() const;

 private:
  using Digest = std::array<unsigned char, 32>;
  struct DigestHash {
    size_t operator()(const Digest& d) const;
  };
  static Digest Of(std::string_view credential);

  const size_t capacity_;
  mutable std::mutex mu_;
  std::unordered_map<Digest, std::string, DigestHash> accounts_;  // guarded by mu_
  std::deque<Digest> order_;                                      // guarded by mu_; oldest first
};

}  // namespace tokenwarden::agent

#endif  // TOKENWARDEN_AGENT_SESSION_INDEX_H_
