// Request identifiers for upstream calls (the bank's x-request_id).
#ifndef TOKENWARDEN_PROVIDERS_REQUEST_ID_H_
#define TOKENWARDEN_PROVIDERS_REQUEST_ID_H_

#include <string>

namespace tokenwarden::providers {

// A random (version 4) UUID, lower-case, from OpenSSL's RAND_bytes. Should
// RAND_bytes fail, std::random_device fills in: an identifier needs to be
// unique, not secret. Thread-safe.
std::string NewRequestId();

}  // namespace tokenwarden::providers

#endif  // TOKENWARDEN_PROVIDERS_REQUEST_ID_H_
