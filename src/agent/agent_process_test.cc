// The agent as users run it: `tokenwarden serve` against `tokenwarden
// emulate`, both real processes on loopback, observed through the agent's API
// and the emulator's /_emulator/stats. Reload, stop, restart and a Unix
// socket: agent_lifecycle_process_test.cc.
#include <atomic>
#include <future>
#include <iostream>
#include <optional>
#include <regex>

#include "agent/agent_process_test_util.h"
#include "jose/jwe.h"
#include "jose/jwk.h"
#include "testing/callback_receiver.h"

namespace tokenwarden::agent {
namespace {

bool HasHeader(const testing::HttpReply& r, const std::string& name, const std::string& value) {
  for (const auto& [n, v] : r.headers) {
    if (strcasecmp(n.c_str(), name.c_str()) == 0 && v == value) return true;
  }
  return false;
}

TEST_F(AgentProcessTest, V1RequestsNeedTheMarkerHeaderAndNoOriginOrForwarding) {
  StartAgent();
  auto bare = Agent("GET", "/v1/token/shop");
  EXPECT_EQ(bare.status, 403);
  EXPECT_EQ(bare.json().value("error", ""), "missing_request_header");
  EXPECT_NE(bare.json().value("message", "").find("Tokenwarden-Request: 1"), std::string::npos);

  for (const char* header : {"Origin", "X-Forwarded-For"}) {
    auto r = V1("GET", "/v1/token/shop", {{header, "http://evil.example"}});
    EXPECT_EQ(r.status, 403) << header;
    EXPECT_EQ(r.json().value("error", ""), "forwarded_request_refused") << header;
    auto p = Agent("POST", kOrderPath, {{header, "http://evil.example"}}, kOrder);
    EXPECT_EQ(p.status, 403) << header << " through the proxy";
    EXPECT_EQ(Agent("GET", "/", {{header, "x"}}).status, 403) << header << " on the status page";
  }
  EXPECT_EQ(V1("GET", "/v1/token/nope").json().value("error", ""), "unknown_account");
  EXPECT_EQ(V1("POST", "/v1/token/shop").status, 405);
  // The refused calls reached no upstream.
  EXPECT_EQ(Stats()["alliance"][kServiceCode].value("api_calls", -1), 0);
}

TEST_F(AgentProcessTest, TokenEndpointServesTheSessionHeadersWithoutReauthorizing) {
  StartAgent();
  auto shop = Token("shop");
  EXPECT_EQ(shop["account"], "shop");
  EXPECT_EQ(shop["provider"], "alliance");
  EXPECT_EQ(shop["generation"], 1);
  for (const char* h : {"x-api_version", "x-device_id", "x-refresh_token"}) {
    EXPECT_TRUE(shop["headers"].contains(h)) << shop.dump();
  }
  std::regex utc(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)");
  std::regex kyiv(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0[23]:00)");
  EXPECT_TRUE(std::regex_match(shop.value("expires_at", ""), utc)) << shop.dump();
  EXPECT_TRUE(std::regex_match(shop.value("refresh_at", ""), utc)) << shop.dump();
  EXPECT_TRUE(std::regex_match(shop.value("expires_at_kyiv", ""), kyiv)) << shop.dump();
  EXPECT_LT(shop.value("refresh_at", ""), shop.value("expires_at", ""));

  auto delivery = Token("delivery");
  EXPECT_EQ(delivery["provider"], "novapost");
  std::string jwt = delivery["headers"].value("Authorization", "");
  EXPECT_EQ(std::count(jwt.begin(), jwt.end(), '.'), 2) << "a bare JWT, no Bearer prefix: " << jwt;

  for (int i = 0; i < 50; ++i) {
    ASSERT_EQ(V1("GET", "/v1/token/shop").status, 200);
    ASSERT_EQ(V1("GET", "/v1/token/delivery").status, 200);
  }
  EXPECT_EQ(Authorizations("alliance", kServiceCode), 1);
  EXPECT_EQ(Authorizations("novapost", kApiKey), 1);
  auto token = Cli({"token", "delivery"});
  EXPECT_EQ(token.exit_code, 0) << token.err;
  EXPECT_EQ(nlohmann::json::parse(token.out)["headers"]["Authorization"], jwt);
  EXPECT_NE(Agent("GET", "/metrics").body.find("tokenwarden_token_reads_total{account=\"shop\"} 51"), std::string::npos);
}

TEST_F(AgentProcessTest, AFirstReadWaitsForTheAuthorizationUnderWay) {
  // Every authorization is held back 1.5 s: the agent starts without a
  // session, and a read made at once waits for it instead of failing.
  Fault({{"kind", "delay"}, {"delay_ms", 1500}, {"path_prefix", "/api-gateway/"}, {"count", 1}});
  StartAgent("", /*wait_ready=*/false);
  auto t0 = std::chrono::steady_clock::now();
  auto j = Token("shop");
  EXPECT_EQ(j.value("generation", 0), 1) << j.dump();
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(500));
}

TEST_F(AgentProcessTest, ConcurrentInvalidationsOfOneGenerationAuthorizeOnce) {
  StartAgent();
  ASSERT_EQ(Token("shop")["generation"], 1);
  std::vector<std::future<testing::HttpReply>> calls;
  for (int i = 0; i < 40; ++i) {
    calls.push_back(std::async(std::launch::async,
                               [this] { return V1("POST", "/v1/token/shop/invalidate?generation=1"); }));
  }
  for (auto& c : calls) {
    auto r = c.get();
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json()["generation"], 2) << r.body;
  }
  EXPECT_EQ(Authorizations("alliance", kServiceCode), 2);
  // A late report of the old generation changes nothing.
  EXPECT_EQ(V1("POST", "/v1/token/shop/invalidate?generation=1").json()["generation"], 2);
  EXPECT_EQ(Authorizations("alliance", kServiceCode), 2);
  Token("shop");

