#include <gtest/gtest.h>

#include <regex>

#include "emulator/alliance.h"
#include "emulator/emulator_test_util.h"
#include "jose/jwe.h"
#include "util/time_format.h"

namespace tokenwarden::emulator {
namespace {

using AllianceEmulator = EmulatorFixture;

TEST_F(AllianceEmulator, AuthorizeAnswersAJweWithTheDocumentedFields) {
  nlohmann::json a = Authorize();
  for (const char* f : {"authToken", "deviceId", "refreshToken", "serverPublic", "tokenExpirationDateTime",
                        "tokenExpiration"}) {
    EXPECT_TRUE(a.contains(f)) << f;
  }
  EXPECT_EQ(a["serverPublic"]["crv"], "P-384");
  std::string utc = a["tokenExpirationDateTime"], kyiv = a["tokenExpiration"];
  EXPECT_TRUE(std::regex_match(utc, std::regex(R"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{4} \+0000)"))) << utc;
  EXPECT_TRUE(std::regex_match(kyiv, std::regex(R"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\+02:00)"))) << kyiv;
  // Both are the same instant, 24 h after the request.
  EXPECT_EQ(ToUnixSeconds(*ParseTimestamp(utc)), 1740658354 + 86400);
  EXPECT_EQ(ToUnixSeconds(*ParseTimestamp(kyiv)), 1740658354 + 86400);
  EXPECT_EQ(Stats()["alliance"][kCode]["authorizations"], 1);
  EXPECT_EQ(Stats()["alliance"][kCode]["live_sessions"], 1);
}

TEST_F(AllianceEmulator, EveryApiVersionSpellingAndTheQueryFormWork) {
  for (const char* v : {"1", "v1", "V1"}) EXPECT_TRUE(Authorize(v).contains("deviceId")) << v;
  auto q = Call("POST", std::string("/api-gateway/authorize_virtual_device?serviceCode=") + kCode,
                {{"x-api_version", "v1"}}, "");
  EXPECT_EQ(q.status, 200);
  auto bad = Call("POST", "/api-gateway/authorize_virtual_device", {{"x-api_version", "v2"}},
                  nlohmann::json{{"serviceCode", kCode}}.dump());
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.json()["msgCode"], "b_request_is_not_correct");
}

TEST_F(AllianceEmulator, ProtectedCallsAnswerTheDocumentedFields) {
  auto s = Authorize();
  auto r = CallBank(s);
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = r.json();
  for (const char* f : {"hppOrderId", "merchantRequestId", "orderStatus", "coinAmount", "redirectUrl", "statusUrl",
                        "createDate", "expiredOrderDate"}) {
    EXPECT_TRUE(j.contains(f)) << f;
  }
  EXPECT_EQ(j["merchantRequestId"], "m-1");
  auto read = CallBank(s, "/ecom/execute_request/hpp/v1/operations?ignored=1", true,
                       nlohmann::json{{"hppOrderId", j["hppOrderId"]}}.dump());
  EXPECT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(CallBank(s, "/ecom/execute_request/merchant/ecom_balance/v1/get").status, 200);
  EXPECT_EQ(Stats()["alliance"][kCode]["api_calls"], 3);
}

void ExpectBankError(const testing::HttpReply& r, int status, const std::string& code) {
  EXPECT_EQ(r.status, status) << r.body;
  auto j = r.json();
  EXPECT_EQ(j["msgCode"], code) << r.body;
  EXPECT_EQ(j["msgType"], "ERROR");
  EXPECT_EQ(j["serviceId"], "api-gateway");
  EXPECT_TRUE(j.contains("requestId") && j.contains("msgText") && j.contains("errorCauses"));
}

TEST_F(AllianceEmulator, OldSessionsAreForgottenSoTheStateStaysBounded) {
  const std::string balance = "/ecom/execute_request/merchant/ecom_balance/v1/get";
  ASSERT_EQ(Call("POST", "/_emulator/settings", {}, R"({"session_retention_seconds": 3600, "max_sessions": 2})").status,
            200);
  auto first = Authorize();
  Advance(1);
  auto second = Authorize();
  Advance(1);
  auto third = Authorize();  // past max_sessions: the first, which expires first, goes
  ExpectBankError(CallBank(first, balance), 401, "b_unknown_device");
  EXPECT_EQ(CallBank(second, balance).status, 200);
  EXPECT_EQ(CallBank(third, balance).status, 200);
  // Expired, a session still answers b_expired_token for the retention...
  Advance(24 * 3600);
  ExpectBankError(CallBank(third, balance), 401, "b_expired_token");
  Advance(3600);
  Stats();  // sweeps: an hour after its expiry, it is still remembered
  ExpectBankError(CallBank(third, balance), 401, "b_expired_token");
  // ...then it is forgotten (the next authorization or stats sweep it).
  Advance(1);
  EXPECT_EQ(Stats()["alliance"][kCode]["live_sessions"], 0);
  ExpectBankError(CallBank(second, balance), 401, "b_unknown_device");
  ExpectBankError(CallBank(third, balance), 401, "b_unknown_device");
  EXPECT_EQ(CallBank(Authorize(), balance).status, 200);
  auto bad = Call("POST", "/_emulator/settings", {}, R"({"max_sessions": 0})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("max_sessions"), std::string::npos) << bad.body;
}

TEST_F(AllianceEmulator, EveryDocumentedSessionErrorIsReachable) {
  auto s = Authorize();
  ExpectBankError(CallBank(s, "/ecom/execute_request/hpp/v1/create-order", false), 200, "b_refresh_token_absent");
  auto unknown = s;
  unknown["deviceId"] = "no-such-device";
  ExpectBankError(CallBank(unknown), 401, "b_unknown_device");
  auto used = s;
  used["refreshToken"] = "an-old-token";
  ExpectBankError(CallBank(used), 401, "b_used_token");

  Advance(86400);
  ExpectBankError(CallBank(s), 401, "b_expired_token");

  auto s2 = Authorize();
  ASSERT_EQ(Call("POST", "/_emulator/alliance/sessions/kill", {}, nlohmann::json{{"deviceId", s2["deviceId"]}}.dump()).status, 200);
  ExpectBankError(CallBank(s2), 200, "b_session_doesnt_exist");
  ASSERT_EQ(Call("POST", "/_emulator/settings", {}, R"({"session_code_spelling":"b_session_doesnt_exists"})").status, 200);
  ExpectBankError(CallBank(s2), 200, "b_session_doesnt_exists");

  auto rejected = Stats()["alliance"][kCode]["rejected"];
  EXPECT_EQ(rejected["b_expired_token"], 1);
  EXPECT_EQ(rejected["b_used_token"], 1);
  EXPECT_EQ(rejected["b_session_doesnt_exist"], 1);
  EXPECT_EQ(rejected["b_session_doesnt_exists"], 1);
  EXPECT_EQ(rejected.value("b_unknown_device", 0), 0);  // an unknown device names no merchant
}

TEST_F(AllianceEmulator, AccessClosesAfter200UnusedDaysUntilSupportReopensIt) {
  auto s = Authorize();
  ASSERT_EQ(Call("POST", "/_emulator/alliance/inactivity", {}, nlohmann::json{{"serviceCode", kCode}, {"days", 201}}.dump()).status, 200);
  ExpectBankError(CallBank(s), 401, "b_auth_token_expired");
  auto again = Call("POST", "/api-gateway/authorize_virtual_device", {{"x-api_version", "v1"}},
                    nlohmann::json{{"serviceCode", kCode}}.dump());
  ExpectBankError(again, 401, "b_auth_token_expired");
  // 199 days would still be open: reopen, then check the boundary.
  ASSERT_EQ(Call("POST", "/_emulator/alliance/reopen", {}, nlohmann::json{{"serviceCode", kCode}}.dump()).status, 200);
  auto fresh = Authorize();
  EXPECT_NE(fresh["serverPublic"], s["serverPublic"]);  // new parameters
  EXPECT_EQ(CallBank(fresh).status, 200);
  ASSERT_EQ(Call("POST", "/_emulator/alliance/inactivity", {}, nlohmann::json{{"serviceCode", kCode}, {"days", 199}}.dump()).status, 200);
  EXPECT_EQ(CallBank(fresh).status, 200);
}

TEST_F(AllianceEmulator, BadRequestsGetTheBanksErrorShape) {
  ExpectBankError(Call("POST", "/api-gateway/authorize_virtual_device", {{"x-api_version", "v1"}}, "{not json"), 400,
                  "b_error_parse_json");
  ExpectBankError(Call("POST", "/api-gateway/authorize_virtual_device", {{"x-api_version", "v1"}}, "{}"), 400,
                  "b_request_is_not_correct");
  ExpectBankError(Call("POST", "/api-gateway/authorize_virtual_device", {{"x-api_version", "v1"}},
                       R"({"serviceCode":"unknown"})"), 200, "b_merchant_not_found");
  auto huge = Call("POST", "/api-gateway/authorize_virtual_device", {{"x-api_version", "v1"}},
                   std::string(100 * 1024, 'x'));
  ExpectBankError(huge, 413, "b_bad_request");
  EXPECT_EQ(Authorize().contains("deviceId"), true);  // still serving
}

TEST_F(AllianceEmulator, OverloadAndOtherCodesAreInjectedExactlyAsAsked) {
  auto s = Authorize();
  Fault({{"kind", "error"}, {"msgCode", "b_server_is_overloaded"}, {"path_prefix", "/ecom/"}, {"count", 2}});
  ExpectBankError(CallBank(s), 503, "b_server_is_overloaded");
  ExpectBankError(CallBank(s), 503, "b_server_is_overloaded");
  EXPECT_EQ(CallBank(s).status, 200);  // exactly two
  for (const char* code : {"b_previous_auth_token_expired", "b_virtual_device_not_found", "b_overload_error",
                           "b_auth_token_expired"}) {
    Fault({{"kind", "error"}, {"msgCode", code}, {"path_prefix", "/ecom/"}});
    ExpectBankError(CallBank(s), DocumentedStatus(code), code);
  }
  EXPECT_EQ(Stats()["alliance"][kCode]["rejected"]["b_server_is_overloaded"], 2);
}

TEST_F(AllianceEmulator, AuthorizeFaultsWrongKeyPlainErrorMalformedTruncatedDroppedDelayed) {
  const std::string path = "/api-gateway/authorize_virtual_device";
  auto authorize = [&] {
    return Call("POST", path, {{"x-api_version", "v1"}}, nlohmann::json{{"serviceCode", kCode}}.dump());
  };
  Fault({{"kind", "wrong_key_jwe"}, {"path_prefix", path}});
  auto wrong = authorize();
  ASSERT_EQ(wrong.status, 200);
  auto d = jose::DecryptCompact(wrong.json()["jwe"].get<std::string>(), merchant_key_);
  EXPECT_FALSE(d.ok());

  Fault({{"kind", "error"}, {"msgCode", "b_server_is_overloaded"}, {"path_prefix", path}});
  ExpectBankError(authorize(), 503, "b_server_is_overloaded");  // plain JSON where a JWE was expected
  // A serviceCode of the wrong type counts against nobody, and is no 500.
  Fault({{"kind", "error"}, {"msgCode", "b_server_is_overloaded"}, {"path_prefix", path}, {"count", 1}});
  ExpectBankError(Call("POST", path, {{"x-api_version", "v1"}}, R"({"serviceCode": 5})"), 503,
                  "b_server_is_overloaded");

  Fault({{"kind", "malformed"}, {"path_prefix", path}});
  auto malformed = authorize();
  EXPECT_EQ(malformed.status, 200);
  EXPECT_TRUE(malformed.json().is_discarded());

  Fault({{"kind", "truncate"}, {"path_prefix", path}});
  auto truncated = authorize();
  EXPECT_EQ(truncated.status, 200);
  EXPECT_TRUE(truncated.json().is_discarded());

  Fault({{"kind", "drop"}, {"path_prefix", path}});
  EXPECT_EQ(authorize().status, 0);

  Fault({{"kind", "delay"}, {"delay_ms", 300}, {"path_prefix", path}});
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(authorize().status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(300));
  EXPECT_EQ(authorize().status, 200);  // every fault was used up
  EXPECT_EQ(Call("GET", "/_emulator/faults").json()["faults"].size(), 0u);
}

TEST_F(AllianceEmulator, FaultsCanLastATimeWindowOnTheEmulatorClock) {
  auto s = Authorize();
  Fault({{"kind", "error"}, {"msgCode", "b_server_is_overloaded"}, {"path_prefix", "/ecom/"}, {"seconds", 600}});
  EXPECT_EQ(CallBank(s).status, 503);
  EXPECT_EQ(CallBank(s).status, 503);
  Advance(601);
  EXPECT_EQ(CallBank(s).status, 200);
}

}  // namespace
}  // namespace tokenwarden::emulator
