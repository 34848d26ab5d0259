#include "agent/session_index.h"

#include <openssl/sha.h>

#include <cstring>

namespace tokenwarden::agent {

size_t SessionIndex::DigestHash::operator()(const Digest& d) const {
  size_t h;
  std::memcpy(&h, d.data(), sizeof h);  // a digest's bytes are already uniform
  return h;
}

SessionIndex::Digest SessionIndex::Of(std::string_view credential) {
  Digest d;
  SHA256(reinterpret_cast<const unsigned char*>(credential.data()), credential.size(), d.data());
  return d;
}

void SessionIndex::Note(std::string_view credential, const std::string& account) {
  Digest d = Of(credential);
  std::lock_guard lock(mu_);
  auto [it, added] = accounts_.try_emplace(d, account);
  if (!added) return;
  order_.push_back(d);
  while (order_.size() > capacity_) {
    accounts_.erase(order_.front());
    order_.pop_front();
  }
}

std::string SessionIndex::Find(std::string_view credential) const {
  Digest d = Of(credential);
  std::lock_guard lock(mu_);
  auto it = accounts_.find(d);
  return it == accounts_.end() ? std::string() : it->second;
}

size_t SessionIndex::size() const {
  std::lock_guard lock(mu_);
  return accounts_.size();
}

}  // namespace tokenwarden::agent