  auto bad = V1("POST", "/v1/token/shop/invalidate?generation=abc");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.json().value("message", "").find("'generation'"), std::string::npos) << bad.body;
  EXPECT_EQ(V1("POST", "/v1/token/shop/invalidate").status, 400);
}

TEST_F(AgentProcessTest, ProxyAttachesTheSessionAndRetriesOnceAfterARejection) {
  StartAgent();
  auto ok = Agent("POST", kOrderPath, {{"content-type", "application/json"}}, kOrder);
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_TRUE(HasHeader(ok, "Tokenwarden-Generation", "1"));
  auto np = Agent("GET", "/proxy/delivery/divisions?limit=1");
  EXPECT_EQ(np.status, 200) << np.body;

  // The bank forgets the session: the proxy re-authorizes and repeats the call once.
  ASSERT_EQ(Emu("POST", "/_emulator/alliance/sessions/kill", nlohmann::json{{"serviceCode", kServiceCode}}.dump()).status, 200);
  auto again = Agent("POST", kOrderPath, {{"content-type", "application/json"}}, kOrder);
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_TRUE(HasHeader(again, "Tokenwarden-Retried", "1"));
  EXPECT_TRUE(HasHeader(again, "Tokenwarden-Generation", "2"));
  EXPECT_EQ(Stats()["alliance"][kServiceCode]["rejected"].value("b_session_doesnt_exist", 0), 1);

  // A rejection of the retry too goes back to the client: exactly one retry.
  Fault({{"kind", "error"}, {"msgCode", "b_expired_token"}, {"path_prefix", "/ecom/"}, {"count", 2}});
  auto twice = Agent("POST", kOrderPath, {{"content-type", "application/json"}}, kOrder);
  EXPECT_NE(twice.status, 200);
  EXPECT_NE(twice.body.find("b_expired_token"), std::string::npos) << twice.body;
  EXPECT_TRUE(HasHeader(twice, "Tokenwarden-Retried", "1"));
  EXPECT_TRUE(Faults().empty()) << Faults().dump();
  // The retry's rejection is not chased: the fresh session stays.
  EXPECT_EQ(Authorizations("alliance", kServiceCode), 3);
  std::string metrics = Agent("GET", "/metrics").body;
  EXPECT_NE(metrics.find("tokenwarden_upstream_errors_total{account=\"shop\",code=\"b_expired_token\"} 2"),
            std::string::npos) << metrics;
  EXPECT_NE(metrics.find("tokenwarden_proxy_requests_total{account=\"shop\",status=\"200\"} 2"), std::string::npos);
}

