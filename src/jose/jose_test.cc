// Round trips, tampering, strict parsing and key validation.
#include <gtest/gtest.h>

#include "jose/base64url.h"
#include "jose/jwe.h"
#include "jose/jwk.h"
#include "jose/jws.h"
#include "jose/jwt.h"

namespace tokenwarden::jose {
namespace {

TEST(Base64Url, RoundTripsEveryLength) {
  std::string bytes;
  for (int i = 0; i < 70; ++i) {
    auto back = Base64UrlDecode(Base64UrlEncode(bytes));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, bytes);
    bytes += static_cast<char>(i * 37);
  }
}

TEST(Base64Url, IsStrict) {
  EXPECT_FALSE(Base64UrlDecode("QQ==").ok());   // padding
  EXPECT_FALSE(Base64UrlDecode("a+b/").ok());   // standard alphabet
  EXPECT_FALSE(Base64UrlDecode("QR").ok());     // non-zero trailing bits ("QQ" is canonical)
  EXPECT_FALSE(Base64UrlDecode("Q").ok());      // impossible length
  EXPECT_FALSE(Base64UrlDecode("QQ\n").ok());
  EXPECT_EQ(*Base64UrlDecode("QQ"), "A");
}

TEST(Jwk, ImportExportBothCurves) {
  for (Curve c : {Curve::kP256, Curve::kP384}) {
    auto key = EcKey::Generate(c);
    ASSERT_TRUE(key.ok());
    auto pub = EcKey::FromJwk(key->PublicJwk());
    ASSERT_TRUE(pub.ok()) << pub.error().message;
    EXPECT_FALSE(pub->has_private());
    EXPECT_EQ(pub->PublicJwk(), key->PublicJwk());
    auto priv = EcKey::FromJwkString(key->PrivateJwk({{"use", "enc"}}).reveal());
    ASSERT_TRUE(priv.ok()) << priv.error().message;
    EXPECT_TRUE(priv->has_private());
    EXPECT_EQ(priv->PrivateJwk().reveal(), key->PrivateJwk().reveal());
    EXPECT_EQ(key->PublicJwk({{"use", "enc"}})["use"], "enc");
  }
}

TEST(Jwk, RejectsWithTheFieldNamed) {
  auto key = *EcKey::Generate(Curve::kP384);
  auto jwk = nlohmann::json::parse(key.PrivateJwk().reveal());
  auto expect_error = [](nlohmann::json j, const std::string& field) {
    auto r = EcKey::FromJwk(j);
    ASSERT_FALSE(r.ok()) << field;
    EXPECT_NE(r.error().message.find("\"" + field + "\""), std::string::npos) << r.error().message;
  };
  auto bad = jwk;
  bad["kty"] = "RSA";
  expect_error(bad, "kty");
  bad = jwk;
  bad["crv"] = "P-256";  // coordinates are 48 bytes: the size no longer fits
  expect_error(bad, "x");
  bad = jwk;
  bad["crv"] = "P-521";
  expect_error(bad, "crv");
  bad = jwk;
  std::string x = bad["x"];
  x[5] = x[5] == 'A' ? 'B' : 'A';  // off the curve
  bad["x"] = x;
  expect_error(bad, "x");
  bad = jwk;
  bad["d"] = nlohmann::json::parse((*EcKey::Generate(Curve::kP384)).PrivateJwk().reveal())["d"];
  expect_error(bad, "d");  // does not match x/y
  // The private scalar never appears in an error.
  auto r = EcKey::FromJwk(bad);
  EXPECT_EQ(r.error().message.find(bad["d"].get<std::string>()), std::string::npos);
}

TEST(Jwe, RoundTripsEveryAlgEncAndCurve) {
  for (Curve c : {Curve::kP256, Curve::kP384}) {
    auto key = *EcKey::Generate(c);
    for (KeyAlg alg : {KeyAlg::kEcdhEs, KeyAlg::kEcdhEsA128Kw, KeyAlg::kEcdhEsA192Kw, KeyAlg::kEcdhEsA256Kw}) {
      for (ContentEnc enc : {ContentEnc::kA128Gcm, ContentEnc::kA192Gcm, ContentEnc::kA256Gcm}) {
        SCOPED_TRACE(std::string(KeyAlgName(alg)) + "/" + std::string(ContentEncName(enc)));
        JweEncryptOptions o;
        o.alg = alg;
        o.enc = enc;
        o.apu = "Alice";
        o.apv = "Bob";
        o.extra_header = {{"kid", "k1"}};
        auto token = EncryptCompact("{\"authToken\":\"x\"}", key.PublicOnly(), o);
        ASSERT_TRUE(token.ok()) << token.error().message;
        auto out = DecryptCompact(*token, key, alg, enc);
        ASSERT_TRUE(out.ok()) << out.error().message;
        EXPECT_EQ(out->plaintext.reveal(), "{\"authToken\":\"x\"}");
        EXPECT_EQ(out->protected_header["kid"], "k1");
      }
    }
  }
}

TEST(Jwe, TamperingAnyPartFails) {
  auto key = *EcKey::Generate(Curve::kP384);
  auto token = *EncryptCompact("payload", key);
  std::vector<size_t> dots;
  for (size_t i = 0; i < token.size(); ++i) {
    if (token[i] == '.') dots.push_back(i);
  }
  for (size_t pos : {size_t{3}, dots[0] + 3, dots[1] + 3, dots[2] + 2, dots[3] + 3}) {
    std::string t = token;
    t[pos] = t[pos] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(DecryptCompact(t, key).ok()) << pos;
  }
  auto other = *EcKey::Generate(Curve::kP384);
  auto wrong = DecryptCompact(token, other);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::kCryptoFailure);
}

