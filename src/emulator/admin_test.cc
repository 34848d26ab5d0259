#include <gtest/gtest.h>

#include <tuple>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <filesystem>
#include <fstream>

#include "emulator/emulator_test_util.h"
#include "testing/subprocess.h"

namespace tokenwarden::emulator {
namespace {

// The handler as a pure function: no sockets.
http::Response Serve(Emulator& emu, http::Request request) {
  boost::asio::io_context ioc;
  auto future = boost::asio::co_spawn(ioc, emu.handler()(std::move(request)), boost::asio::use_future);
  ioc.run();
  return future.get();
}

TEST(EmulatorHandler, AdminApiRefusesPeersThatAreNotLoopback) {
  Emulator emu(std::make_shared<ManualClock>(FromUnixSeconds(0)));
  http::Request r;
  r.method = "GET";
  r.target = "/_emulator/stats";
  r.peer_is_loopback = false;
  EXPECT_EQ(Serve(emu, r).status, 403);
  r.peer_is_loopback = true;
  auto ok = Serve(emu, r);
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(nlohmann::json::parse(ok.body), (nlohmann::json{{"alliance", nlohmann::json::object()},
                                                           {"novapost", nlohmann::json::object()}}));
}

using EmulatorAdmin = EmulatorFixture;

TEST_F(EmulatorAdmin, StatsHaveTheContractShape) {
  Authorize();
  auto stats = Stats();
  auto a = stats["alliance"][kCode];
  for (const char* f : {"authorizations", "live_sessions", "api_calls", "rejected"}) EXPECT_TRUE(a.contains(f)) << f;
  EXPECT_TRUE(a["rejected"].is_object());
  auto n = stats["novapost"]["np-key-1"];
  for (const char* f : {"authorizations", "live_sessions", "api_calls", "rejected"}) EXPECT_TRUE(n.contains(f)) << f;
  EXPECT_TRUE(n["rejected"].is_number());
}

TEST_F(EmulatorAdmin, ClockAdvancesAndBadControlRequestsAreClear) {
  long long before = Call("GET", "/_emulator/clock").json()["unix"];
  Advance(3600);
  EXPECT_EQ(Call("GET", "/_emulator/clock").json()["unix"].get<long long>(), before + 3600);
  EXPECT_EQ(Call("POST", "/_emulator/clock", {}, R"({"advance_seconds":-5})").status, 400);
  // Spans a clock that counts nanoseconds cannot hold (they overflowed once)
  // are refused, naming the field.
  for (const auto& [path, body, field] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"/_emulator/clock", R"({"advance_seconds":1e300})", "advance_seconds"},
           {"/_emulator/clock", R"({"advance_seconds":"soon"})", "advance_seconds"},
           {"/_emulator/settings", R"({"alliance_lifetime_seconds":99999999999999})", "alliance_lifetime_seconds"},
           {"/_emulator/settings", R"({"novapost_lifetime_seconds":-1})", "novapost_lifetime_seconds"},
           {"/_emulator/faults", R"({"kind":"drop","seconds":1e19})", "seconds"},
           {"/_emulator/alliance/inactivity", std::string(R"({"days":1e12,"serviceCode":")") + kCode + "\"}", "days"},
       }) {
    auto r = Call("POST", path, {}, body);
    EXPECT_EQ(r.status, 400) << path << " " << body;
    EXPECT_NE(r.body.find(field), std::string::npos) << r.body;
  }
  EXPECT_EQ(Call("GET", "/_emulator/clock").json()["unix"].get<long long>(), before + 3600) << "nothing moved";
  EXPECT_EQ(Call("POST", "/_emulator/clock", {}, "{nope").status, 400);
  auto bad_key = Call("POST", "/_emulator/alliance/merchants", {},
                      R"({"serviceCode":"x","clientPublicJwk":{"kty":"EC","crv":"P-384","x":"AA","y":"AA"}})");
  EXPECT_EQ(bad_key.status, 400);
  EXPECT_NE(bad_key.json()["error"].get<std::string>().find("clientPublicJwk"), std::string::npos);
  EXPECT_EQ(Call("POST", "/_emulator/faults", {}, R"({"kind":"explode"})").status, 400);
  // A fault's numbers: whole, in range, and named when they are not.
  for (const auto& [body, field] : std::vector<std::pair<std::string, std::string>>{
           {R"({"kind":"large"})", "bytes"},
           {R"({"kind":"large","bytes":0})", "bytes"},
           {R"({"kind":"large","bytes":67108865})", "bytes"},
           {R"({"kind":"large","bytes":-1})", "bytes"},
           {R"({"kind":"large","bytes":1.5})", "bytes"},
           {R"({"kind":"large_header"})", "bytes"},
           {R"({"kind":"large_header","bytes":1048577})", "bytes"},
           {R"({"kind":"cut","bytes":0})", "bytes"},
           {R"({"kind":"delay","delay_ms":1e300})", "delay_ms"},
           {R"({"kind":"delay","delay_ms":-5})", "delay_ms"},
           {R"({"kind":"status","status":"500"})", "status"},
           {R"({"kind":"status"})", "status"},
           {R"({"kind":"error","status":600})", "status"},
           {R"({"kind":"drop","count":0})", "count"},
           {R"({"kind":"drop","count":18446744073709551615})", "count"},
       }) {
    auto r = Call("POST", "/_emulator/faults", {}, body);
    EXPECT_EQ(r.status, 400) << body;
    EXPECT_NE(r.body.find(field), std::string::npos) << body << " -> " << r.body;
  }
  EXPECT_EQ(Call("GET", "/_emulator/faults").json()["faults"].size(), 0u) << "none of them was set";
  EXPECT_EQ(Call("POST", "/_emulator/faults", {}, R"({"kind":"drop","path_prefix":"/_emulator/"})").status, 400);
  EXPECT_EQ(Call("GET", "/_emulator/nothing").status, 404);
}

TEST_F(EmulatorAdmin, ResetForgetsEverything) {
  Authorize();
  ASSERT_EQ(Call("POST", "/_emulator/reset").status, 200);
  EXPECT_EQ(Stats(), (nlohmann::json{{"alliance", nlohmann::json::object()}, {"novapost", nlohmann::json::object()}}));
}

// The answer decrypts in python3-jwcrypto with the merchant's private key.
TEST_F(EmulatorAdmin, AuthorizationAnswerDecryptsInJwcrypto) {
  auto r = Call("POST", "/api-gateway/authorize_virtual_device", {{"x-api_version", "v1"}},
                nlohmann::json{{"serviceCode", kCode}}.dump());
  ASSERT_EQ(r.status, 200);
  std::string dir = testing::MakeTempDir();
  std::ofstream(dir + "/key.json") << merchant_key_.PrivateJwk().reveal();
  std::ofstream(dir + "/answer.jwe") << r.json()["jwe"].get<std::string>();
  std::ofstream(dir + "/d.py") << "import sys, json\nfrom jwcrypto import jwk, jwe\n"
                                  "k = jwk.JWK.from_json(open(sys.argv[1]).read())\n"
                                  "t = jwe.JWE(algs=['ECDH-ES+A256KW','A256GCM'])\n"
                                  "t.deserialize(open(sys.argv[2]).read(), key=k)\n"
                                  "print(json.loads(t.payload)['deviceId'])\n";
  auto py = testing::RunProcess({TW_PYTHON, dir + "/d.py", dir + "/key.json", dir + "/answer.jwe"});
  ASSERT_EQ(py.exit_code, 0) << py.err;
  EXPECT_EQ(py.out.size(), 37u);  // a UUID and a newline
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tokenwarden::emulator