// With `pipeline`, GETs at once share upstream connections: each still gets
// its own answer, and a rejection is still re-authorized and retried once.
TEST_F(AgentProcessTest, PipelinedProxyCallsEachGetTheirOwnAnswer) {
  StartAgent(Config("", "pipeline = 8\n"));
  auto page = [](int limit) { return "/proxy/delivery/divisions?limit=" + std::to_string(limit); };
  std::vector<std::string> alone;
  for (int limit = 1; limit <= 12; ++limit) {
    auto r = Agent("GET", page(limit));
    ASSERT_EQ(r.status, 200) << r.body;
    alone.push_back(r.body);
  }
  ASSERT_NE(alone[0], alone[11]);
  std::vector<std::future<testing::HttpReply>> together;
  for (int limit = 1; limit <= 12; ++limit) {
    together.push_back(std::async(std::launch::async, [&, limit] { return Agent("GET", page(limit)); }));
  }
  for (int i = 0; i < 12; ++i) {
    auto r = together[static_cast<size_t>(i)].get();
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.body, alone[static_cast<size_t>(i)]) << "limit=" << i + 1;
  }
  ASSERT_EQ(Emu("POST", "/_emulator/novapost/revoke", nlohmann::json{{"apiKey", kApiKey}}.dump()).status, 200);
  auto again = Agent("GET", page(3));
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.body, alone[2]);
  EXPECT_TRUE(HasHeader(again, "Tokenwarden-Retried", "1"));
  EXPECT_EQ(Authorizations("novapost", kApiKey), 2);
}

TEST_F(AgentProcessTest, ProxyNeverRetriesAfterA5xxATimeoutOrAnAnswerTooLarge) {
  StartAgent(Config("timeout = \"1s\"\n"));
  Fault({{"kind", "status"}, {"status", 500}, {"path_prefix", "/ecom/"}, {"count", 2}});
  auto failed = Agent("POST", kOrderPath, {{"content-type", "application/json"}}, kOrder);
  EXPECT_EQ(failed.status, 500) << failed.body;
  ASSERT_EQ(Faults().size(), 1u);
  EXPECT_EQ(Faults()[0]["remaining"], 1) << "the 500 was not repeated";
  ASSERT_EQ(Emu("DELETE", "/_emulator/faults").status, 200);

  Fault({{"kind", "delay"}, {"delay_ms", 2500}, {"path_prefix", "/ecom/"}, {"count", 2}});
  auto slow = Agent("POST", kOrderPath, {{"content-type", "application/json"}}, kOrder);
  EXPECT_EQ(slow.status, 504) << slow.body;
  EXPECT_EQ(slow.json().value("error", ""), "upstream_timeout");
  EXPECT_NE(slow.json().value("message", "").find("Not retried"), std::string::npos) << slow.body;
  ASSERT_EQ(Faults().size(), 1u);
  EXPECT_EQ(Faults()[0]["remaining"], 1) << "the timed-out call was not repeated";
  EXPECT_EQ(Authorizations("alliance", kServiceCode), 1);
  ASSERT_EQ(Emu("DELETE", "/_emulator/faults").status, 200);

  // A header past what the proxy holds (16 KiB) is a clear 502, not
  // retried, and says how to make such a call.
  Fault({{"kind", "large_header"}, {"bytes", 20 * 1024}, {"path_prefix", "/ecom/"}, {"count", 2}});
  auto large = Agent("POST", kOrderPath, {{"content-type", "application/json"}}, kOrder);
  EXPECT_EQ(large.status, 502) << large.body.substr(0, 200);
  EXPECT_EQ(large.json().value("error", ""), "upstream_answer_too_large") << large.body;
  EXPECT_NE(large.json().value("message", "").find("answer headers larger than 16 KiB"), std::string::npos)
      << large.body;
  EXPECT_NE(large.json().value("message", "").find("GET /v1/token/shop"), std::string::npos) << large.body;
  ASSERT_EQ(Faults().size(), 1u);
  EXPECT_EQ(Faults()[0]["remaining"], 1) << "the call was not repeated";
  ASSERT_EQ(Emu("DELETE", "/_emulator/faults").status, 200);
  auto after = Agent("POST", kOrderPath, {{"content-type", "application/json"}}, kOrder);
  EXPECT_EQ(after.status, 200) << after.body;
  EXPECT_EQ(Authorizations("alliance", kServiceCode), 1);
}

