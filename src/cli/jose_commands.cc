#include "cli/jose_commands.h"

#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "jose/jwe.h"
#include "jose/jwk.h"
#include "jose/jws.h"
#include "jose/jwt.h"
#include "util/file_io.h"
#include "util/time_format.h"

namespace tokenwarden::cli {
namespace {

// Room for a JOSE object at its 1 MiB limit plus a trailing newline; jose/
// itself refuses anything over the limit.
constexpr size_t kMaxStdin = jose::kMaxJoseInputBytes + 2;

Result<std::string> ReadStdin() { return ReadAll(stdin, kMaxStdin); }

// A compact token pasted or piped ends in a newline; JOSE has no white space.
std::string TrimToken(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  size_t start = 0;
  while (start < s.size() && (s[start] == ' ' || s[start] == '\n')) ++start;
  return s.substr(start);
}

Result<jose::EcKey> LoadKey(const std::string& path) {
  TW_ASSIGN_OR_RETURN(std::string text, ReadFile(path, 64 * 1024));
  auto key = jose::EcKey::FromJwkString(text);
  SecureZero(text.data(), text.size());
  if (!key.ok()) return WithContext(std::move(key).error(), "key file " + path);
  return key;
}

void WriteOut(std::string_view data) { std::fwrite(data.data(), 1, data.size(), stdout); }

int RunKeygen(const std::string& crv_name, const std::string& out_dir) {
  auto crv = jose::ParseCurve(crv_name);
  if (!crv.ok()) return Fail(crv.error());
  auto key = jose::EcKey::Generate(*crv);
  if (!key.ok()) return Fail(key.error());
  nlohmann::json meta = *crv == jose::Curve::kP384
                            ? nlohmann::json{{"use", "enc"}, {"alg", "ECDH-ES+A256KW"}}
                            : nlohmann::json{{"use", "sig"}, {"alg", "ES256"}};
  Secret private_jwk = key->PrivateJwk(meta);
  std::string public_jwk = key->PublicJwk(meta).dump();
  if (out_dir.empty()) {
    WriteOut(private_jwk.reveal());
    WriteOut("\n" + public_jwk + "\n");
    return 0;
  }
  std::error_code ec;
  std::filesystem::path dir(out_dir);
  if (!std::filesystem::exists(dir, ec)) {
    std::filesystem::create_directories(dir, ec);
    if (ec) return Fail("cannot create " + out_dir + ": " + ec.message());
    ::chmod(dir.c_str(), 0700);
  }
  auto st = WriteNewFile(dir / "private.jwk.json", std::string(private_jwk.reveal()) + "\n", 0600);
  if (!st.ok()) return Fail(st.error().message + " (keygen never replaces a key)");
  st = WriteNewFile(dir / "public.jwk.json", public_jwk + "\n", 0644);
  if (!st.ok()) return Fail(st.error());
  WriteOut(public_jwk + "\n");
  return 0;
}

struct JweOptions {
  std::string key_file;
  std::string alg = "ECDH-ES+A256KW";
  std::string enc = "A256GCM";
};

int RunJwe(const JweOptions& o, bool decrypt) {
  auto alg = jose::ParseKeyAlg(o.alg);
  if (!alg.ok()) return Fail(alg.error());
  auto enc = jose::ParseContentEnc(o.enc);
  if (!enc.ok()) return Fail(enc.error());
  auto key = LoadKey(o.key_file);
  if (!key.ok()) return Fail(key.error());
  auto input = ReadStdin();
  if (!input.ok()) return Fail(WithContext(std::move(input).error(), "stdin"));
  if (decrypt) {
    if (!key->has_private()) return Fail("key file " + o.key_file + " has no private part \"d\"");
    auto out = jose::DecryptCompact(TrimToken(std::move(*input)), *key, *alg, *enc);
    if (!out.ok()) return Fail(out.error());
    WriteOut(out->plaintext.reveal());
    return 0;
  }
  jose::JweEncryptOptions options;
  options.alg = *alg;
  options.enc = *enc;
  auto out = jose::EncryptCompact(*input, *key, options);
  if (!out.ok()) return Fail(out.error());
  WriteOut(*out + "\n");
  return 0;
}

int RunJwsVerify(const std::string& key_file) {
  auto key = LoadKey(key_file);
  if (!key.ok()) return Fail(key.error());
  auto input = ReadStdin();
  if (!input.ok()) return Fail(WithContext(std::move(input).error(), "stdin"));
  auto out = jose::VerifyEs256(TrimToken(std::move(*input)), *key);
  if (!out.ok()) return Fail(out.error());
  WriteOut(out->payload);
  return 0;
}

std::string Remaining(TimePoint exp, TimePoint now) {
  long long s = std::chrono::duration_cast<std::chrono::seconds>(exp - now).count();
  if (s <= 0) return "expired " + std::to_string(-s) + " s ago";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%lldh %02lldm %02llds", s / 3600, (s / 60) % 60, s % 60);
  return buf;
}

int RunJwtInspect(bool json) {
  auto input = ReadStdin();
  if (!input.ok()) return Fail(WithContext(std::move(input).error(), "stdin"));
  auto jwt = jose::DecodeUnverified(TrimToken(std::move(*input)), {.require_exp = false});
  if (!jwt.ok()) return Fail(jwt.error());
  if (json) {
    WriteOut(jwt->claims.dump() + "\n");
    return 0;
  }
  std::string out = "signature: not verified (the key is the issuer's)\n";
  out += "header: " + jwt->header.dump() + "\nclaims: " + jwt->claims.dump(2) + "\n";
  if (jwt->iat) out += "issued:  " + FormatUtcIso(*jwt->iat) + "  (Kyiv " + FormatKyivIso(*jwt->iat) + ")\n";
  if (jwt->exp) {
    out += "expires: " + FormatUtcIso(*jwt->exp) + "  (Kyiv " + FormatKyivIso(*jwt->exp) + ")\n";
    out += "remaining: " + Remaining(*jwt->exp, std::chrono::system_clock::now()) + "\n";
  } else {
    out += "expires: never (no exp claim)\n";
  }
  WriteOut(out);
  return 0;
}

}  // namespace

void AddKeygenCommand(CLI::App& root, RunFn& run) {
  auto* cmd = root.add_subcommand(
      "keygen", "Generate an EC key pair as JWK: P-384 for the bank's JWE "
                "(ECDH-ES+A256KW), P-256 for ES256 signatures. Without --out, prints "
                "the private JWK and then the public JWK, one per line.");
  auto crv = std::make_shared<std::string>("P-384");
  auto out = std::make_shared<std::string>();
  cmd->add_option("--crv", *crv, "Curve")->check(CLI::IsMember({"P-384", "P-256"}))
      ->capture_default_str();
  cmd->add_option("--out", *out,
                  "Directory for private.jwk.json (mode 0600) and public.jwk.json; "
                  "refuses to replace existing keys; prints the public JWK");
  cmd->callback([&run, crv, out] { run = [crv, out] { return RunKeygen(*crv, *out); }; });
}

void AddJweCommand(CLI::App& root, RunFn& run) {
  auto* jwe = root.add_subcommand("jwe", "Encrypt or decrypt compact JWE");
  jwe->require_subcommand(1);
  for (bool decrypt : {true, false}) {
    auto o = std::make_shared<JweOptions>();
    auto* cmd = jwe->add_subcommand(
        decrypt ? "decrypt" : "encrypt",
        decrypt ? "Read a compact JWE on stdin, write the plaintext on stdout"
                : "Read plaintext on stdin, write a compact JWE on stdout");
    cmd->add_option("--key", o->key_file,
                    decrypt ? "Private JWK file (with \"d\")" : "Recipient's JWK file")
        ->required();
    cmd->add_option("--alg", o->alg,
                    "Key management algorithm; any other in the token is rejected")
        ->check(CLI::IsMember({"ECDH-ES+A256KW", "ECDH-ES+A192KW", "ECDH-ES+A128KW", "ECDH-ES"}))
        ->capture_default_str();
    cmd->add_option("--enc", o->enc, "Content encryption; any other is rejected")
        ->check(CLI::IsMember({"A256GCM", "A192GCM", "A128GCM"}))
        ->capture_default_str();
    cmd->callback([&run, o, decrypt] { run = [o, decrypt] { return RunJwe(*o, decrypt); }; });
  }
}

void AddJwsCommand(CLI::App& root, RunFn& run) {
  auto* jws = root.add_subcommand("jws", "Verify compact JWS (ES256)");
  jws->require_subcommand(1);
  auto key = std::make_shared<std::string>();
  auto* verify = jws->add_subcommand(
      "verify", "Read an ES256 compact JWS on stdin, write its payload on stdout if the "
                "signature verifies with the given P-256 public key");
  verify->add_option("--key", *key, "P-256 public JWK file")->required();
  verify->callback([&run, key] { run = [key] { return RunJwsVerify(*key); }; });
}

void AddJwtCommand(CLI::App& root, RunFn& run) {
  auto* jwt = root.add_subcommand("jwt", "Inspect JWTs (such as Nova Post's)");
  jwt->require_subcommand(1);
  auto json = std::make_shared<bool>(false);
  auto* inspect = jwt->add_subcommand(
      "inspect", "Read a JWT on stdin; print its claims, expiry in UTC and Kyiv time and "
                 "the time remaining. The signature is not checked.");
  inspect->add_flag("--json", *json, "Print only the claims object as JSON");
  inspect->callback([&run, json] { run = [json] { return RunJwtInspect(*json); }; });
}

}  // namespace tokenwarden::cli
