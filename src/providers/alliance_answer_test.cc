// Decoding the authorize answer in every shape the bank and its SDKs use.
#include "providers/alliance_answer.h"

#include <gtest/gtest.h>

#include "jose/jwe.h"

namespace tokenwarden::providers {
namespace {

const TimePoint kIssued = FromUnixSeconds(1740571954);
const TimePoint kExpiry =
    FromUnixSeconds(1740658354) + std::chrono::milliseconds(43);

nlohmann::json Payload() {
  return {{"authToken", "a1e0c5d2-0000-4000-8000-00000000aaaa"},
          {"deviceId", "d1e0c5d2-0000-4000-8000-00000000dddd"},
          {"refreshToken", "r1e0c5d2-0000-4000-8000-00000000rrrr"},
          {"serverPublic",
           {{"kty", "EC"}, {"crv", "P-384"}, {"x", "xx"}, {"y", "yy"}}},
          {"tokenExpirationDateTime", "2025-02-27 12:12:34.0430 +0000"},
          {"tokenExpiration", "2025-02-27 14:12:34.043+02:00"},
          {"somethingNew", 42}};
}

class AllianceAnswerTest : public ::testing::Test {
 protected:
  std::string Jwe(const nlohmann::json& payload,
                  const jose::JweEncryptOptions& o = {}) {
    auto jwe = jose::EncryptCompact(payload.dump(), key_.PublicOnly(), o);
    EXPECT_TRUE(jwe.ok());
    return jwe.ok() ? *jwe : "";
  }
  AuthorizeResult Decode(int status, const std::string& body) {
    return DecodeAllianceAuthorization({status, {}, body}, key_, "v1", kIssued,
                                       kIssued);
  }
  static void ExpectSession(const AuthorizeResult& r) {
    ASSERT_EQ(r.verdict.action, Action::kOk)
        << r.verdict.code << ": " << r.verdict.message;
    ASSERT_TRUE(r.session.has_value());
    const Session& s = *r.session;
    EXPECT_EQ(s.provider, "alliance");
    EXPECT_EQ(s.issued_at, kIssued);
    EXPECT_EQ(s.expires_at, kExpiry);
    ASSERT_EQ(s.headers.size(), 3u);
    EXPECT_EQ(s.headers[0].name, "x-api_version");
    EXPECT_EQ(s.headers[0].value.reveal(), "v1");
    EXPECT_EQ(s.headers[1].name, "x-device_id");
    EXPECT_EQ(s.headers[1].value.reveal(),
              "d1e0c5d2-0000-4000-8000-00000000dddd");
    EXPECT_EQ(s.headers[2].name, "x-refresh_token");
    EXPECT_EQ(s.headers[2].value.reveal(),
              "r1e0c5d2-0000-4000-8000-00000000rrrr");
    EXPECT_EQ(nlohmann::json::parse(s.upstream_state.reveal()), Payload())
        << "every field is kept";
  }