// An answer's body past 64 KiB is passed on as it comes, not held: 32 MiB
// go through whole while the agent's peak memory barely moves (a body
// held whole would raise it by the body's size at least). One cut short
// upstream reaches the client cut short.
TEST_F(AgentProcessTest, ProxyStreamsAnAnswerLargerThanItHolds) {
  // ASan keeps freed memory aside (256 MiB by default) before reuse, which
  // would count every piece passed on; the agent of this test reuses it at once.
  const char* set = std::getenv("ASAN_OPTIONS");
  const std::optional<std::string> asan = set ? std::optional<std::string>(set) : std::nullopt;
  ::setenv("ASAN_OPTIONS", (asan ? *asan + ":quarantine_size_mb=0" : std::string("quarantine_size_mb=0")).c_str(), 1);
  StartAgent();
  if (asan) {
    ::setenv("ASAN_OPTIONS", asan->c_str(), 1);
  } else {
    ::unsetenv("ASAN_OPTIONS");
  }
  auto normal = Agent("POST", kOrderPath, {{"content-type", "application/json"}}, kOrder);
  ASSERT_EQ(normal.status, 200) << normal.body;
  const long peak_before = StatusKiB(agent_->pid(), "VmHWM");
  ASSERT_GT(peak_before, 0);

  const size_t size = 32 * 1024 * 1024;
  Fault({{"kind", "large"}, {"bytes", size}, {"path_prefix", "/ecom/"}, {"count", 1}});
  auto large = Agent("POST", kOrderPath, {{"content-type", "application/json"}}, kOrder);
  EXPECT_EQ(large.status, 200) << large.body.substr(0, 200);
  EXPECT_EQ(large.body.size(), size);
  auto parsed = nlohmann::json::parse(large.body, nullptr, false);
  ASSERT_TRUE(parsed.is_object()) << "the body did not arrive whole: " << large.body.substr(0, 200);
  EXPECT_EQ(parsed.size(), normal.json().size()) << "the same answer, padded";
  EXPECT_TRUE(HasHeader(large, "Tokenwarden-Generation", "1"));
  const long growth = StatusKiB(agent_->pid(), "VmHWM") - peak_before;
  std::cout << "streamed 32 MiB: the agent's peak memory grew by " << growth << " KiB" << std::endl;
  EXPECT_LT(growth, 8 * 1024) << "peak memory grew by " << growth << " KiB for a 32 MiB answer";
  EXPECT_TRUE(Faults().empty()) << "the call was made once";

  // An upstream that breaks off half-way: the client sees the body end
  // short of its length (no whole answer to read), the agent logs and
  // counts it under the account, and the call is not repeated.
  Fault({{"kind", "cut"}, {"bytes", 1024 * 1024}, {"path_prefix", "/ecom/"}, {"count", 1}});
  auto cut = Agent("POST", kOrderPath, {{"content-type", "application/json"}}, kOrder);
  EXPECT_EQ(cut.status, 0) << "a body cut short was taken for the whole";
  EXPECT_TRUE(Faults().empty()) << "the call was made once";
  EXPECT_TRUE(WaitFor([&] {
    return Agent("GET", "/metrics").body.find("tokenwarden_proxy_answers_cut_short_total{account=\"shop\"} 1") !=
           std::string::npos;
  })) << Agent("GET", "/metrics").body;
  EXPECT_NE(Slurp(agent_log_).find("proxy_answer_cut_short"), std::string::npos);

  // Each streamed answer took its upstream connection with it; the next
  // call is served as before, with the same session.
  auto after = Agent("POST", kOrderPath, {{"content-type", "application/json"}}, kOrder);
  EXPECT_EQ(after.status, 200) << after.body;
  EXPECT_EQ(Authorizations("alliance", kServiceCode), 1);
}

