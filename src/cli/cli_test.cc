// Runs the real tokenwarden binary the way a user would.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <thread>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "testing/http_call.h"
#include "testing/subprocess.h"
#include "util/file_io.h"

namespace tokenwarden {
namespace {

using testing::RunProcess;

const std::string kBin = std::string(TW_BIN_DIR) + "/tokenwarden";
const std::string kJose = std::string(TW_SHARED_DIR) + "/testdata/jose";

testing::ProcessResult Tw(std::vector<std::string> args, const std::string& input = "") {
  args.insert(args.begin(), kBin);
  return RunProcess(args, input);
}

// One line on stderr, non-zero exit: what every failure must look like.
void ExpectOneLineFailure(const testing::ProcessResult& r, const std::string& mentions) {
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(r.out.empty()) << r.out;
  ASSERT_FALSE(r.err.empty());
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
  EXPECT_NE(r.err.find(mentions), std::string::npos) << r.err;
}

nlohmann::json Case(const std::string& file, const std::string& name) {
  auto all = nlohmann::json::parse(*ReadFile(kJose + "/" + file, 4 << 20));
  for (const auto& c : all) {
    if (c["name"] == name) return c;
  }
  ADD_FAILURE() << "no case " << name;
  return {};
}

TEST(Cli, HelpAnswersForEveryCommand) {
  for (std::vector<std::string> args :
       {std::vector<std::string>{"--help"}, {"keygen", "--help"}, {"jwe", "decrypt", "--help"},
        {"jwe", "encrypt", "--help"}, {"jws", "verify", "--help"}, {"jwt", "inspect", "--help"},
        {"emulate", "--help"}}) {
    auto r = Tw(args);
    EXPECT_EQ(r.exit_code, 0) << args.back();
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << r.out;
  }
}

TEST(Cli, KeygenWritesPrivateKey0600AndRefusesToReplaceIt) {
  std::string dir = testing::MakeTempDir();
  auto r = Tw({"keygen", "--out", dir});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  struct stat st {};
  ASSERT_EQ(::stat((dir + "/private.jwk.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto priv = nlohmann::json::parse(*ReadFile(dir + "/private.jwk.json"));
  auto pub = nlohmann::json::parse(*ReadFile(dir + "/public.jwk.json"));
  EXPECT_EQ(priv["crv"], "P-384");
  EXPECT_EQ(priv["use"], "enc");
  EXPECT_EQ(priv["alg"], "ECDH-ES+A256KW");
  EXPECT_TRUE(priv.contains("d"));
  EXPECT_FALSE(pub.contains("d"));
  EXPECT_EQ(pub["x"], priv["x"]);
  EXPECT_EQ(nlohmann::json::parse(r.out), pub);  // prints the half to register

  ExpectOneLineFailure(Tw({"keygen", "--out", dir}), "already exists");
  EXPECT_EQ(nlohmann::json::parse(*ReadFile(dir + "/private.jwk.json")), priv);
  std::filesystem::remove_all(dir);
}

TEST(Cli, KeygenP256IsForSignatures) {
  auto r = Tw({"keygen", "--crv", "P-256"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto nl = r.out.find('\n');
  auto priv = nlohmann::json::parse(r.out.substr(0, nl));
  EXPECT_EQ(priv["crv"], "P-256");
  EXPECT_EQ(priv["use"], "sig");
  EXPECT_EQ(priv["alg"], "ES256");
  ExpectOneLineFailure(Tw({"keygen", "--crv", "P-521"}), "--crv");
}

TEST(Cli, JweRoundTripThroughTheBinary) {
  std::string dir = testing::MakeTempDir();
  ASSERT_EQ(Tw({"keygen", "--out", dir}).exit_code, 0);
  std::string plaintext = "{\"authToken\":\"тест\"}";
  auto enc = Tw({"jwe", "encrypt", "--key", dir + "/public.jwk.json"}, plaintext);
  ASSERT_EQ(enc.exit_code, 0) << enc.err;
  auto dec = Tw({"jwe", "decrypt", "--key", dir + "/private.jwk.json"}, enc.out);
  ASSERT_EQ(dec.exit_code, 0) << dec.err;
  EXPECT_EQ(dec.out, plaintext);
  // A public key cannot decrypt.
  ExpectOneLineFailure(Tw({"jwe", "decrypt", "--key", dir + "/public.jwk.json"}, enc.out),
                       "private");
  std::filesystem::remove_all(dir);
}

TEST(Cli, JweDecryptsSharedVectorAndRejectsTampering) {
  auto ok = Case("cases.json", "ok-jose-07-449B-bank-apu-apv");
  auto r = Tw({"jwe", "decrypt", "--key", kJose + "/key.json"}, ok["jwe"].get<std::string>() + "\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, ok["plaintext"].get<std::string>());

  auto bad = Case("cases.json", "reject-tag-flipped");
  auto rb = Tw({"jwe", "decrypt", "--key", kJose + "/key.json"}, bad["jwe"].get<std::string>());
  EXPECT_NE(rb.exit_code, 0);
  EXPECT_TRUE(rb.out.empty());
  // Pinning: the A128KW token is refused by default and opens when asked for.
  auto a128 = Case("cases.json", "reject-alg-a128kw-valid")["jwe"].get<std::string>();
  EXPECT_NE(Tw({"jwe", "decrypt", "--key", kJose + "/key.json"}, a128).exit_code, 0);
  EXPECT_EQ(Tw({"jwe", "decrypt", "--key", kJose + "/key.json", "--alg", "ECDH-ES+A128KW"}, a128)
                .exit_code, 0);
}

TEST(Cli, ErrorsAreOneLineNamingTheProblem) {
  ExpectOneLineFailure(Tw({"jwe", "decrypt", "--key", "/nonexistent/key.json"}, "x.y.z.w.v"),
                       "/nonexistent/key.json");
  ExpectOneLineFailure(Tw({"jwe", "decrypt"}), "--key");
  ExpectOneLineFailure(Tw({"jwe", "decrypt", "--key", kJose + "/key.json", "--alg", "none"}),
                       "--alg");
  ExpectOneLineFailure(Tw({"frobnicate"}), "frobnicate");
}

TEST(Cli, JwsVerifyPrintsPayloadOrFails) {
  auto ok = Case("jws_cases.json", "ok-jwcrypto-104B");
  auto r = Tw({"jws", "verify", "--key", kJose + "/jws_es256_public.json"}, ok["jws"].get<std::string>());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, ok["payload"].get<std::string>());
  auto bad = Case("jws_cases.json", "reject-signature-der-encoded");
  auto rb = Tw({"jws", "verify", "--key", kJose + "/jws_es256_public.json"}, bad["jws"].get<std::string>());
  EXPECT_NE(rb.exit_code, 0);
  EXPECT_TRUE(rb.out.empty());
}

TEST(Cli, JwtInspectShowsExpiryInUtcAndKyiv) {
  auto c = Case("jwt_cases.json", "ok-jwcrypto-life-3600s");
  auto r = Tw({"jwt", "inspect"}, c["jwt"].get<std::string>() + "\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // exp 1742608064 = 2025-03-22T01:47:44Z, Kyiv winter time +02:00.
  EXPECT_NE(r.out.find("2025-03-22T01:47:44Z"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("2025-03-22T03:47:44+02:00"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("expired"), std::string::npos) << r.out;
  auto j = Tw({"jwt", "inspect", "--json"}, c["jwt"].get<std::string>());
  ASSERT_EQ(j.exit_code, 0);
  EXPECT_EQ(nlohmann::json::parse(j.out), c["claims"]);
  ExpectOneLineFailure(Tw({"jwt", "inspect"}, "not-a-jwt"), "");
}

TEST(Cli, EmulateServesAPreloadedConfigAndStopsOnSigterm) {
  std::string dir = testing::MakeTempDir();
  ASSERT_EQ(Tw({"keygen", "--out", dir}).exit_code, 0);
  std::ofstream(dir + "/emulator.toml") << "[[merchant]]\nservice_code = \"code-1\"\n"
                                        << "client_public_jwk_file = \"" << dir << "/public.jwk.json\"\n"
                                        << "[[novapost_key]]\napi_key = \"np-1\"\n";
  int port = testing::FreeLoopbackPort();
  testing::ChildProcess emu({kBin, "emulate", "--listen", "127.0.0.1:" + std::to_string(port), "--config",
                             dir + "/emulator.toml"},
                            dir + "/emulator.log");
  testing::HttpReply stats;
  for (int i = 0; i < 200 && stats.status != 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    stats = testing::HttpCall(port, "GET", "/_emulator/stats");
  }
  ASSERT_EQ(stats.status, 200);
  EXPECT_TRUE(stats.json()["alliance"].contains("code-1"));
  EXPECT_TRUE(stats.json()["novapost"].contains("np-1"));
  auto np = testing::HttpCall(port, "GET", "/v.1.0/clients/authorization?apiKey=np-1");
  EXPECT_EQ(np.status, 200);
  int status = emu.Stop(SIGTERM);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  // One JSON line per request, and the apiKey in the query never logged.
  std::string log = *ReadFile(dir + "/emulator.log");
  EXPECT_NE(log.find("\"path\":\"/v.1.0/clients/authorization\""), std::string::npos) << log;
  EXPECT_EQ(log.find("np-1"), std::string::npos) << log;
  std::filesystem::remove_all(dir);
}

TEST(Cli, EmulateRejectsABadConfigNamingTheField) {
  std::string dir = testing::MakeTempDir();
  std::ofstream(dir + "/bad.toml") << "[[merchant]]\nservice_code = \"x\"\n";
  auto r = Tw({"emulate", "--listen", "127.0.0.1:0", "--config", dir + "/bad.toml"});
  ExpectOneLineFailure(r, "client_public_jwk_file");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tokenwarden
