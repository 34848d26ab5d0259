// OpenSSL ciphers fetched once per process. With OpenSSL 3, naming a cipher
// per operation (EVP_aes_256_gcm() or a fetch each time) costs a provider
// lookup per token or record; a fetched cipher is immutable and safe to
// share between threads.
#ifndef TOKENWARDEN_UTIL_FETCHED_CIPHER_H_
#define TOKENWARDEN_UTIL_FETCHED_CIPHER_H_

#include <openssl/evp.h>

namespace tokenwarden {

// The cipher named `name` ("AES-256-GCM"), or null if OpenSSL has none.
// Never freed: it stays valid until exit.
const EVP_CIPHER* FetchedCipher(const char* name);

}  // namespace tokenwarden

#endif  // TOKENWARDEN_UTIL_FETCHED_CIPHER_H_