TEST_F(AgentProcessTest, ClosedAccessNeedsAnOperatorAndTellsTheClientWhatToDo) {
  StartAgent();
  // 201 days without use: the bank closes access at the next request.
  ASSERT_EQ(Emu("POST", "/_emulator/alliance/inactivity", nlohmann::json{{"serviceCode", kServiceCode}, {"days", 201}}.dump()).status, 200);
  auto closed = Agent("POST", kOrderPath, {{"content-type", "application/json"}}, kOrder);
  EXPECT_NE(closed.body.find("b_auth_token_expired"), std::string::npos) << closed.body;
  ASSERT_TRUE(WaitFor([&] { return V1("GET", "/v1/accounts").body.find("needs_support") != std::string::npos; }));
  int authorizations = Authorizations("alliance", kServiceCode);

  auto refused = Agent("POST", kOrderPath, {{"content-type", "application/json"}}, kOrder);
  EXPECT_EQ(refused.status, 503);
  EXPECT_EQ(refused.json().value("error", ""), "needs_support") << refused.body;
  EXPECT_EQ(refused.json().value("account", ""), "shop");
  EXPECT_NE(refused.json().value("message", "").find("tokenwarden authorize shop"), std::string::npos) << refused.body;
  EXPECT_EQ(V1("GET", "/v1/token/shop").json().value("error", ""), "needs_support");
  EXPECT_EQ(Agent("GET", "/readyz").status, 503);
  EXPECT_NE(Agent("GET", "/").body.find("tokenwarden authorize shop"), std::string::npos);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_EQ(Authorizations("alliance", kServiceCode), authorizations) << "no automatic authorization";

  // Support reopens access; the operator command brings the account back.
  ASSERT_EQ(Emu("POST", "/_emulator/alliance/reopen", nlohmann::json{{"serviceCode", kServiceCode}}.dump()).status, 200);
  auto cli = Cli({"authorize", "shop"});
  EXPECT_EQ(cli.exit_code, 0) << cli.out << cli.err;
  EXPECT_NE(cli.out.find("shop: authorized"), std::string::npos) << cli.out;
  EXPECT_EQ(Agent("POST", kOrderPath, {{"content-type", "application/json"}}, kOrder).status, 200);
  EXPECT_EQ(Agent("GET", "/readyz").status, 200);
}

TEST_F(AgentProcessTest, ReadyzNamesTheFirstAccountsWithoutASessionAndCountsThemAll) {
  // Twelve Nova Post accounts whose keys the emulator does not know: none
  // gets a session. The answer stays small however many accounts wait.
  std::string emu = "http://127.0.0.1:" + std::to_string(emu_port_);
  std::string extra;
  for (int i = 1; i <= 12; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "np-%02d", i);
    extra += std::string("\n[[account]]\nid = \"") + id + "\"\nprovider = \"novapost\"\nbase_url = \"" + emu +
             "/v.1.0\"\napi_key = \"unknown-key-" + id + "\"\n";
  }
  StartAgent(Config("", extra), /*wait_ready=*/false);
  ASSERT_TRUE(WaitFor([&] { return Token("delivery").contains("headers"); }));
  ASSERT_TRUE(WaitFor([&] {
    auto j = Agent("GET", "/readyz").json();
    return j.value("without_session", 0) == 12;
  })) << Agent("GET", "/readyz").body;
  auto r = Agent("GET", "/readyz");
  EXPECT_EQ(r.status, 503);
  auto j = r.json();
  EXPECT_EQ(j.value("status", ""), "not_ready");
  ASSERT_TRUE(j["accounts_without_session"].is_array()) << r.body;
  ASSERT_EQ(j["accounts_without_session"].size(), 10u) << r.body;
  EXPECT_EQ(j["accounts_without_session"][0], "np-01");
  EXPECT_EQ(j["accounts_without_session"][9], "np-10");
}

TEST_F(AgentProcessTest, ClientTokensLimitWhichAccountsAClientReads) {
  const std::string php = "php-client-token-0123456789";
  const std::string ops = "ops-client-token-0123456789";
  secrets_.insert(php);
  secrets_.insert(ops);
  ::setenv("TW_TEST_PHP", php.c_str(), 1);
  ::setenv("TW_TEST_OPS", ops.c_str(), 1);
  StartAgent(Config("", "\n[[client]]\nname = \"php\"\ntoken = \"${TW_TEST_PHP}\"\naccounts = [\"shop\"]\n"
                        "\n[[client]]\nname = \"ops\"\ntoken = \"${TW_TEST_OPS}\"\naccounts = [\"*\"]\n"));
  EXPECT_EQ(V1("GET", "/v1/token/shop").status, 401);
  EXPECT_EQ(V1("GET", "/v1/token/shop", {{"Authorization", "Bearer wrong"}}).json().value("error", ""),
            "client_token_invalid");
  EXPECT_EQ(V1("GET", "/v1/token/shop", {{"Authorization", "Bearer " + php}}).status, 200);
  auto other = V1("GET", "/v1/token/delivery", {{"Authorization", "Bearer " + php}});
  EXPECT_EQ(other.status, 403);
  EXPECT_EQ(other.json().value("error", ""), "account_not_allowed");
  EXPECT_EQ(Agent("GET", "/proxy/delivery/divisions", {{"Authorization", "Bearer " + php}}).status, 403);
  EXPECT_EQ(V1("POST", "/v1/accounts/shop/authorize", {{"Authorization", "Bearer " + php}}).status, 403);
  EXPECT_EQ(V1("GET", "/v1/token/delivery", {{"Authorization", "Bearer " + ops}}).status, 200);
  auto refused = Cli({"status"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("client_token_required"), std::string::npos) << refused.err;
  operator_token_ = ops;  // the CLI and the final scan now present it
  auto status = Cli({"status"});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("delivery"), std::string::npos) << status.out;
}

