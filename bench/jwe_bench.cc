// JWE decrypt/encrypt of a 449-byte bank answer, beside OpenSSL's raw ECDH
// P-384 derive (the floor: one decrypt needs exactly one such derive).
// Run: build/bin/jwe_bench --benchmark_min_time=2
#include <benchmark/benchmark.h>

#include <cstdlib>

#include "jose/jwe.h"
#include "jose/jwk.h"
#include "util/file_io.h"

namespace tokenwarden::jose {
namespace {

// Shaped like PROTOCOLS.md's decrypted payload; exactly 449 bytes.
std::string BankAnswer() {
  std::string s =
      R"({"authToken":"8d0e6c0a-6a4b-4b7e-9d1b-0b8f6f0f2a11","deviceId":"2b9c7d1e-5f3a-4c8b-a1e2-3d4f5a6b7c8d",)"
      R"("refreshToken":"f1e2d3c4-b5a6-4978-8695-a4b3c2d1e0f9","serverPublic":{"kty":"EC","crv":"P-384",)"
      R"("x":"YU4rRUzdmVqmRtWOs2OpDE_T5fsNIodcG8G5FWPrTPMyxpzsSOGaQLpe2FpxBmu2",)"
      R"("y":"A8-yxCHxkfBz3hKZfI1jUYMjUhsEveZ9THuwFjH2sCNdtksRJU7D5-SkgaFL1ETP"},)"
      R"("tokenExpirationDateTime":"2025-02-27 12:12:34.0430 +0000","tokenExpiration":"2025-02-27 14:12:34.430+02:00")";
  s.resize(448, ' ');
  return s + "}";
}

void BM_JweDecrypt449(benchmark::State& state) {
  auto key = *EcKey::Generate(Curve::kP384);
  std::string token = *EncryptCompact(BankAnswer(), key.PublicOnly());
  for (auto _ : state) {
    auto out = DecryptCompact(token, key);
    if (!out.ok()) std::abort();
    benchmark::DoNotOptimize(out);
  }
  state.SetLabel("449-byte bank answer, ECDH-ES+A256KW/A256GCM");
}
BENCHMARK(BM_JweDecrypt449)->Unit(benchmark::kMicrosecond);

void BM_JweEncrypt449(benchmark::State& state) {
  auto key = *EcKey::Generate(Curve::kP384);
  auto pub = key.PublicOnly();
  std::string answer = BankAnswer();
  for (auto _ : state) {
    auto out = EncryptCompact(answer, pub);
    if (!out.ok()) std::abort();
    benchmark::DoNotOptimize(out);
  }
  state.SetLabel("keygen + ECDH + KDF + wrap + GCM");
}
BENCHMARK(BM_JweEncrypt449)->Unit(benchmark::kMicrosecond);

// The peer: OpenSSL's raw ECDH on P-384 (what a decrypt cannot beat).
void BM_OpenSslEcdhP384Derive(benchmark::State& state) {
  auto own = *EcKey::Generate(Curve::kP384);
  auto peer = EcKey::Generate(Curve::kP384)->PublicOnly();
  unsigned char z[64];
  for (auto _ : state) {
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, own.pkey(), nullptr);
    size_t len = sizeof z;
    if (EVP_PKEY_derive_init(ctx) <= 0 || EVP_PKEY_derive_set_peer_ex(ctx, peer.pkey(), 0) <= 0 ||
        EVP_PKEY_derive(ctx, z, &len) <= 0) {
      std::abort();
    }
    EVP_PKEY_CTX_free(ctx);
    benchmark::DoNotOptimize(z);
  }
  state.SetLabel("peer: OpenSSL raw ECDH P-384");
}
BENCHMARK(BM_OpenSslEcdhP384Derive)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace tokenwarden::jose

BENCHMARK_MAIN();
