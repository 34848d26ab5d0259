// Every case in ../shared/testdata/jose, read from the files as they are.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "jose/base64url.h"
#include "jose/jwe.h"
#include "jose/jwk.h"
#include "jose/jws.h"
#include "jose/jwt.h"
#include "util/file_io.h"

namespace tokenwarden::jose {
namespace {

const std::string kDir = std::string(TW_SHARED_DIR) + "/testdata/jose/";

nlohmann::json Load(const std::string& name) {
  auto text = ReadFile(kDir + name, 8 << 20);
  EXPECT_TRUE(text.ok()) << text.error().message;
  return text.ok() ? nlohmann::json::parse(*text) : nlohmann::json();
}

TEST(SharedVectors, JweCasesDecryptOrRejectAsExpected) {
  auto key = EcKey::FromJwk(Load("key.json"));
  ASSERT_TRUE(key.ok()) << key.error().message;
  auto cases = Load("cases.json");
  ASSERT_EQ(cases.size(), 63u);
  int ok = 0, rejected = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(c["name"].get<std::string>());
    auto out = DecryptCompact(c["jwe"].get<std::string>(), *key);
    if (c["expect"] == "ok") {
      ASSERT_TRUE(out.ok()) << out.error().ToString();
      EXPECT_EQ(out->plaintext.reveal(), c["plaintext"].get<std::string>());
      ++ok;
    } else {
      EXPECT_FALSE(out.ok()) << c["why"];
      if (!out.ok()) {
        // A reject says why, and never echoes key material.
        EXPECT_FALSE(out.error().message.empty());
        EXPECT_EQ(out.error().message.find(Load("key.json")["d"].get<std::string>()), std::string::npos);
      }
      ++rejected;
    }
  }
  EXPECT_EQ(ok, 40);
  EXPECT_EQ(rejected, 23);
}

TEST(SharedVectors, OversizeIsRefusedByTheSizeLimit) {
  auto key = EcKey::FromJwk(Load("key.json"));
  for (const auto& c : Load("cases.json")) {
    if (c["name"] != "reject-oversize-valid") continue;
    auto out = DecryptCompact(c["jwe"].get<std::string>(), *key);
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.error().code, ErrorCode::kResourceExhausted);
    return;
  }
  FAIL() << "case reject-oversize-valid not found";
}

TEST(SharedVectors, InvalidCurveCasesFailOnPointOrCurveChecks) {
  auto key = EcKey::FromJwk(Load("key.json"));
  for (const auto& c : Load("cases.json")) {
    std::string name = c["name"];
    if (name != "reject-epk-off-curve" && name != "reject-epk-p256") continue;
    SCOPED_TRACE(name);
    auto out = DecryptCompact(c["jwe"].get<std::string>(), *key);
    ASSERT_FALSE(out.ok());
    EXPECT_NE(out.error().message.find("epk"), std::string::npos) << out.error().message;
  }
}

TEST(SharedVectors, JwsCases) {
  auto key = EcKey::FromJwk(Load("jws_es256_public.json"));
  ASSERT_TRUE(key.ok()) << key.error().message;
  auto cases = Load("jws_cases.json");
  ASSERT_EQ(cases.size(), 15u);
  for (const auto& c : cases) {
    SCOPED_TRACE(c["name"].get<std::string>());
    auto out = VerifyEs256(c["jws"].get<std::string>(), *key);
    if (c["expect"] == "ok") {
      ASSERT_TRUE(out.ok()) << out.error().ToString();
      EXPECT_EQ(out->payload, c["payload"].get<std::string>());
    } else {
      EXPECT_FALSE(out.ok()) << c["why"];
    }
  }
}

TEST(SharedVectors, JwtCases) {
  auto secret_jwk = Load("jwt_hs256_secret.json");
  auto raw = Base64UrlDecode(secret_jwk["k"].get<std::string>());
  ASSERT_TRUE(raw.ok());
  Secret secret(*raw);
  auto cases = Load("jwt_cases.json");
  ASSERT_EQ(cases.size(), 13u);
  const JwtRequirements strict{.require_exp = true, .require_iat = true};
  for (const auto& c : cases) {
    SCOPED_TRACE(c["name"].get<std::string>());
    std::string token = c["jwt"];
    // What a decode-only consumer (Nova Post's tokens) sees.
    auto decoded = DecodeUnverified(token, {.require_exp = false});
    EXPECT_EQ(decoded.ok(), c["claims_decodable"].get<bool>())
        << (decoded.ok() ? "" : decoded.error().message);
    // Full verification with the key, pinned to HS256, numeric iat/exp.
    auto verified = VerifyHs256(token, secret, strict);
    EXPECT_EQ(verified.ok(), c["expect"] == "ok")
        << (verified.ok() ? "" : verified.error().message);
    // The signature alone, without the claim requirements.
    auto sig_only = VerifyHs256(token, secret, {.require_exp = false});
    EXPECT_EQ(sig_only.ok(), c["signature_valid"].get<bool>() && c["claims_decodable"].get<bool>());
    if (verified.ok()) {
      EXPECT_EQ(ToUnixSeconds(*verified->iat), c["iat"].get<long long>());
      EXPECT_EQ(ToUnixSeconds(*verified->exp), c["exp"].get<long long>());
      EXPECT_EQ(verified->claims, c["claims"]);
    }
  }
}

}  // namespace
}  // namespace tokenwarden::jose