// The merchant's journey as far as a client of the agent can take it:
// The merchant's whole journey through the proxy: create the order, the
// payer pays, the bank's callback arrives, the order and its purchase read
// back by all three lookups, then a partial refund, a full refund and a
// refund beyond the amount refused, each REFUND encrypted to the
// serverPublic that GET /v1/token hands out and its answer decrypted with
// the merchant's key.
TEST_F(AgentProcessTest, AMerchantsWholeJourneyRunsThroughTheProxy) {
  testing::CallbackReceiver merchant;
  StartAgent();
  const Headers json_headers = {{"content-type", "application/json"}};
  auto bank = [&](const std::string& path, const nlohmann::json& body) {
    return Agent("POST", "/proxy/shop/ecom/execute_request" + path, json_headers, body.dump());
  };
  nlohmann::json order = testing::ExampleOrder("proxy-journey", 2000);
  order["notificationUrl"] = merchant.url();
  auto created = bank("/hpp/v1/create-order", order);
  ASSERT_EQ(created.status, 200) << created.body;
  std::string id = created.json()["hppOrderId"];
  EXPECT_EQ(created.json()["orderStatus"], "PENDING");
  ASSERT_EQ(Emu("POST", "/_emulator/alliance/orders/pay", nlohmann::json{{"hppOrderId", id}}.dump()).status, 200);
  auto received = merchant.WaitFor(1);
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0]["orderStatus"], "SUCCESS");

  // The three lookups: the order by hppOrderId, its purchase by
  // operationId and by the merchantRequestId the order was made with.
  auto read = bank("/hpp/v1/operations", {{"hppOrderId", id}});
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(read.json(), received[0]);
  std::string purchase = read.json()["operations"][0]["operationId"];
  auto by_id = bank("/payments/v1/operations", {{"id", purchase}});
  ASSERT_EQ(by_id.status, 200) << by_id.body;
  EXPECT_EQ(by_id.json()["operationId"], purchase);
  EXPECT_EQ(by_id.json()["hppOrderId"], id);
  EXPECT_EQ(by_id.json()["coinAmount"], 2000);
  auto by_request = bank("/payments/v1/operation/by_merchant_request_id", {{"merchantRequestId", "proxy-journey"}});
  ASSERT_EQ(by_request.status, 200) << by_request.body;
  EXPECT_EQ(by_request.json(), by_id.json());

  auto token = Token("shop");
  ASSERT_TRUE(token.contains("serverPublic")) << token;
  auto server = jose::EcKey::FromJwk(token["serverPublic"]);
  ASSERT_TRUE(server.ok()) << server.error().message;
  auto merchant_key = jose::EcKey::FromJwkString(Slurp(dir_ + "/demo/alliance.private.jwk.json"));
  ASSERT_TRUE(merchant_key.ok()) << merchant_key.error().message;
  auto refund = [&](long long amount) -> std::pair<testing::HttpReply, nlohmann::json> {
    auto jwe = jose::EncryptCompact(testing::ExampleRefund(purchase, amount).dump(), *server);
    EXPECT_TRUE(jwe.ok());
    auto r = bank("/payments/v3/refund", {{"jwe", jwe.ok() ? *jwe : ""}});
    if (r.status != 200 || !r.json().contains("jwe")) return {r, r.json()};  // refusals come with 200 too
    auto plain = jose::DecryptCompact(r.json().value("jwe", ""), *merchant_key);
    EXPECT_TRUE(plain.ok()) << r.body;
    return {r, plain.ok() ? nlohmann::json::parse(plain->plaintext.reveal()) : nlohmann::json()};
  };
  auto partial = refund(700);
  ASSERT_EQ(partial.first.status, 200) << partial.first.body;
  EXPECT_EQ(partial.second["type"], "REFUND");
  EXPECT_EQ(partial.second["coinAmount"], 700);
  auto full = refund(1300);
  ASSERT_EQ(full.first.status, 200) << full.first.body;
  EXPECT_EQ(full.second["coinAmount"], 1300);
  auto beyond = refund(1);
  EXPECT_EQ(beyond.first.status, 200);  // as the bank's error-code page gives it
  EXPECT_EQ(beyond.second["msgCode"], "b_payment_invalid_refund_amount");

  // Each refund is called back, and reads back naming the purchase.
  received = merchant.WaitFor(3);
  ASSERT_EQ(received.size(), 3u);
  EXPECT_EQ(received[1]["coinAmount"], 700);
  EXPECT_EQ(received[2]["coinAmount"], 1300);
  auto refunded = bank("/payments/v1/operations", {{"id", full.second["operationId"]}});
  ASSERT_EQ(refunded.status, 200) << refunded.body;
  EXPECT_EQ(refunded.json()["originalOperationId"], purchase);
  EXPECT_EQ(bank("/hpp/v1/operations", {{"hppOrderId", id}}).json()["operations"].size(), 3u);
  // One session served the whole journey: no call was refused for authorization.
  EXPECT_EQ(Authorizations("alliance", kServiceCode), 1);
}

}  // namespace
}  // namespace tokenwarden::agent