  jose::EcKey key_ = *jose::EcKey::Generate(jose::Curve::kP384);
};

TEST_F(AllianceAnswerTest, ReadsJweFromJweDataOrABareBody) {
  std::string jwe = Jwe(Payload());
  ExpectSession(Decode(200, nlohmann::json{{"jwe", jwe}}.dump()));
  ExpectSession(Decode(200, nlohmann::json{{"data", jwe}}.dump()));
  ExpectSession(Decode(200, jwe));
  ExpectSession(Decode(200, "\n " + jwe + "\r\n"));
  ExpectSession(Decode(200, nlohmann::json(jwe).dump()));
}

TEST_F(AllianceAnswerTest, KeepsOlderFieldNamesAndWarnsOfAnAssumedExpiry) {
  nlohmann::json p = Payload();
  p.erase("tokenExpirationDateTime");
  p.erase("tokenExpiration");
  p.erase("serverPublic");
  p["serverPublicKey"] = {{"kty", "EC"}};
  AuthorizeResult r = Decode(200, nlohmann::json{{"jwe", Jwe(p)}}.dump());
  ASSERT_EQ(r.verdict.action, Action::kOk);
  EXPECT_EQ(r.session->expires_at, kIssued + std::chrono::hours(24));
  EXPECT_EQ(r.verdict.code, "expiry_warning");
  auto state = nlohmann::json::parse(r.session->upstream_state.reveal());
  EXPECT_EQ(state["serverPublicKey"], p["serverPublicKey"]);
  EXPECT_NE(state.value(kWarningField, "").find("assuming 24 h"),
            std::string::npos);
}

TEST_F(AllianceAnswerTest, AJweForAnotherKeyIsBadJwe) {
  auto other = *jose::EcKey::Generate(jose::Curve::kP384);
  auto jwe = *jose::EncryptCompact(Payload().dump(), other.PublicOnly());
  AuthorizeResult r = Decode(200, nlohmann::json{{"jwe", jwe}}.dump());
  EXPECT_EQ(r.verdict.action, Action::kRetryLater);
  EXPECT_EQ(r.verdict.code, "bad_jwe");
  EXPECT_NE(r.verdict.message.find("registered"), std::string::npos);
  EXPECT_FALSE(r.session.has_value());
}

TEST_F(AllianceAnswerTest, OnlyThePinnedAlgorithmsAreAccepted) {
  jose::JweEncryptOptions direct;
  direct.alg = jose::KeyAlg::kEcdhEs;
  EXPECT_EQ(Decode(200, Jwe(Payload(), direct)).verdict.code, "bad_jwe");
  jose::JweEncryptOptions a128;
  a128.enc = jose::ContentEnc::kA128Gcm;
  EXPECT_EQ(Decode(200, Jwe(Payload(), a128)).verdict.code, "bad_jwe");
}

TEST_F(AllianceAnswerTest, PayloadProblems) {
  EXPECT_EQ(Decode(200, *jose::EncryptCompact("not json", key_.PublicOnly()))
                .verdict.code,
            "bad_jwe");
  nlohmann::json no_device = Payload();
  no_device.erase("deviceId");
  AuthorizeResult r = Decode(200, Jwe(no_device));
  EXPECT_EQ(r.verdict.code, "incomplete_answer");
  EXPECT_NE(r.verdict.message.find("deviceId"), std::string::npos);
  nlohmann::json empty_refresh = Payload();
  empty_refresh["refreshToken"] = "";
  EXPECT_EQ(Decode(200, Jwe(empty_refresh)).verdict.code, "incomplete_answer");
}

TEST_F(AllianceAnswerTest, TheDecryptedPayloadReadsTheSameWithoutTheJwe) {
  ExpectSession(AllianceSessionFromPayload(Payload().dump(), "v1", kIssued));
  EXPECT_EQ(AllianceSessionFromPayload("[1]", "v1", kIssued).verdict.code, "bad_jwe");
  nlohmann::json no_refresh = Payload();
  no_refresh.erase("refreshToken");
  AuthorizeResult r = AllianceSessionFromPayload(no_refresh.dump(), "v1", kIssued);
  EXPECT_EQ(r.verdict.code, "incomplete_answer");
  EXPECT_FALSE(r.session.has_value());
}

TEST_F(AllianceAnswerTest, APlainErrorInsteadOfAJweIsClassified) {
  auto error = [](const char* code) {
    return nlohmann::json{{"requestId", "r"},
                          {"msgCode", code},
                          {"msgType", "ERROR"},
                          {"msgText", "t"}}
        .dump();
  };
  EXPECT_EQ(Decode(401, error("b_auth_token_expired")).verdict.action,
            Action::kNeedsSupport);
  EXPECT_EQ(Decode(200, error("b_overload_error")).verdict.action,
            Action::kRetryLater);
  EXPECT_EQ(Decode(503, error("b_server_is_overloaded")).verdict.action,
            Action::kRetryLater);
  EXPECT_EQ(Decode(400, error("b_service_code_not_found")).verdict.action,
            Action::kFatal);
  EXPECT_EQ(Decode(401, "").verdict.action, Action::kRetryLater);
  EXPECT_EQ(Decode(500, "<html>oops</html>").verdict.action,
            Action::kRetryLater);
  // A JWE-looking body with an error status is still an error.
  EXPECT_EQ(
      Decode(401, nlohmann::json{{"jwe", Jwe(Payload())}}.dump()).verdict.code,
      "http_401");
}

TEST_F(AllianceAnswerTest, TruncatedOrMalformedBodies) {
  std::string full = nlohmann::json{{"jwe", Jwe(Payload())}}.dump();
  for (const std::string& body :
       {full.substr(0, full.size() / 2), std::string(""), std::string("<html>"),
        std::string("a.b.c")}) {
    AuthorizeResult r = Decode(200, body);
    EXPECT_EQ(r.verdict.action, Action::kRetryLater) << body;
    EXPECT_EQ(r.verdict.code, "malformed_answer") << body;
    EXPECT_FALSE(r.session.has_value());
  }
  std::string jwe = Jwe(Payload());
  EXPECT_EQ(Decode(200, jwe.substr(0, jwe.size() - 10)).verdict.code, "bad_jwe")
      << "a cut JWE tag";
  EXPECT_EQ(Decode(200, R"({"requestId":"r","msgCode":"b_used_token","msgT)")
                .verdict.code,
            "b_used_token");
}

}  // namespace
}  // namespace tokenwarden::providers
