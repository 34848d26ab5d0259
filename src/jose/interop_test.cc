// Interoperability with python3-jwcrypto (the library the bank's
// documentation uses), both ways, through real files and a real process.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "jose/jwe.h"
#include "jose/jwk.h"
#include "testing/subprocess.h"

namespace tokenwarden::jose {
namespace {

const char* kDecrypt = R"py(
import sys
from jwcrypto import jwk, jwe
key = jwk.JWK.from_json(open(sys.argv[1]).read())
token = jwe.JWE(algs=["ECDH-ES+A256KW", "A256GCM"])
token.deserialize(open(sys.argv[2]).read(), key=key)
sys.stdout.buffer.write(token.payload)
)py";

const char* kEncrypt = R"py(
import sys, json
from jwcrypto import jwk, jwe
key = jwk.JWK.from_json(open(sys.argv[1]).read())
token = jwe.JWE(sys.stdin.buffer.read(), json.dumps({"alg": "ECDH-ES+A256KW", "enc": "A256GCM"}))
token.add_recipient(key)
sys.stdout.write(token.serialize(compact=True))
)py";

std::string Write(const std::string& dir, const std::string& name, const std::string& data) {
  std::string path = dir + "/" + name;
  std::ofstream(path, std::ios::binary) << data;
  return path;
}

TEST(Interop, JwcryptoDecryptsWhatWeEncrypt) {
  std::string dir = testing::MakeTempDir();
  auto key = *EcKey::Generate(Curve::kP384);
  std::string plaintext = R"({"authToken":"3f0c","deviceId":"Тест","refreshToken":"r"})";
  auto token = EncryptCompact(plaintext, key.PublicOnly());
  ASSERT_TRUE(token.ok());
  auto r = testing::RunProcess({TW_PYTHON, Write(dir, "d.py", kDecrypt),
                                Write(dir, "k.json", std::string(key.PrivateJwk().reveal())),
                                Write(dir, "t.jwe", *token)});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, plaintext);
  std::filesystem::remove_all(dir);
}

TEST(Interop, WeDecryptWhatJwcryptoEncrypts) {
  std::string dir = testing::MakeTempDir();
  auto key = *EcKey::Generate(Curve::kP384);
  std::string plaintext = "{\"tokenExpirationDateTime\":\"2025-02-27 12:12:34.0430 +0000\"}";
  auto r = testing::RunProcess({TW_PYTHON, Write(dir, "e.py", kEncrypt),
                                Write(dir, "k.json", key.PublicJwk().dump())},
                               plaintext);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto out = DecryptCompact(r.out, key);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->plaintext.reveal(), plaintext);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tokenwarden::jose