namespace tokenwarden::agent {
namespace {

// Headless Debian Chromium, started the way this machine allows (no
// sandbox as root, no background networking), with a fresh profile.
testing::ProcessResult Chromium(const std::string& profile, std::vector<std::string> args) {
  std::vector<std::string> argv = {"/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu",
                                   "--disable-quic", "--no-first-run", "--disable-background-networking",
                                   "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile};
  argv.insert(argv.end(), args.begin(), args.end());
  return testing::RunProcess(argv, "", std::chrono::seconds(90));
}

TEST_F(AgentProcessTest, TheStatusPageRendersInABrowser) {
  StartAgent();
  // Give the page something to warn about: the bank closed the shop's access.
  ASSERT_EQ(Emu("POST", "/_emulator/alliance/inactivity", nlohmann::json{{"serviceCode", kServiceCode}, {"days", 201}}.dump()).status, 200);
  Agent("POST", kOrderPath, {{"content-type", "application/json"}}, kOrder);
  ASSERT_TRUE(WaitFor([&] { return V1("GET", "/v1/accounts").body.find("needs_support") != std::string::npos; }));

  std::string url = "http://127.0.0.1:" + std::to_string(agent_port_) + "/";
  auto dom = Chromium(dir_ + "/profile-dom", {"--dump-dom", url});
  ASSERT_EQ(dom.exit_code, 0) << dom.err;
  for (const char* text : {"<title>tokenwarden status</title>", "delivery", "novapost", "shop", "needs_support",
                           "tokenwarden authorize shop", "Kyiv", "+02:00", "generation 1"}) {
    EXPECT_NE(dom.out.find(text), std::string::npos) << text << " not in the rendered DOM:\n" << dom.out;
  }
  for (const auto& s : secrets_) EXPECT_EQ(dom.out.find(s), std::string::npos) << s;

  std::string png = dir_ + "/status.png";
  auto shot = Chromium(dir_ + "/profile-shot", {"--screenshot=" + png, "--window-size=1280,720",
                                                "--hide-scrollbars", url});
  ASSERT_EQ(shot.exit_code, 0) << shot.err;
  ASSERT_TRUE(std::filesystem::exists(png)) << shot.err;
  // Not blank: many colours, and a good share of pixels unlike the background.
  auto check = testing::RunProcess({TW_PYTHON, "-c", R"py(
import sys
from PIL import Image
img = Image.open(sys.argv[1]).convert("RGB")
w, h = img.size
colors = img.getcolors(maxcolors=w * h)
colors.sort(reverse=True)
background = colors[0][0] / (w * h)
print(w, h, len(colors), round(background, 3))
sys.exit(0 if w >= 1000 and len(colors) >= 16 and background < 0.97 else 1)
)py", png});
  EXPECT_EQ(check.exit_code, 0) << "screenshot looks blank: " << check.out << check.err;
}

}  // namespace
}  // namespace tokenwarden::agent
