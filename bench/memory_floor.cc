// The floor of the agent's idle memory: a C++ program that does only the
// OpenSSL work an idle agent with an Alliance account has done (load a P-384
// private key, one ECDH-ES+A256KW/A256GCM decrypt's primitives, an HMAC, an
// AES-GCM record for the store, random bytes), and nothing else. make bench
// reads its memory the way it reads the agent's, in the same run.
//
//   memory_floor < KEY   KEY: one line "D_HEX X_HEX Y_HEX", the key's private
//                        scalar and public point (on standard input, not in
//                        the command line, which any local user can read)
//
// Prints "ready" when done, then waits for its standard input to close.
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>

#include <cstdlib>
#include <iostream>
#include <limits>
#include <string>
#include <vector>

namespace {

using Bytes = std::vector<unsigned char>;

[[noreturn]] void Fail(const std::string& what) {
  std::cerr << "memory_floor: " << what << " failed\n";
  std::exit(1);
}

Bytes FromHex(const std::string& hex, const char* name) {
  if (hex.size() % 2 != 0) Fail(std::string("reading ") + name + " (odd number of hex digits)");
  Bytes out;
  for (size_t i = 0; i < hex.size(); i += 2) out.push_back(static_cast<unsigned char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

EVP_PKEY* KeyFromData(const Bytes& point, const Bytes* d) {
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  BIGNUM* priv = d ? BN_bin2bn(d->data(), static_cast<int>(d->size()), nullptr) : nullptr;
  if (!bld || !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "P-384", 0) ||
      !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) ||
      (priv && !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv)))
    Fail("building the key's parameters");
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr);
  EVP_PKEY* key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
      EVP_PKEY_fromdata(ctx, &key, d ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) <= 0)
    Fail("EVP_PKEY_fromdata");
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  BN_clear_free(priv);
  return key;
}

// `tag`: AES-GCM's, written when encrypting and checked when decrypting;
// nullptr for the key wrap.
Bytes Cipher(const char* name, bool encrypt, const Bytes& key, const Bytes& iv, const Bytes& in,
             unsigned char* tag = nullptr) {
  EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, name, nullptr);
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  Bytes out(in.size() + 16);
  int n = 0, m = 0;
  if (!cipher || !ctx ||
      EVP_CipherInit_ex2(ctx, cipher, key.data(), iv.empty() ? nullptr : iv.data(), encrypt ? 1 : 0, nullptr) != 1 ||
      EVP_CipherUpdate(ctx, out.data(), &n, in.data(), static_cast<int>(in.size())) != 1)
    Fail(std::string(name) + (encrypt ? " encrypt" : " decrypt"));
  if (tag) {
    if (encrypt) {
      if (EVP_CipherFinal_ex(ctx, out.data() + n, &m) != 1 ||
          EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, tag) != 1)
        Fail("AES-256-GCM tag");
    } else if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, 16, tag) != 1 ||
               EVP_CipherFinal_ex(ctx, out.data() + n, &m) != 1) {
      Fail("AES-256-GCM tag check");
    }
  } else if (EVP_CipherFinal_ex(ctx, out.data() + n, &m) != 1) {
    Fail(std::string(name) + " final");
  }
  out.resize(static_cast<size_t>(n + m));
  EVP_CIPHER_CTX_free(ctx);
  EVP_CIPHER_free(cipher);
  return out;
}

}  // namespace

int main(int argc, char**) {
  std::string d_hex, x_hex, y_hex;
  if (argc != 1 || !(std::cin >> d_hex >> x_hex >> y_hex)) {
    std::cerr << "usage: memory_floor < KEY (one line: D_HEX X_HEX Y_HEX)\n";
    return 2;
  }
  Bytes d = FromHex(d_hex, "D_HEX");
  Bytes point = {0x04};
  for (const std::string* part : {&x_hex, &y_hex}) {
    Bytes b = FromHex(*part, "X_HEX/Y_HEX");
    point.insert(point.end(), b.begin(), b.end());
  }
  EVP_PKEY* own = KeyFromData(point, &d);
  EVP_PKEY* peer = KeyFromData(point, nullptr);  // the ephemeral key's place

  // ECDH-ES: the shared secret, then the Concat KDF (SSKDF with SHA-256).
  Bytes z(48);
  size_t z_len = z.size();
  EVP_PKEY_CTX* dh = EVP_PKEY_CTX_new(own, nullptr);
  if (!dh || EVP_PKEY_derive_init(dh) <= 0 || EVP_PKEY_derive_set_peer(dh, peer) <= 0 ||
      EVP_PKEY_derive(dh, z.data(), &z_len) <= 0)
    Fail("ECDH");
  Bytes kek(32);
  EVP_KDF* sskdf = EVP_KDF_fetch(nullptr, "SSKDF", nullptr);
  EVP_KDF_CTX* kdf = sskdf ? EVP_KDF_CTX_new(sskdf) : nullptr;
  char digest[] = "SHA256";
  unsigned char info[] = "ECDH-ES+A256KW";
  OSSL_PARAM kdf_params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, z.data(), z_len),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, sizeof info - 1),
      OSSL_PARAM_construct_end()};
  if (!kdf || EVP_KDF_derive(kdf, kek.data(), kek.size(), kdf_params) != 1) Fail("SSKDF");

  // A256KW around a content key, A256GCM around a bank-sized answer.
  Bytes cek(32), iv(12), answer(449, '{');
  if (RAND_bytes(cek.data(), static_cast<int>(cek.size())) != 1 || RAND_bytes(iv.data(), 12) != 1) Fail("RAND_bytes");
  Bytes wrapped = Cipher("AES-256-WRAP", true, kek, {}, cek);
  Bytes unwrapped = Cipher("AES-256-WRAP", false, kek, {}, wrapped);
  unsigned char tag[16];
  Bytes sealed = Cipher("AES-256-GCM", true, unwrapped, iv, answer, tag);
  if (Cipher("AES-256-GCM", false, unwrapped, iv, sealed, tag) != answer) Fail("the round trip");

  unsigned char mac[32];
  unsigned int mac_len = 0;
  if (!HMAC(EVP_sha256(), kek.data(), static_cast<int>(kek.size()), answer.data(), answer.size(), mac, &mac_len))
    Fail("HMAC");

  EVP_KDF_CTX_free(kdf);
  EVP_KDF_free(sskdf);
  EVP_PKEY_CTX_free(dh);
  EVP_PKEY_free(peer);
  EVP_PKEY_free(own);
  std::cout << "ready" << std::endl;
  std::cin.ignore(std::numeric_limits<std::streamsize>::max());  // until standard input closes
  return 0;
}