TEST(Jwe, AnEpkWhoseCrvIsNotAStringIsAnErrorNotAnException) {
  auto key = *EcKey::Generate(Curve::kP384);
  std::string token = *EncryptCompact("payload", key);
  nlohmann::json header = nlohmann::json::parse(*Base64UrlDecode(token.substr(0, token.find('.'))));
  for (nlohmann::json crv : {nlohmann::json(5), nlohmann::json::array(), nlohmann::json(nullptr)}) {
    header["epk"]["crv"] = crv;
    std::string forged = Base64UrlEncode(header.dump()) + token.substr(token.find('.'));
    Result<JweDecrypted> out = MakeError(ErrorCode::kInternal, "unset");
    EXPECT_NO_THROW(out = DecryptCompact(forged, key)) << crv.dump();
    EXPECT_FALSE(out.ok()) << crv.dump();
  }
}

TEST(Jwe, RefusesInputOverOneMebibyteBeforeParsing) {
  auto key = *EcKey::Generate(Curve::kP384);
  auto r = DecryptCompact(std::string(kMaxJoseInputBytes + 1, 'A'), key);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kResourceExhausted);
}

TEST(Jws, SignVerifyAndRejectOtherKeys) {
  auto key = *EcKey::Generate(Curve::kP256);
  auto jws = SignEs256("{\"a\":1}", key, {{"kid", "bank-1"}, {"ts", 1740658354},
                                          {"targetUrl", "/ecom/jws/payments/create/purchase_v3"}});
  ASSERT_TRUE(jws.ok()) << jws.error().message;
  auto out = VerifyEs256(*jws, key.PublicOnly());
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->payload, "{\"a\":1}");
  EXPECT_EQ(out->protected_header["targetUrl"], "/ecom/jws/payments/create/purchase_v3");
  EXPECT_FALSE(VerifyEs256(*jws, *EcKey::Generate(Curve::kP256)).ok());
  EXPECT_FALSE(VerifyEs256(*jws, *EcKey::Generate(Curve::kP384)).ok());
}

TEST(Jwt, SignVerifyDecode) {
  Secret k("emulator-secret-0123456789abcdef");
  auto token = SignHs256({{"iss", "np"}, {"iat", 1685627414}, {"exp", 1685631014}}, k);
  ASSERT_TRUE(token.ok());
  auto v = VerifyHs256(*token, k);
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ(ToUnixSeconds(*v->exp), 1685631014);
  EXPECT_FALSE(VerifyHs256(*token, Secret("other")).ok());
  auto d = DecodeUnverified(*token);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(ToUnixSeconds(*d->iat), 1685627414);
  // Out of TimePoint's range: not a usable NumericDate (and no overflow).
  auto far = DecodeUnverified(*SignHs256({{"exp", 1e15}}, k));
  ASSERT_FALSE(far.ok());
  EXPECT_NE(far.error().message.find("exp"), std::string::npos);
  auto no_exp = SignHs256({{"iss", "np"}}, k);
  EXPECT_FALSE(DecodeUnverified(*no_exp).ok());
  EXPECT_TRUE(DecodeUnverified(*no_exp, {.require_exp = false}).ok());
}

}  // namespace
}  // namespace tokenwarden::jose
