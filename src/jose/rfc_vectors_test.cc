// Published vectors: RFC 7520 section 5.4, RFC 7518 Appendix C, RFC 7515
// Appendix A.3.
#include <gtest/gtest.h>

#include "jose/base64url.h"
#include "jose/concat_kdf.h"
#include "jose/jwe.h"
#include "jose/jwk.h"
#include "jose/jws.h"
#include "jose/openssl_util.h"

namespace tokenwarden::jose {
namespace {

TEST(Rfc7520, Section54EcdhEsA128KwP384A128Gcm) {
  auto key = EcKey::FromJwkString(R"({"kty":"EC","kid":"peregrin.took@tuckborough.example",
    "use":"enc","crv":"P-384",
    "x":"YU4rRUzdmVqmRtWOs2OpDE_T5fsNIodcG8G5FWPrTPMyxpzsSOGaQLpe2FpxBmu2",
    "y":"A8-yxCHxkfBz3hKZfI1jUYMjUhsEveZ9THuwFjH2sCNdtksRJU7D5-SkgaFL1ETP",
    "d":"iTx2pk7wW-GqJkHcEkFQb2EFyYcO7RugmaW3mRrQVAOUiPommT0IdnYK2xDlZh-j"})");
  ASSERT_TRUE(key.ok()) << key.error().message;
  const std::string compact =
      "eyJhbGciOiJFQ0RILUVTK0ExMjhLVyIsImtpZCI6InBlcmVncmluLnRvb2tAdH"
      "Vja2Jvcm91Z2guZXhhbXBsZSIsImVwayI6eyJrdHkiOiJFQyIsImNydiI6IlAt"
      "Mzg0IiwieCI6InVCbzRrSFB3Nmtiang1bDB4b3dyZF9vWXpCbWF6LUdLRlp1NH"
      "hBRkZrYllpV2d1dEVLNml1RURzUTZ3TmROZzMiLCJ5Ijoic3AzcDVTR2haVkMy"
      "ZmFYdW1JLWU5SlUyTW84S3BvWXJGRHI1eVBOVnRXNFBnRXdaT3lRVEEtSmRhWT"
      "h0YjdFMCJ9LCJlbmMiOiJBMTI4R0NNIn0"
      ".0DJjBXri_kBcC46IkU5_Jk9BqaQeHdv2"
      ".mH-G2zVqgztUtnW_"
      ".tkZuOO9h95OgHJmkkrfLBisku8rGf6nzVxhRM3sVOhXgz5NJ76oID7lpnAi_cP"
      "WJRCjSpAaUZ5dOR3Spy7QuEkmKx8-3RCMhSYMzsXaEwDdXta9Mn5B7cCBoJKB0"
      "IgEnj_qfo1hIi-uEkUpOZ8aLTZGHfpl05jMwbKkTe2yK3mjF6SBAsgicQDVCkc"
      "Y9BLluzx1RmC3ORXaM0JaHPB93YcdSDGgpgBWMVrNU1ErkjcMqMoT_wtCex3w0"
      "3XdLkjXIuEr2hWgeP-nkUZTPU9EoGSPj6fAS-bSz87RCPrxZdj_iVyC6QWcqAu"
      "07WNhjzJEPc4jVntRJ6K53NgPQ5p99l3Z408OUqj4ioYezbS6vTPlQ"
      ".WuGzxmcreYjpHGJoa17EBg";
  const std::string plaintext =
      "You can trust us to stick with you through thick and thin\xe2\x80\x93to the bitter end. "
      "And you can trust us to keep any secret of yours\xe2\x80\x93" "closer than you keep it "
      "yourself. But you cannot trust us to let you face trouble alone, and go off without a "
      "word. We are your friends, Frodo.";
  auto out = DecryptCompact(compact, *key, KeyAlg::kEcdhEsA128Kw, ContentEnc::kA128Gcm);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->plaintext.reveal(), plaintext);
  EXPECT_EQ(out->protected_header["kid"], "peregrin.took@tuckborough.example");
  // The bank's pinning refuses the same token.
  EXPECT_FALSE(DecryptCompact(compact, *key).ok());
}

TEST(Rfc7518, AppendixCConcatKdfDerivesThePublishedKey) {
  auto alice = EcKey::FromJwkString(R"({"kty":"EC","crv":"P-256",
    "x":"gI0GAILBdu7T53akrFmMyGcsF3n5dO7MmwNBHKW5SV0",
    "y":"SLW_xSffzlPWrHEVI30DHM_4egVwt3NQqeUD7nMFpps",
    "d":"0_NxaRPUMQoAJt50Gz8YiTr8gRTwyEaCumd-MToTmIo"})");
  auto bob = EcKey::FromJwkString(R"({"kty":"EC","crv":"P-256",
    "x":"weNJy2HscCSM6AEDTDg04biOvhFhyyWvOHQfeF_PxMQ",
    "y":"e8lnCO-AlStT-NJVX-crhB7QRYhiix03illJOVAOyck",
    "d":"VEmDZpDXXK8p8N0Cndsxs924q6nS1RXFASRl6BfUqdw"})");
  ASSERT_TRUE(alice.ok() && bob.ok());
  // Z as Bob computes it with Alice's ephemeral public key.
  internal::Ossl<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, bob->pkey(), nullptr));
  size_t len = 32;
  std::string z(32, '\0');
  ASSERT_GT(EVP_PKEY_derive_init(ctx.get()), 0);
  ASSERT_GT(EVP_PKEY_derive_set_peer(ctx.get(), alice->pkey()), 0);
  ASSERT_GT(EVP_PKEY_derive(ctx.get(), reinterpret_cast<unsigned char*>(z.data()), &len), 0);
  const unsigned char expected_z[] = {158, 86,  217, 29,  129, 113, 53,  211, 114, 131, 66,
                                      131, 191, 132, 38,  156, 251, 49,  110, 163, 218, 128,
                                      106, 72,  246, 218, 167, 121, 140, 254, 144, 196};
  EXPECT_EQ(z, std::string(reinterpret_cast<const char*>(expected_z), 32));
  auto key = internal::ConcatKdf(z, 16, "A128GCM", "Alice", "Bob");
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(Base64UrlEncode(key->reveal()), "VqqN6vgjbSBcIijNcacQGg");
}

TEST(Rfc7515, AppendixA3Es256Verifies) {
  auto key = EcKey::FromJwkString(R"({"kty":"EC","crv":"P-256",
    "x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
    "y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
    "d":"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"})");
  ASSERT_TRUE(key.ok()) << key.error().message;
  const std::string jws =
      "eyJhbGciOiJFUzI1NiJ9"
      ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
      ".DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
  auto out = VerifyEs256(jws, key->PublicOnly());
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->payload, "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}");
}

}  // namespace
}  // namespace tokenwarden::jose
